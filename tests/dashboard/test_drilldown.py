"""Every number a page shows is its governed model's, for every filter of a test matrix, and the records
behind each headline number (its drill-down) are as many as the tile says, with a CSV download and HubSpot
links for the portal's data centre."""

from __future__ import annotations

import csv
import io
from datetime import date

import dashboard_truth as truth
import duckdb
import pytest
from dashboard_apptest import metrics, open_page, point_at, texts

from onefunnel import formatting

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FUNNEL_DRILLS = ("Leads", "MQLs", "SQLs", "Opportunities", "Won deals", "Won revenue")
SLA_DRILLS = ("MQLs", "Within SLA", "Untouched", "No owner")
FILTERS = ("none", "team marketing", "team sales", "owner", "source", "pipeline")
TEAM_LABELS = {"marketing": "Marketing-sourced", "sales": "Sales-sourced"}


def _filter(path, kind: str) -> tuple[dict[str, str], dict[str, str | None]]:
    """(URL query parameters, slice members as the slice marts spell them) of one filter of the matrix."""
    members: dict[str, str | None] = {"team": None, "owner": None, "source": None, "pipeline": None}
    if kind == "none":
        return {}, members
    if kind.startswith("team"):
        team = kind.split()[1]
        return {"team": TEAM_LABELS[team]}, members | {"team": team}
    if kind == "owner":  # the SLA owner with the most MQLs
        owner_id, name = truth.rows(
            path,
            "select l.sla_owner_id, o.owner_name from marts.fct_leads l join marts.dim_owners o "
            "on l.sla_owner_id = o.owner_id group by all order by count(*) desc, 1 limit 1",
        )[0]
        return {"owner": name}, members | {"owner": str(owner_id)}
    if kind == "source":
        source = truth.value(
            path,
            "select original_source from marts.fct_leads where original_source is not null group by 1 "
            "order by count(*) desc, 1 limit 1",
        )
        return {"source": source.replace("_", " ").capitalize()}, members | {"source": source}
    pipeline_id, label = truth.rows(
        path,
        "select pipeline_id, any_value(pipeline_label) from marts.fct_deals group by 1 "
        "order by count(*) desc limit 1",
    )[0]
    return {"pipeline": label}, members | {"pipeline": str(pipeline_id)}


def _member(value: str | None) -> str:
    return "(all)" if value is None else value


def _period(path, month: date, stage: str, members: dict) -> int:
    return int(
        truth.value(
            path,
            "select contacts_entered from marts.funnel_period_slices where month_start = ? and stage_key = ? "
            "and source_team = ? and owner_id = ? and original_source = ?",
            [month, stage, _member(members["team"]), _member(members["owner"]), _member(members["source"])],
        )
        or 0
    )


def _deals(path, month: date, column: str, members: dict) -> float:
    assert column in {"deals_created", "deals_won", "revenue_won"}
    # A pipeline filter narrows the deals only; a team / owner / source filter the contacts and the deals.
    return float(
        truth.value(
            path,
            f"select {column} from marts.deals_slices where month_start = ? and source_team = ? "
            "and owner_id = ? and original_source = ? and pipeline_id = ?",
            [month, *(_member(members[key]) for key in ("team", "owner", "source", "pipeline"))],
        )
        or 0
    )


def _sla(path, month: date, column: str, members: dict) -> int:
    assert column in {"mqls_within_sla", "mqls_untouched", "mqls_unassigned", "mqls_sla_due"}
    return int(
        truth.value(
            path,
            f"select {column} from marts.sla_sales_slices where month_start = ? and source_team = ? "
            "and owner_id = ? and original_source = ?",
            [month, _member(members["team"]), _member(members["owner"]), _member(members["source"])],
        )
        or 0
    )


def _open_drill(app, label: str):
    app.button(key=f"drill-{label}").click().run()
    assert not app.exception, [exception.value for exception in app.exception]
    tables = [frame.value for frame in app.dataframe if "Counted because" in frame.value.columns]
    return tables[0] if tables else None


def _count(shown: str) -> int:
    return int(shown.replace(",", ""))


