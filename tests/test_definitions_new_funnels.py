"""The definitions of the deal-stage funnel, multi-touch attribution, account view and pipeline coverage
(issue 19) are as strict as the rest of definitions.yml: unknown keys, wrong types, out-of-range values and
rules that contradict each other are refused naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE, DefinitionsError, load_definitions

pytestmark = pytest.mark.unit


def _variant(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    change(content)
    path = tmp_path / "definitions.yml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(DefinitionsError) as raised:
        load_definitions(path)
    return str(raised.value)


def test_committed_file_states_every_new_rule():
    # GIVEN the committed definitions WHEN loaded THEN the new sections are read from the file as written
    definitions = load_definitions(DEFAULT_DEFINITIONS_FILE)
    assert definitions.attribution.model == "w_shaped"
    weights = definitions.attribution.w_shaped
    assert (weights.first_touch, weights.lead_creation, weights.opportunity_creation) == (0.3, 0.3, 0.3)
    assert definitions.deal_stages.stalled_after_days == 30
    assert definitions.accounts.expansion_rule == "prior_won_deal"
    assert definitions.pipeline_coverage.target_team == "sales"


def test_a_file_without_the_new_sections_gets_the_documented_defaults(tmp_path):
    # GIVEN a definitions file written before issue 19 (none of the four sections)
    def drop(content):
        for key in ("deal_stages", "attribution", "accounts", "pipeline_coverage"):
            content.pop(key)

    # WHEN loaded THEN the defaults documented in dbt_project/README.md apply
    definitions = load_definitions(_variant(tmp_path, drop))
    assert definitions.attribution.model == "w_shaped"
    assert definitions.attribution.lookback_days == 365
    assert definitions.deal_stages.stalled_after_days == 30
    assert definitions.accounts.expansion_rule == "prior_won_deal"
    assert definitions.pipeline_coverage.open_deals == "closing_in_period"


@pytest.mark.parametrize(
    ("expected", "change"),
    [
        (
            "attribution.model: Input should be 'first_touch', 'last_touch', 'linear' or 'w_shaped'",
            lambda c: c["attribution"].update(model="u_shaped"),
        ),
        (
            "attribution.w_shape: Extra inputs are not permitted",
            lambda c: c["attribution"].update(w_shape={}),
        ),
        (
            "deal_stages.stalled_after_day: Extra inputs are not permitted",
            lambda c: c["deal_stages"].update(stalled_after_day=10),
        ),
        (
            "deal_stages.stalled_after_days: must be a number written without quotes, not the text '30'",
            lambda c: c["deal_stages"].update(stalled_after_days="30"),
        ),
        (
            "attribution.lookback_days: must be a number, not the boolean true",
            lambda c: c["attribution"].update(lookback_days=True),
        ),
        (
            "accounts.expansion_rule: Input should be 'prior_won_deal' or 'deal_type'",
            lambda c: c["accounts"].update(expansion_rule="upsell"),
        ),
        (
            "pipeline_coverage.open_deals: Input should be 'closing_in_period' or 'all_open'",
            lambda c: c["pipeline_coverage"].update(open_deals="some"),
        ),
        (
            "attribution.touch_interactions.0: Input should be 'form_submission' or 'marketing_email_click'",
            lambda c: c["attribution"].update(touch_interactions=["page_view"]),
        ),
        (
            "deal_stages.stalled_after_days_by_pipeline.sales pipeline.[key]: String should match pattern",
            lambda c: c["deal_stages"].update(stalled_after_days_by_pipeline={"sales pipeline": 10}),
        ),
    ],
)
def test_unknown_keys_and_wrong_types_are_refused_naming_the_key(tmp_path, expected, change):
    # GIVEN a new section with a misspelt key, an unknown choice or a number written as text or a boolean
    # WHEN loaded THEN the key and the problem are named
    assert expected in _error(_variant(tmp_path, change))


@pytest.mark.parametrize(
    ("key_path", "bound", "change"),
    [
        (
            "deal_stages.stalled_after_days",
            "greater than or equal to 1",
            lambda c: c["deal_stages"].update(stalled_after_days=0),
        ),
        (
            "deal_stages.stalled_after_days_by_pipeline.default",
            "less than or equal to 3650",
            lambda c: c["deal_stages"].update(stalled_after_days_by_pipeline={"default": 5000}),
        ),
        (
            "attribution.lookback_days",
            "less than or equal to 3650",
            lambda c: c["attribution"].update(lookback_days=10000),
        ),
        (
            "attribution.w_shaped.first_touch",
            "less than or equal to 1",
            lambda c: c["attribution"]["w_shaped"].update(first_touch=30),
        ),
        (
            "pipeline_coverage.healthy_coverage",
            "greater than 0",
            lambda c: c["pipeline_coverage"].update(healthy_coverage=0),
        ),
    ],
)
def test_values_out_of_range_are_refused_naming_key_and_bound(tmp_path, key_path, bound, change):
    # GIVEN a value outside its sensible range WHEN loaded THEN key and bound are named
    message = _error(_variant(tmp_path, change))
    assert f"{key_path}:" in message
    assert bound in message


@pytest.mark.parametrize(
    ("expected", "change"),
    [
        (
            "attribution.w_shaped: the four shares add up to 1.2, not 1",
            lambda c: c["attribution"]["w_shaped"].update(other_touches=0.3),
        ),
        (
            "attribution.w_shaped: first_touch, lead_creation and opportunity_creation cannot all be 0",
            lambda c: c["attribution"].update(
                w_shaped={"first_touch": 0, "lead_creation": 0, "opportunity_creation": 0, "other_touches": 1}
            ),
        ),
        (
            "attribution.touch_interactions: interaction(s) ['form_submission'] are listed twice",
            lambda c: c["attribution"].update(touch_interactions=["form_submission", "form_submission"]),
        ),
        (
            "pipeline_coverage.target_team is 'marketing', but targets.marketing has no closed_won_revenue",
            lambda c: (
                c["targets"]["marketing"].pop("closed_won_revenue", None),
                c["pipeline_coverage"].update(target_team="marketing"),
            ),
        ),
        (
            "deal_stages.stalled_after_days_by_pipeline names pipeline(s) ['renewals'] that deal_pipelines "
            "does not count",
            lambda c: (
                c.update(deal_pipelines=["default"]),
                c["deal_stages"].update(stalled_after_days_by_pipeline={"renewals": 60}),
            ),
        ),
    ],
)
def test_rules_that_contradict_each_other_are_refused(tmp_path, expected, change):
    # GIVEN shares that do not make one deal, or a rule pointing at something that does not exist
    # WHEN loaded THEN the contradiction is named
    assert expected in _error(_variant(tmp_path, change))


def test_a_different_attribution_model_is_a_different_definitions_version(tmp_path):
    # GIVEN the committed file and one where both teams chose linear credit
    linear = load_definitions(_variant(tmp_path, lambda c: c["attribution"].update(model="linear")))
    # WHEN versioned THEN the choice is a definitions change every number records
    assert linear.version != load_definitions(DEFAULT_DEFINITIONS_FILE).version
