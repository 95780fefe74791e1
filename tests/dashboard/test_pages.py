"""Every page of the dashboard, run with Streamlit's AppTest on the snapshot of a real tiny pipeline run:
it renders without exceptions, the numbers it shows are the snapshot's, and each filter changes what it
should.
"""

from __future__ import annotations

import os
import shutil

import dashboard_truth as truth
import duckdb
import pytest
from dashboard_apptest import PAGES, chart_frames, metrics, open_page, point_at, texts
from dashboards.lib.glossary import TERMS

from onefunnel import formatting

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_data_as_of_and_no_errors(real_app, published, page):
    # GIVEN the snapshot of a real tiny pipeline run
    # WHEN a page is opened
    app = real_app(page)
    # THEN it ran without exceptions, says how fresh the data is, and shows no error
    assert not app.exception, [exception.value for exception in app.exception]
    assert not app.error, [error.value for error in app.error]
    assert app.title, "every page has a title"
    assert "Data as of" in texts(app)


def test_funnel_tiles_are_the_snapshots_numbers_for_the_latest_full_month(real_app, published):
    # GIVEN the snapshot and its latest full month
    path = published.serving
    month = truth.default_month(path)
    # WHEN the funnel page opens with no filters
    app = real_app("funnel")
    shown = metrics(app)
    # THEN every tile is the mart's number for that month
    assert any(formatting.month_label(month) in subheader.value for subheader in app.subheader)
    assert shown["Leads"] == formatting.count(truth.entered(path, "lead", month))
    assert shown["MQLs"] == formatting.count(truth.entered(path, "mql", month))
    assert shown["SQLs"] == formatting.count(truth.entered(path, "sql", month))
    assert shown["Opportunities"] == formatting.count(truth.deals(path, "deals_created", month))
    assert shown["Won deals"] == formatting.count(truth.deals(path, "deals_won", month))
    assert shown["Won revenue"] == formatting.money(truth.deals(path, "revenue_won", month), compact=True)
    # AND the targets of the month are shown beside MQLs and SQLs
    target = truth.value(
        path,
        "select target_value from marts.target_attainment_monthly where month_start = ? "
        "and team = 'marketing' and metric = 'mqls'",
        [month],
    )
    assert f"Target {formatting.count(target)}" in texts(app)


def test_month_filter_moves_the_tiles_to_the_chosen_month(real_app, published):
    # GIVEN a month other than the default, with a different number of leads
    path = published.serving
    default = truth.default_month(path)
    other = next(
        month
        for month in truth.months(path)[2:]
        if truth.entered(path, "lead", month) != truth.entered(path, "lead", default)
    )
    # WHEN the link carries that month
    app = real_app("funnel", month=formatting.month_label(other))
    # THEN the tiles are that month's
    assert metrics(app)["Leads"] == formatting.count(truth.entered(path, "lead", other))
    assert metrics(app)["Opportunities"] == formatting.count(truth.deals(path, "deals_created", other))
    assert any(subheader.value == formatting.month_label(other) for subheader in app.subheader)


def test_range_filter_sets_how_many_months_the_trends_show(real_app, published):
    # GIVEN the default 12-month range and a 6-month link
    default = real_app("funnel")
    short = real_app("funnel", range="6 months")
    # WHEN the stage trend is read (the first chart whose data has a contacts column)

    def trend_months(app) -> int:
        frame = next(frame for frame in chart_frames(app) if "contacts" in frame.columns)
        return frame["month_start"].nunique()

    # THEN it spans the chosen number of months (as far as the data goes back)
    available = len(truth.months(published.serving))
    assert trend_months(default) == min(12, available)
    assert trend_months(short) == 6
    assert any("Trends — 6 months" in subheader.value for subheader in short.subheader)