@pytest.mark.parametrize("kind", FILTERS)
def test_funnel_tiles_equal_the_governed_model_and_each_drill_down_lists_that_many_records(
    real_app, published, kind
):
    # GIVEN the snapshot, its latest full month and one filter of the matrix
    path = published.serving
    month = truth.default_month(path)
    query, members = _filter(path, kind)
    contacts = {**members, "pipeline": None}  # the pipeline filter leaves contact tiles unchanged
    # WHEN the funnel page opens with that filter
    app = real_app("funnel", **query)
    assert not app.exception, [exception.value for exception in app.exception]
    shown = metrics(app)
    # THEN every tile is the governed slice model's number (the '(all)' row when unfiltered = the mart)
    expected = {
        "Leads": _period(path, month, "lead", contacts),
        "MQLs": _period(path, month, "mql", contacts),
        "SQLs": _period(path, month, "sql", contacts),
        "Opportunities": _deals(path, month, "deals_created", members),
        "Won deals": _deals(path, month, "deals_won", members),
    }
    for label, number in expected.items():
        assert shown[label] == formatting.count(number), label
    revenue = _deals(path, month, "revenue_won", members)
    assert shown["Won revenue"] == formatting.money(revenue, compact=True)
    # AND each tile's drill-down lists exactly as many records as it says (revenue: its won deals' amounts)
    for label in FUNNEL_DRILLS:
        table = _open_drill(app, label)
        rows = 0 if table is None else len(table)
        if label == "Won revenue":
            assert rows == expected["Won deals"]
            amount = 0.0 if table is None else float(table["Amount"].fillna(0).sum())
            assert amount == pytest.approx(revenue)
        else:
            assert rows == expected[label], label
        if table is not None:
            assert table["HubSpot id"].is_unique
            assert table["Counted because"].str.len().gt(0).all()


@pytest.mark.parametrize("kind", ["none", "team marketing", "owner", "source"])
def test_sla_buckets_equal_the_governed_model_and_drill_down_to_their_mqls(real_app, published, kind):
    # GIVEN one filter of the matrix (marketing's side is the whole funnel's, whatever the filter)
    path = published.serving
    month = truth.default_month(path)
    query, members = _filter(path, kind)
    app = real_app("sla", **query)
    assert not app.exception, [exception.value for exception in app.exception]
    shown = metrics(app)
    within, due = _sla(path, month, "mqls_within_sla", members), _sla(path, month, "mqls_sla_due", members)
    expected = {
        "MQLs": _period(path, month, "mql", {key: None for key in members}),
        "Within SLA": within,
        "Untouched": _sla(path, month, "mqls_untouched", members),
        "No owner": _sla(path, month, "mqls_unassigned", members),
    }
    # THEN the tiles are the model's numbers
    assert shown["MQLs"] == formatting.count(expected["MQLs"])
    assert shown["Untouched"] == formatting.count(expected["Untouched"])
    assert shown["No owner"] == formatting.count(expected["No owner"])
    assert shown["Within SLA"] == formatting.percent(within / due if due else None)
    assert f"{formatting.count(within)} of {formatting.count(due)} due" in texts(app)
    # AND each drill-down lists that many MQLs
    for label in SLA_DRILLS:
        table = _open_drill(app, label)
        assert (0 if table is None else len(table)) == expected[label], label


def test_drill_down_downloads_its_records_and_links_to_the_portals_data_centre(
    real_app, published, monkeypatch, downloads
):
    # GIVEN a portal in HubSpot's EU data centre (configuration, as the account-info API would say)
    monkeypatch.setenv("ONEFUNNEL_HUBSPOT_PORTAL_ID", "24681357")
    monkeypatch.setenv("ONEFUNNEL_HUBSPOT_UI_DOMAIN", "app-eu1.hubspot.com")
    app = real_app("funnel")
    # WHEN the MQLs tile's records are opened
    table = _open_drill(app, "MQLs")
    assert table is not None
    assert len(table) > 0
    # THEN every record links to its contact on app-eu1
    assert all(
        link == f"https://app-eu1.hubspot.com/contacts/24681357/record/0-1/{record}"
        for link, record in zip(table["HubSpot link"], table["HubSpot id"], strict=True)
    )
    # AND the CSV is built only when downloaded, and holds the same records
    assert downloads.deferred(app) == ["Download MQLs records (CSV)"]
    content = downloads.of(app)["Download MQLs records (CSV)"].decode("utf-8")
    records = list(csv.DictReader(io.StringIO(content)))
    assert [row["HubSpot id"] for row in records] == list(table["HubSpot id"])
    assert records[0]["HubSpot link"].startswith("https://app-eu1.hubspot.com/")
    # AND deals link to deal records
    deals = _open_drill(app, "Won deals")
    if deals is not None:
        assert deals["HubSpot link"].str.contains("/record/0-3/").all()


def test_without_configuration_the_links_come_from_the_snapshots_portal_row(real_app, published):
    # GIVEN the snapshot of the tiny portal (hosted in na1) and no link configuration
    portal_id, ui_domain = truth.rows(published.serving, "select portal_id, ui_domain from marts.dim_portal")[
        0
    ]
    assert ui_domain == "app.hubspot.com"
    # WHEN a tile's records are opened
    table = _open_drill(real_app("funnel"), "Leads")
    assert table is not None
    # THEN each links to its record in that portal on that domain
    assert list(table["HubSpot link"]) == [
        f"https://app.hubspot.com/contacts/{portal_id}/record/0-1/{record}" for record in table["HubSpot id"]
    ]


