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
    assert definitions.targets["marketing"]["mqls"].for_month("2026-03") == 320