def test_team_filter_counts_only_that_teams_leads_and_hides_targets(real_app, published):
    # GIVEN the leads sourced by marketing in the latest month that also has leads from other sources (the
    # tiny portal's default month may hold marketing's leads only)
    path = published.serving
    month, expected, total = truth.rows(
        path,
        "select s.entered_month, count(*) filter (where l.source_team = 'marketing'), count(*) "
        "from marts.fct_contact_stages s join marts.fct_leads l using (contact_id) "
        "where s.stage_key = 'lead' group by 1 "
        "having count(*) filter (where l.source_team = 'marketing') < count(*) order by 1 desc limit 1",
    )[0]
    # WHEN the team filter is set to marketing
    app = real_app("funnel", team="Marketing-sourced", month=formatting.month_label(month))
    # THEN the leads tile counts only those, the page says it is filtered, and team targets are not shown
    assert metrics(app)["Leads"] == formatting.count(expected)
    assert expected < total, (
        "the tiny portal has sales-sourced leads too, so the filter must change the count"
    )
    assert "Filtered to **Marketing-sourced**" in texts(app)
    assert "Target " not in "\n".join(caption.value for caption in app.caption)


def test_source_filter_counts_only_that_sources_leads(real_app, published):
    path = published.serving
    month = truth.default_month(path)
    # GIVEN the most common original source of the month's leads
    source, expected = truth.rows(
        path,
        "select l.original_source, count(*) from marts.fct_contact_stages s join marts.fct_leads l using "
        "(contact_id) where s.stage_key = 'lead' and s.entered_month = ? group by 1 order by 2 desc, 1 "
        "limit 1",
        [month],
    )[0]
    # WHEN the link filters on it
    app = real_app("funnel", source=source.replace("_", " ").capitalize())
    # THEN the leads tile is that source's count
    assert metrics(app)["Leads"] == formatting.count(expected)


def test_pipeline_filter_changes_deal_tiles_only(real_app, published):
    path = published.serving
    month = truth.default_month(path)
    # GIVEN the deal pipeline with the most deals
    pipeline_id, label = truth.rows(
        path,
        "select pipeline_id, any_value(pipeline_label) from marts.fct_deals group by 1 order by count(*) "
        "desc "
        "limit 1",
    )[0]
    created = truth.value(
        path,
        "select count(*) from marts.fct_deals where created_month = ? and pipeline_id = ?",
        [month, pipeline_id],
    )
    # WHEN the link filters on it
    app = real_app("funnel", pipeline=label)
    shown = metrics(app)
    # THEN opportunities are that pipeline's, and the contact tiles are unchanged
    assert shown["Opportunities"] == formatting.count(created)
    assert shown["Leads"] == formatting.count(truth.entered(path, "lead", month))


def test_sla_page_shows_both_sides_from_the_snapshot(real_app, published):
    path = published.serving
    month = truth.default_month(path)
    marketing = truth.rows(
        path,
        "select mqls_delivered, mql_to_sql_rate from marts.sla_marketing_monthly where month_start = ?",
        [month],
    )[0]
    sales = truth.rows(
        path,
        "select pct_within_sla, mqls_untouched, mqls_unassigned, median_speed_to_lead_hours "
        "from marts.sla_sales_monthly where month_start = ?",
        [month],
    )[0]
    waiting = truth.value(
        path,
        "select count(*) from marts.fct_leads where mql_at is not null and sla_status in "
        "('untouched', 'unassigned')",
    )
    # WHEN the SLA page opens
    app = real_app("sla")
    shown = metrics(app)
    # THEN marketing's and sales' numbers are the marts', and the aging list says how many MQLs wait
    assert shown["MQLs"] == formatting.count(marketing[0])
    assert shown["MQL → SQL"] == formatting.percent(marketing[1])
    assert shown["Within SLA"] == formatting.percent(sales[0])
    assert shown["Untouched"] == formatting.count(sales[1])
    assert shown["No owner"] == formatting.count(sales[2])
    assert shown["Median speed"] == formatting.hours(sales[3])
    assert f"{formatting.count(waiting)} MQL" in texts(app)
    aging = next(frame.value for frame in app.dataframe if "Days waiting" in frame.value.columns)
    assert list(aging["Days waiting"]) == sorted(aging["Days waiting"], reverse=True), "oldest first"