def test_without_portal_row_or_configuration_the_records_say_how_to_get_links(monkeypatch, published_copy):
    # GIVEN a snapshot without a portal row (the token could not read the account details), no configuration
    with duckdb.connect(str(published_copy.serving)) as con:
        con.execute("drop table marts.dim_portal")
    point_at(monkeypatch, published_copy.serving, published_copy.quality)
    # WHEN a tile's records are opened
    app = open_page("funnel")
    table = _open_drill(app, "Leads")
    # THEN no record has a link, and a note says what to set
    assert table is not None
    assert table["HubSpot link"].isna().all()
    shown = texts(app)
    assert "No HubSpot links" in shown
    assert "ONEFUNNEL_HUBSPOT_PORTAL_ID" in shown


def test_the_drill_down_section_is_closed_until_a_tile_asks_and_closes_again(real_app, published):
    app = real_app("funnel")
    assert not any("Counted because" in frame.value.columns for frame in app.dataframe)
    assert _open_drill(app, "SQLs") is not None
    app.button(key="drill-close").click().run()
    assert not any("Counted because" in frame.value.columns for frame in app.dataframe)


@pytest.mark.parametrize("kind", ["none", "team sales", "owner", "pipeline"])
def test_sourced_pipeline_tiles_equal_the_credit_model_and_drill_down_to_their_deals(
    real_app, published, kind
):
    # GIVEN one filter of the matrix (the sources page's owner / pipeline filters select credit_slices rows)
    path = published.serving
    month = truth.default_month(path)
    query, members = _filter(path, kind)
    app = real_app("sources", **query)
    assert not app.exception, [exception.value for exception in app.exception]
    shown = metrics(app)
    for team, label in (("marketing", "Marketing pipeline"), ("sales", "Sales pipeline")):
        # THEN the tile is the model's first-touch sourced pipeline of the team (0 if another team is chosen)
        expected = float(
            truth.value(
                path,
                "select coalesce(sum(sourced_pipeline), 0) from marts.credit_slices where month_start = ? "
                "and attribution = 'first_touch' and team = ? and owner_id = ? and pipeline_id = ?",
                [month, team, _member(members["owner"]), _member(members["pipeline"])],
            )
        )
        if members["team"] not in (None, team):
            expected = 0.0
        assert shown[label] == formatting.money(expected, compact=True), label
        # AND its drill-down lists the deals whose amounts make it up
        table = _open_drill(app, label)
        amount = 0.0 if table is None else float(table["Amount"].fillna(0).sum())
        assert amount == pytest.approx(expected), label


def test_accountability_tiles_drill_down_to_the_records_counted_today(real_app, published):
    # GIVEN the latest frozen month (the page's default) and the governed per-metric record counts
    path = published.serving
    month = truth.value(path, "select max(month_start) from marts.monthly_accountability")
    if month is None:
        pytest.skip("the build froze no month (see the published fixture's warning)")
    app = real_app("accountability")
    assert not app.exception, [exception.value for exception in app.exception]
    metric_of = {
        "MQLs": "stage_entered__mql",
        "SQLs": "stage_entered__sql",
        "Marketing pipeline": "sourced_pipeline__marketing",
        "Won revenue": "revenue_won",
        "Within SLA": "mqls_within_sla",
    }
    buttons = [
        button.key.removeprefix("drill-") for button in app.button if (button.key or "").startswith("drill-")
    ]
    assert buttons, "the accountability tiles have Records buttons"
    for label in buttons:
        # WHEN a tile's records are opened  THEN they are as many as the governed model counts today
        expected = truth.value(
            path,
            "select current_record_count from marts.monthly_accountability "
            "where month_start = ? and metric_key = ?",
            [month, metric_of[label]],
        )
        table = _open_drill(app, label)
        assert (0 if table is None else len(table)) == int(expected or 0), label


@pytest.mark.parametrize("kind", ["none", "team marketing", "owner", "source"])
def test_grade_table_is_the_lead_grade_model_summed_over_the_range(real_app, published, kind):
    # GIVEN one filter of the matrix and the default range (the page's trend months)
    path = published.serving
    query, members = _filter(path, kind)
    app = real_app("sources", **query)
    assert not app.exception, [exception.value for exception in app.exception]
    table = next(frame.value for frame in app.dataframe if "lead_grade" in frame.value.columns)
    months = truth.months(path)
    month = truth.default_month(path)
    start = months[min(months.index(month) + 11, len(months) - 1)]  # the default range: 12 months
    # THEN the leads per grade are lead_grade_slices' rows of the slice, summed over the range's months
    expected = dict(
        truth.rows(
            path,
            "select lead_grade, sum(leads) from marts.lead_grade_slices where month_start between ? and ? "
            "and source_team = ? and owner_id = ? and original_source = ? group by 1",
            [start, month, _member(members["team"]), _member(members["owner"]), _member(members["source"])],
        )
    )
    shown = dict(zip(table["lead_grade"], table["leads"].astype(int), strict=True))
    assert shown == {grade: int(leads) for grade, leads in expected.items()}
