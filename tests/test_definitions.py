"""The shared definitions file: the committed one is valid, bad ones name the key, versions are stable."""

from pathlib import Path

import pytest
import yaml

from onefunnel.definitions import DEFAULT_DEFINITIONS_FILE, DefinitionsError, load_definitions

pytestmark = pytest.mark.unit


def _write_variant(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(DEFAULT_DEFINITIONS_FILE.read_text())
    change(content)
    path = tmp_path / "definitions.yml"
    path.write_text(yaml.safe_dump(content))
    return path


def test_committed_definitions_are_valid():
    # GIVEN the repo's definitions file WHEN loaded THEN it validates and carries the metrics.md defaults
    definitions = load_definitions(DEFAULT_DEFINITIONS_FILE)
    assert [stage.key for stage in definitions.stages] == ["lead", "mql", "sql", "opportunity", "customer"]
    assert definitions.sla.first_touch_hours == 24
    assert definitions.sla.mql_to_sql_window_days == 90
    assert len(definitions.version) == 12


def test_comments_do_not_change_the_version_but_rules_do(tmp_path):
    # GIVEN the committed file, a copy with an extra comment, and a copy with a different SLA
    original = load_definitions(DEFAULT_DEFINITIONS_FILE)
    commented = tmp_path / "commented.yml"
    commented.write_text("# reviewed by both VPs\n" + DEFAULT_DEFINITIONS_FILE.read_text())
    changed = _write_variant(tmp_path, lambda content: content["sla"].update(first_touch_hours=12))
    # WHEN versions are compared THEN only the rule change moves the version
    assert load_definitions(commented).version == original.version
    assert load_definitions(changed).version != original.version


@pytest.mark.parametrize(
    ("change", "named_key"),
    [
        (lambda c: c["sla"].update(first_touch_hours="a day"), "sla.first_touch_hours"),
        (lambda c: c["sla"].update(first_touch_hourz=24), "sla.first_touch_hourz"),
        (lambda c: c.update(time_zone="Mars/Olympus"), "time_zone"),
        (lambda c: c["source_team"].update(OFFLINE="finance"), "source_team.OFFLINE"),
        (lambda c: c["targets"]["marketing"]["mqls"].update({"2026-13": 5}), "targets.marketing.mqls"),
        (lambda c: c["stages"][1].update(lifecycle_stages=["lead"]), "mapped to both"),
        (lambda c: c["teams"].update(marketing=["SDR"]), "both sales and marketing"),
        (lambda c: c.pop("month_close_day"), "month_close_day"),
    ],
)
def test_bad_definitions_fail_naming_the_key(tmp_path, change, named_key):
    # GIVEN a definitions file with one bad entry WHEN loaded THEN the error names that entry
    path = _write_variant(tmp_path, change)
    with pytest.raises(DefinitionsError) as raised:
        load_definitions(path)
    assert named_key in str(raised.value)
    assert "definitions.yml" in str(raised.value)


def test_malformed_yaml_names_the_line(tmp_path):
    # GIVEN a file that is not YAML WHEN loaded THEN the error says so with a position
    path = tmp_path / "definitions.yml"
    path.write_text("sla:\n  first_touch_hours: [24\n")
    with pytest.raises(DefinitionsError, match=r"not valid YAML at line \d+"):
        load_definitions(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DefinitionsError, match="not found"):
        load_definitions(tmp_path / "nope.yml")


def test_targets_fall_back_to_the_default_month():
    definitions = load_definitions(DEFAULT_DEFINITIONS_FILE)
    assert definitions.targets["marketing"]["mqls"].for_month("2026-03") == 800


@pytest.mark.parametrize(
    ("change", "named_key"),
    [
        # keys the warehouse added for rules metrics.md needs (cherry-picking index, aging leads, windows)
        (lambda c: c["sla"].pop("untouched_aging_days"), "sla.untouched_aging_days"),
        (lambda c: c["lead_grade"]["cherry_picking"].update(high_grades=["Z"]), "cherry_picking"),
        (lambda c: c["lead_grade"]["cherry_picking"].update(low_grades=["A"]), "both high and low"),
        (lambda c: c["conversion_windows_days"].pop("mql_to_sql"), "conversion_windows_days"),
        (lambda c: c["conversion_windows_days"].update(lead_to_customer=30), "conversion_windows_days"),
        (lambda c: c["conversion_windows_days"].update(lead_to_mql=0), "conversion_windows_days.lead_to_mql"),
        (lambda c: c["stages"].pop(1), "stages must include"),
        (lambda c: c.update(source_team_from_creator="OFFLINE"), "source_team_from_creator"),
    ],
)
def test_warehouse_rules_fail_naming_the_key(tmp_path, change, named_key):
    # GIVEN a definitions file breaking one of the warehouse's rules WHEN loaded THEN the error names it
    path = _write_variant(tmp_path, change)
    with pytest.raises(DefinitionsError) as raised:
        load_definitions(path)
    assert named_key in str(raised.value)


def test_custom_stages_need_a_window_per_step(tmp_path):
    # GIVEN a portal with an extra "trial" stage between SQL and opportunity and its windows
    def add_trial(content):
        content["stages"].insert(3, {"key": "trial", "label": "Trial", "lifecycle_stages": ["1234567"]})
        windows = content["conversion_windows_days"]
        windows.pop("sql_to_opportunity")
        windows.update(sql_to_trial=30, trial_to_opportunity=30)

    # WHEN loaded THEN it is valid and keeps the windows per step
    definitions = load_definitions(_write_variant(tmp_path, add_trial))
    assert [stage.key for stage in definitions.stages][3] == "trial"
    assert definitions.conversion_windows_days["sql_to_trial"] == 30


def test_committed_audience_rules_carry_the_platforms_documented_minimums():
    # GIVEN the committed file  WHEN loaded  THEN every format is on with the platform's documented minimum
    audiences = load_definitions(DEFAULT_DEFINITIONS_FILE).audiences
    minimums = {name: rule.min_audience_size for name, rule in audiences.formats.items()}
    assert minimums == {"linkedin": 300, "meta": 100, "google": 100, "csv": 1}
    assert audiences.consent.email_opt_out_property == "hs_email_optout"
    assert audiences.consent.legal_basis_property == "hs_legal_basis"
    assert "customer" in audiences.excluded_lifecycle_stages


@pytest.mark.parametrize(
    ("change", "named_key"),
    [
        (
            lambda c: c["audiences"]["formats"].update(tiktok={"min_audience_size": 100}),
            "audiences.formats.tiktok",
        ),
        (
            lambda c: c["audiences"]["formats"]["meta"].update(min_audience_size="a hundred"),
            "audiences.formats.meta.min_audience_size",
        ),
        (lambda c: c["audiences"].update(privacy_floor=0), "audiences.privacy_floor"),
        (lambda c: c["audiences"].update(formats={}), "audiences.formats"),
        # property names become SQL column names: nothing but lowercase letters, digits and underscores
        (
            lambda c: c["audiences"]["consent"].update(
                email_opt_out_property="hs_email_optout; drop table x"
            ),
            "audiences.consent.email_opt_out_property",
        ),
        (
            lambda c: c["audiences"]["consent"].update(lawful_bases=[]),
            "lawful_bases must list at least one value",
        ),
        (
            lambda c: c["audiences"].update(prospecting_lead_statuses=[], include_open_deal_contacts=False),
            "no contact could ever be a working prospect",
        ),
        (lambda c: c["audiences"].update(include_open_deals=True), "audiences.include_open_deals"),
        (lambda c: c.pop("audiences"), "audiences"),
    ],
)
def test_bad_audience_rules_fail_naming_the_key(tmp_path, change, named_key):
    # GIVEN a definitions file with one malformed audience rule WHEN loaded THEN the error names it
    path = _write_variant(tmp_path, change)
    with pytest.raises(DefinitionsError) as raised:
        load_definitions(path)
    assert named_key in str(raised.value)