def test_owner_filter_narrows_sla_and_reps_to_that_owner(real_app, published):
    path = published.serving
    month = truth.default_month(path)
    # GIVEN the rep with the most MQLs due in the month
    owner_id, name, within, due = truth.rows(
        path,
        "select l.sla_owner_id, o.owner_name, count(*) filter (where sla_status = 'within_sla'), "
        "count(*) filter (where sla_status <> 'unassigned' and not is_sla_pending) "
        "from marts.fct_leads l join marts.dim_owners o on o.owner_id = l.sla_owner_id "
        "where l.mql_month = ? group by all order by 4 desc, 1 limit 1",
        [month],
    )[0]
    # WHEN the owner filter is set
    sla = real_app("sla", owner=name)
    reps = real_app("reps", owner=name)
    # THEN the SLA share is that owner's and the reps table lists only them
    assert metrics(sla)["Within SLA"] == formatting.percent(within / due)
    table = reps.dataframe[0].value
    assert list(table["Rep"]) == [name]
    assert owner_id


def test_reps_table_is_the_rep_follow_up_mart(real_app, published):
    path = published.serving
    month = truth.default_month(path)
    expected = {
        name: (assigned, share)
        for name, assigned, share in truth.rows(
            path,
            "select owner_name, mqls_assigned, pct_within_sla from marts.rep_follow_up_monthly "
            "where month_start = ? and mqls_assigned > 0",
            [month],
        )
    }
    # WHEN the reps page opens
    app = real_app("reps")
    table = app.dataframe[0].value
    # THEN it has one row per rep with MQLs, with the mart's numbers
    assert set(table["Rep"]) == set(expected)
    for row in table.itertuples():
        assigned, share = expected[row.Rep]
        assert row._3 == assigned  # "MQLs assigned"
        if share is None:
            assert row._4 != row._4  # NaN
        else:
            assert row._4 == pytest.approx(share * 100)


def test_sources_tiles_are_the_credit_marts_sums(real_app, published):
    path = published.serving
    month = truth.default_month(path)

    def credit(column: str, team: str) -> float:
        return float(
            truth.value(
                path,
                f"select coalesce(sum({column}), 0) from marts.credit_monthly where "
                "attribution = 'first_touch' and team = ? and month_start = ?",
                [team, month],
            )
        )

    app = real_app("sources")
    shown = metrics(app)
    assert shown["Marketing pipeline"] == formatting.money(
        credit("sourced_pipeline", "marketing"), compact=True
    )
    assert shown["Sales pipeline"] == formatting.money(credit("sourced_pipeline", "sales"), compact=True)
    assert shown["Marketing revenue"] == formatting.money(
        credit("sourced_revenue", "marketing"), compact=True
    )
    # AND the lead-quality table is the mart's leads per source over the 12-month range
    quality = next(frame.value for frame in app.dataframe if "leads" in frame.value.columns)
    total = truth.value(
        path,
        "select sum(leads) from marts.lead_quality_monthly where segment_type = 'source' "
        "and month_start between ? and ?",
        [_months_back(month, 11), month],
    )
    assert int(quality["leads"].sum()) == int(total)


