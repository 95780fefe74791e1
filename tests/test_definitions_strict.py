"""definitions.yml is strict (issue 13, item 9): a key written twice, a boolean or quoted number where a
number belongs, a value out of its sensible range or rules that contradict each other are errors naming
the key, never a silent reinterpretation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE, DefinitionsError, load_definitions

pytestmark = pytest.mark.unit

COMMITTED_VERSION = "5484cbe527e6"


def _write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "definitions.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _write_variant(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    change(content)
    return _write_text(tmp_path, yaml.safe_dump(content, allow_unicode=True))


def _error(path: Path) -> str:
    with pytest.raises(DefinitionsError) as raised:
        load_definitions(path)
    return str(raised.value)


def _line_of(text: str, needle: str, start: int = 0) -> int:
    return text.count("\n", 0, text.index(needle, start)) + 1


# --- duplicate keys -------------------------------------------------------------------------------------


def test_second_sla_block_is_refused_instead_of_silently_setting_a_one_hour_sla(tmp_path):
    # GIVEN the committed file with a second `sla:` block appended further down (a bad merge)
    committed = DEFAULT_DEFINITIONS_FILE.read_text()
    text = committed + (
        "\nsla:\n  first_touch_hours: 1\n  mql_to_sql_window_days: 90\n"
        "  mql_to_sql_target_rate: 0.3\n  untouched_aging_days: 7\n"
    )
    path = _write_text(tmp_path, text)
    # WHEN it is loaded
    message = _error(path)
    # THEN the error names the file, the key and both lines instead of the last block winning
    first, second = _line_of(text, "\nsla:") + 1, _line_of(text, "\nsla:", len(committed) - 1) + 1
    assert f"definitions.yml: duplicate key sla at lines {first} and {second}" in message


def test_nested_duplicate_key_is_refused_with_its_dotted_path(tmp_path):
    # GIVEN `first_touch_hours` written twice inside the one sla block
    committed = DEFAULT_DEFINITIONS_FILE.read_text()
    text = committed.replace("  first_touch_hours: 24\n", "  first_touch_hours: 24\n  first_touch_hours: 1\n")
    path = _write_text(tmp_path, text)
    # WHEN loaded THEN the error names sla.first_touch_hours and both lines
    line = _line_of(text, "  first_touch_hours: 24")
    assert f"duplicate key sla.first_touch_hours at lines {line} and {line + 1}" in _error(path)


def test_duplicate_key_inside_a_list_item_and_a_flow_mapping_is_refused(tmp_path):
    # GIVEN a grade band with min_fit twice (flow style) and a target with the same month twice
    committed = DEFAULT_DEFINITIONS_FILE.read_text()
    band = committed.replace("{grade: B, min_fit: 40,", "{grade: B, min_fit: 40, min_fit: 10,")
    month = committed.replace("mqls: {default: 800}", "mqls: {default: 800, 2026-03: 300, 2026-03: 10}")
    # WHEN loaded THEN each error names the full path (list positions as in validation errors)
    assert "duplicate key lead_grade.grades.1.min_fit" in _error(_write_text(tmp_path, band))
    assert "duplicate key targets.marketing.mqls.2026-03" in _error(_write_text(tmp_path, month))


def test_yaml_merge_keys_are_not_mistaken_for_duplicates(tmp_path):
    # GIVEN a file that shares a format rule through an anchor and a merge key, overriding one value
    committed = DEFAULT_DEFINITIONS_FILE.read_text()
    text = committed.replace(
        "    meta: {min_audience_size: 100}\n    google: {min_audience_size: 100}\n",
        "    meta: &platform {min_audience_size: 100}\n    google: {<<: *platform, min_audience_size: 150}\n",
    )
    # WHEN loaded THEN it is valid and the explicit key wins over the merged one
    assert load_definitions(_write_text(tmp_path, text)).audiences.formats["google"].min_audience_size == 150


# --- booleans and quoted numbers are not numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key_path", "change"),
    [
        ("sla.first_touch_hours", lambda c: c["sla"].update(first_touch_hours=True)),
        ("sla.mql_to_sql_window_days", lambda c: c["sla"].update(mql_to_sql_window_days=True)),
        ("sla.mql_to_sql_target_rate", lambda c: c["sla"].update(mql_to_sql_target_rate=True)),
        ("sla.untouched_aging_days", lambda c: c["sla"].update(untouched_aging_days=True)),
        ("fiscal_year_start_month", lambda c: c.update(fiscal_year_start_month=True)),
        ("month_close_day", lambda c: c.update(month_close_day=True)),
        ("influence.lookback_days", lambda c: c["influence"].update(lookback_days=True)),
        (
            "conversion_windows_days.lead_to_mql",
            lambda c: c["conversion_windows_days"].update(lead_to_mql=True),
        ),
        ("lead_grade.fit.seniority.vp", lambda c: c["lead_grade"]["fit"]["seniority"].update(vp=True)),
        (
            "lead_grade.fit.company_size.3.min_employees",
            lambda c: c["lead_grade"]["fit"]["company_size"][3].update(min_employees=False),
        ),
        (
            "lead_grade.engagement.page_view_points",
            lambda c: c["lead_grade"]["engagement"].update(page_view_points=True),
        ),
        ("lead_grade.grades.3.min_fit", lambda c: c["lead_grade"]["grades"][3].update(min_fit=False)),
        ("targets.marketing.mqls.default", lambda c: c["targets"]["marketing"]["mqls"].update(default=True)),
        ("targets.marketing.mqls", lambda c: c["targets"]["marketing"]["mqls"].update({"2026-03": True})),
        ("audiences.privacy_floor", lambda c: c["audiences"].update(privacy_floor=True)),
        (
            "audiences.formats.csv.min_audience_size",
            lambda c: c["audiences"]["formats"]["csv"].update(min_audience_size=True),
        ),
    ],
)
def test_boolean_in_a_number_field_is_refused_not_read_as_one(tmp_path, key_path, change):
    # GIVEN a definitions file with `true` (or `false`) where a number belongs (YAML: yes/on are true too)
    path = _write_variant(tmp_path, change)
    # WHEN loaded THEN the error names the key instead of the boolean counting as 1 (or 0)
    message = _error(path)
    assert f"{key_path}:" in message
    assert "boolean" in message or "finite number" in message


def test_yes_written_for_hours_is_refused(tmp_path):
    # GIVEN `first_touch_hours: yes` (YAML 1.1 reads it as true, which Python counts as 1 hour)
    text = DEFAULT_DEFINITIONS_FILE.read_text().replace("first_touch_hours: 24", "first_touch_hours: yes")
    # WHEN loaded THEN it is an error naming the key
    assert "sla.first_touch_hours: must be a number, not the boolean true" in _error(
        _write_text(tmp_path, text)
    )


def test_quoted_number_is_refused_not_converted(tmp_path):
    # GIVEN `first_touch_hours: "24"` (text that pydantic would quietly convert)
    text = DEFAULT_DEFINITIONS_FILE.read_text().replace("first_touch_hours: 24", 'first_touch_hours: "24"')
    # WHEN loaded THEN it is an error naming the key and saying to drop the quotes
    message = _error(_write_text(tmp_path, text))
    assert "sla.first_touch_hours: must be a number written without quotes, not the text '24'" in message


# --- bounds -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_path", "bound", "change"),
    [
        ("sla.first_touch_hours", "greater than 0", lambda c: c["sla"].update(first_touch_hours=0)),
        (
            "sla.first_touch_hours",
            "less than or equal to 2160",
            lambda c: c["sla"].update(first_touch_hours=24 * 365),
        ),
        (
            "sla.first_touch_hours",
            "less than or equal to 2160",
            lambda c: c["sla"].update(first_touch_hours=math.inf),
        ),
        (
            "sla.mql_to_sql_window_days",
            "less than or equal to 3650",
            lambda c: c["sla"].update(mql_to_sql_window_days=36500),
        ),
        (
            "sla.untouched_aging_days",
            "greater than or equal to 1",
            lambda c: c["sla"].update(untouched_aging_days=0),
        ),
        (
            "sla.mql_to_sql_target_rate",
            "less than or equal to 1",
            lambda c: c["sla"].update(mql_to_sql_target_rate=30),
        ),
        (
            "influence.lookback_days",
            "less than or equal to 3650",
            lambda c: c["influence"].update(lookback_days=100000),
        ),
        (
            "conversion_windows_days.opportunity_to_customer",
            "less than or equal to 3650",
            lambda c: c["conversion_windows_days"].update(opportunity_to_customer=5000),
        ),
        (
            "targets.sales.sqls.default",
            "finite number",
            lambda c: c["targets"]["sales"]["sqls"].update(default=math.inf),
        ),
        (
            "targets.sales.sqls",
            "finite number >= 0",
            lambda c: c["targets"]["sales"]["sqls"].update({"2026-03": math.nan}),
        ),
        (
            "lead_grade.fit.target_industry_points",
            "less than or equal to 100",
            lambda c: c["lead_grade"]["fit"].update(target_industry_points=250),
        ),
    ],
)
def test_value_out_of_its_sensible_range_is_refused_naming_key_and_bound(tmp_path, key_path, bound, change):
    # GIVEN a number outside the range that makes sense for its rule WHEN loaded THEN key and bound are named
    message = _error(_write_variant(tmp_path, change))
    assert f"{key_path}:" in message
    assert bound in message


def test_aging_before_the_sla_runs_out_is_refused(tmp_path):
    # GIVEN a 72-hour SLA and leads "aging" after 1 day
    path = _write_variant(tmp_path, lambda c: c["sla"].update(first_touch_hours=72, untouched_aging_days=1))
    # WHEN loaded THEN the contradiction is named
    assert "sla: untouched_aging_days (1 days) is shorter than first_touch_hours (72 hours)" in _error(path)


def test_engagement_cap_below_its_points_is_refused(tmp_path):
    # GIVEN form submissions worth 15 points capped at 10
    path = _write_variant(tmp_path, lambda c: c["lead_grade"]["engagement"].update(form_submission_cap=10))
    # WHEN loaded THEN the error names the cap and the points
    assert "lead_grade.engagement: form_submission_cap (10) is below form_submission_points (15)" in _error(
        path
    )


# --- contradictions ---------------------------------------------------------------------------------------


def _fit_that_reaches_at_most_50(content: dict) -> None:
    # seniority at most 40, company size at most 10, no target industries: fit never passes 50
    fit = content["lead_grade"]["fit"]
    fit.update(target_industries=[], target_industry_points=0)
    for band in fit["company_size"]:
        band["points"] = min(band["points"], 10)


@pytest.mark.parametrize(
    ("expected", "change"),
    [
        (
            "lifecycle stage(s) ['subscriber'] are both in funnel stage(s) ['lead'] and in not_in_funnel",
            lambda c: c["stages"][0].update(lifecycle_stages=["lead", "subscriber"]),
        ),
        (
            "lifecycle stage(s) ['other'] are both in funnel stage(s) ['customer'] and in "
            "disqualification.lifecycle_stages",
            lambda c: c["stages"][4]["lifecycle_stages"].append("other"),
        ),
        (
            "stages.4.lifecycle_stages: lifecycle stage(s) ['customer'] are listed twice",
            lambda c: c["stages"][4]["lifecycle_stages"].append("customer"),
        ),
        ("teams: team(s) ['SDR'] are listed twice in sales", lambda c: c["teams"]["sales"].append("SDR")),
        (
            "lead_grade.fit.company_size: min_employees [200] appear in two bands",
            lambda c: c["lead_grade"]["fit"]["company_size"][2].update(min_employees=200),
        ),
        (
            "grade C (min_fit 50, min_engagement 20) can never be given: the earlier grade B asks no more",
            lambda c: c["lead_grade"]["grades"][2].update(min_fit=50, min_engagement=20),
        ),
        (
            "grade A can never be given: it needs min_fit 60 and min_engagement 30, but the scores reach at "
            "most fit 50",
            _fit_that_reaches_at_most_50,
        ),
        (
            "cherry_picking high grade C ranks below low grade B",
            lambda c: c["lead_grade"]["cherry_picking"].update(high_grades=["A", "C"], low_grades=["B", "D"]),
        ),
        (
            "audiences.excluded_lifecycle_stages names ['custmer']",
            lambda c: c["audiences"].update(excluded_lifecycle_stages=["custmer", "evangelist"]),
        ),
    ],
)
def test_rules_that_contradict_each_other_are_refused(tmp_path, expected, change):
    # GIVEN a definitions file whose rules contradict each other WHEN loaded THEN the contradiction is named
    message = _error(_write_variant(tmp_path, change))
    assert expected in message
    assert "definitions.yml" in message


def test_targets_only_name_teams_and_metrics_that_exist(tmp_path):
    # GIVEN a target for a metric and one for a team the warehouse does not compute
    unknown_metric = _write_variant(
        tmp_path, lambda c: c["targets"]["sales"].update(customers={"default": 5})
    )
    assert "targets.sales.customers" in _error(unknown_metric)
    unknown_team = _write_variant(tmp_path, lambda c: c["targets"].update(finance={"mqls": {"default": 5}}))
    # WHEN loaded THEN each is refused naming the key
    assert "targets.finance" in _error(unknown_team)


# --- what stays valid -------------------------------------------------------------------------------------


def test_committed_file_stays_valid_with_the_same_version():
    # GIVEN the committed definitions WHEN loaded THEN they validate and the version has not moved
    assert load_definitions(DEFAULT_DEFINITIONS_FILE).version == COMMITTED_VERSION


def test_integers_written_for_decimal_rules_and_decimals_for_hours_are_still_numbers(tmp_path):
    # GIVEN a half-day SLA written as 12.5 hours and an integer rate of 1
    path = _write_variant(
        tmp_path, lambda c: c["sla"].update(first_touch_hours=12.5, mql_to_sql_target_rate=1)
    )
    # WHEN loaded THEN both are accepted as the numbers they are
    sla = load_definitions(path).sla
    assert (sla.first_touch_hours, sla.mql_to_sql_target_rate) == (12.5, 1.0)


def test_custom_stages_definitions_stay_valid():
    # GIVEN the definitions for the custom-stages portal profile (numeric custom lifecycle values)
    # WHEN loaded under the strict rules THEN they validate
    definitions = load_definitions(DEFAULT_DEFINITIONS_FILE.with_name("definitions.custom-stages.yml"))
    assert len(definitions.stages) >= 2