def _months_back(month, count):
    index = month.year * 12 + month.month - 1 - count
    return month.replace(year=index // 12, month=index % 12 + 1)


def test_accountability_page_shows_the_frozen_months_or_says_none_are(real_app, published):
    app = real_app("accountability")
    frozen = truth.value(
        published.serving, "select count(distinct month_start) from marts.monthly_accountability"
    )
    if frozen:
        # THEN the latest frozen month's reported MQLs are shown
        month, reported = truth.rows(
            published.serving,
            "select month_start, reported_value from marts.monthly_accountability where "
            "metric_key = 'stage_entered__mql' order by month_start desc limit 1",
        )[0]
        assert metrics(app)["MQLs"] == formatting.count(reported)
        assert formatting.month_label(month) in texts(app)
    else:
        assert "No month has been frozen yet" in texts(app)


def test_definitions_page_names_the_version_and_explains_every_metric(real_app, published):
    version = truth.value(published.serving, "select definitions_version from serving_meta.run")
    app = real_app("definitions")
    shown = texts(app)
    assert version in shown
    for term in TERMS:
        assert f"**{term.name}**" in shown
        assert term.model in shown


def test_data_health_shows_the_runs_quality(real_app, published):
    total, failed, status = truth.rows(
        published.serving, "select checks_total, checks_failed, quality_status from serving_meta.run"
    )[0]
    app = real_app("data_health")
    assert metrics(app)["Checks passed"] == f"{total - failed} of {total}"
    assert status in ("passed", "warning")
    assert "data_docs" in texts(app) or "Data Docs" in texts(app)


def test_aging_list_links_to_hubspot_records_when_the_portal_id_is_known(real_app, published, monkeypatch):
    # GIVEN a HubSpot portal id
    monkeypatch.setenv("ONEFUNNEL_HUBSPOT_PORTAL_ID", "12345678")
    # WHEN the SLA page lists the waiting MQLs
    app = real_app("sla")
    aging = next(frame.value for frame in app.dataframe if "Days waiting" in frame.value.columns)
    # THEN each contact links to its HubSpot record
    assert len(aging) > 0
    assert all(
        link.startswith("https://app.hubspot.com/contacts/12345678/record/0-1/") for link in aging["Contact"]
    )


def test_a_new_publish_shows_at_once(monkeypatch, published_copy):
    # GIVEN the dashboard showing a snapshot
    point_at(monkeypatch, published_copy.serving, published_copy.quality)
    app = open_page("funnel")
    before = metrics(app)["Leads"]
    # WHEN a publish replaces the file with one holding other numbers (a new run)
    replacement = published_copy.serving.with_name("next.duckdb")
    shutil.copy2(published_copy.serving, replacement)
    with duckdb.connect(str(replacement)) as con:
        con.execute("update marts.funnel_period_monthly set contacts_entered = contacts_entered + 1000")
        con.execute("update serving_meta.run set run_id = 'next-run', published_at = now()")
    os.replace(replacement, published_copy.serving)
    app.run()
    # THEN the next rerun shows the new numbers (the cache is per snapshot version, not per time)
    after = metrics(app)["Leads"]
    assert after != before
    assert after == formatting.count(int(before.replace(",", "")) + 1000)
    assert "next-run" in texts(app)


AUTH_SECRETS = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-just-for-the-test",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


def _app_with_login(user: dict):
    from dashboard_apptest import APP, FIRST_RUN_TIMEOUT_S
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
    app.secrets["auth"] = dict(AUTH_SECRETS)
    app.user = user
    return app.run()


def test_demo_mode_when_no_sign_in_is_configured(real_app, published):
    # GIVEN no [auth] secrets
    app = real_app("funnel")
    # THEN the numbers show and the sidebar says anyone can read them
    assert metrics(app)
    assert any("Demo mode" in caption.value for caption in app.sidebar.caption)


def test_sign_in_is_required_when_configured(real_app, published, monkeypatch):
    from dashboards.lib import auth

    monkeypatch.setattr(
        auth, "authlib_installed", lambda: True
    )  # st.login's own dependency, not ours to test
    # GIVEN [auth] configured and a signed-out user: THEN no number is shown, only a sign-in button
    signed_out = _app_with_login({"is_logged_in": False})
    assert not signed_out.exception
    assert not signed_out.metric
    assert any(button.label == "Sign in" for button in signed_out.button)
    # WHEN the user is signed in: THEN the numbers show and the sidebar says who it is
    signed_in = _app_with_login({"is_logged_in": True, "name": "Pat Example", "email": "pat@example.com"})
    assert metrics(signed_in)
    assert any("Signed in as Pat Example" in caption.value for caption in signed_in.sidebar.caption)


def test_configured_sign_in_without_authlib_keeps_the_dashboard_closed(real_app, published, monkeypatch):
    from dashboards.lib import auth

    monkeypatch.setattr(auth, "authlib_installed", lambda: False)
    app = _app_with_login({"is_logged_in": False})
    assert not app.metric
    assert any("Authlib is not installed" in error.value for error in app.error)
