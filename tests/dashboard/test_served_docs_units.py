"""The documents the dashboard serves, without a browser: which Data Docs pages are offered and in what order,
the viewer that keeps their links working (and survives a page holding "</script>"), dbt docs' page, and
publishing dbt docs next to the serving snapshot (errors named)."""

from __future__ import annotations

import json
import re

import pytest
from dashboards.lib import served_docs

RUN_OLD, RUN_NEW = "20261101T000000000Z-aaaaaa", "20261201T000000000Z-bbbbbb"


def make_site(folder):
    pages = {
        "index.html": (
            "<html><head><title>i</title></head><body><a href='expectations/a/b.html'>b</a></body></html>"
        ),
        "latest.html": "<html><head></head><body>report</body></html>",
        "expectations/a/b.html": "<html><head></head><body><a href='../../index.html'>Home</a></body></html>",
        f"validations/a/b/{RUN_OLD}/t/x.html": "<html><head></head><body>old</body></html>",
        f"validations/a/b/{RUN_NEW}/t/x.html": (
            "<html><head></head><body><script>var s = '</script>';"
            " $(x).on('click', function () { window.location = $element.data(\"href\"); });"
            "</script></body></html>"
        ),
        "static/styles/x.html": "<html>not a page</html>",
    }
    for path, html in pages.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(html)
    return pages


def test_pages_are_offered_report_first_then_overview_suites_and_newest_runs(tmp_path):
    make_site(tmp_path)
    pages = served_docs.data_docs_pages(tmp_path)
    assert [page.path for page in pages] == [
        "latest.html",
        "index.html",
        "expectations/a/b.html",
        f"validations/a/b/{RUN_NEW}/t/x.html",
        f"validations/a/b/{RUN_OLD}/t/x.html",
    ]
    assert pages[2].label == "Suite a.b"
    assert pages[3].label == f"Validation a.b · run {RUN_NEW}"
    assert served_docs.data_docs_pages(tmp_path / "missing") == []


def embedded_pages(viewer: str) -> dict:
    found = re.search(r'<script type="application/json" id="pages">(.*?)</script>', viewer, flags=re.DOTALL)
    return json.loads(found.group(1))


def test_viewer_carries_every_page_with_its_link_script_and_starts_where_asked(tmp_path):
    originals = make_site(tmp_path)
    pages = served_docs.data_docs_pages(tmp_path)
    viewer = served_docs.data_docs_viewer(tmp_path, pages, "index.html")
    # every page is in the viewer, whole, with the script that turns its links into page changes
    embedded = embedded_pages(viewer)
    assert set(embedded) == {page.path for page in pages}
    index = embedded["index.html"]
    assert "<a href='expectations/a/b.html'>b</a>" in index
    assert 'var current = "index.html";' in index
    assert index.index("<head>") < index.index("onefunnelOpen") < index.index("<title>")
    # a page holding "</script>" cannot end the viewer's data early (it is escaped, JSON reads it back)
    newest = embedded[f"validations/a/b/{RUN_NEW}/t/x.html"]
    assert "var s = '</script>';" in newest
    assert originals[f"validations/a/b/{RUN_NEW}/t/x.html"].count("</script>") + 1 == newest.count(
        "</script>"
    )
    # the table rows' script navigation goes through the viewer too
    assert 'window.onefunnelOpen($element.data("href"))' in newest
    assert "window.location = $element" not in newest
    assert viewer.rstrip().endswith('show("index.html");\n})();</script>\n</body></html>'.rstrip())


def test_viewer_refuses_a_start_page_that_is_not_in_the_site(tmp_path):
    make_site(tmp_path)
    pages = served_docs.data_docs_pages(tmp_path)
    with pytest.raises(ValueError, match=r"\.\./secrets\.toml is not a page of the Data Docs"):
        served_docs.data_docs_viewer(tmp_path, pages, "../secrets.toml")


def test_dbt_docs_page_gets_its_fragment_link_script_first_in_head(tmp_path):
    page = tmp_path / "static_index.html"
    page.write_text('<!doctype html><html><head lang="en"><title>dbt</title></head><body></body></html>')
    served = served_docs.dbt_docs_viewer(page)
    assert served.index('<head lang="en">') < served.index("window.location.hash") < served.index("<title>")


# ----------------------------------------------------------------------------- dbt docs next to the snapshot
def test_publishing_dbt_docs_replaces_the_previous_copy_next_to_the_snapshot(tmp_path):
    from onefunnel.warehouse.docs import publish_dbt_docs, published_dbt_docs_path

    serving = tmp_path / "serving" / "serving.duckdb"
    serving.parent.mkdir()
    first, second = tmp_path / "first.html", tmp_path / "second.html"
    first.write_text("first")
    second.write_text("second")
    assert publish_dbt_docs(first, serving) == serving.parent / "docs" / "dbt_docs.html"
    publish_dbt_docs(second, serving)
    assert published_dbt_docs_path(serving).read_text() == "second"
    assert [path.name for path in (serving.parent / "docs").iterdir()] == [
        "dbt_docs.html"
    ]  # no temp file left


def test_publishing_without_a_generated_page_is_refused_naming_the_file(tmp_path):
    from onefunnel.warehouse.docs import DbtDocsError, publish_dbt_docs

    with pytest.raises(DbtDocsError, match=r"no dbt docs page at .*static_index\.html"):
        publish_dbt_docs(tmp_path / "target" / "static_index.html", tmp_path / "serving.duckdb")


def test_generating_without_a_warehouse_is_refused_naming_it(tmp_path):
    from onefunnel.warehouse.docs import DbtDocsError, generate_dbt_docs

    missing = tmp_path / "warehouse" / "warehouse.duckdb"
    with pytest.raises(DbtDocsError, match=r"no warehouse at .*warehouse\.duckdb: build it first"):
        generate_dbt_docs(missing, tmp_path / "landing")


def test_transform_docs_step_exits_1_with_the_reason(tmp_path, monkeypatch, capsys):
    from onefunnel.warehouse import cli

    monkeypatch.setenv("ONEFUNNEL_SERVING_PATH", str(tmp_path / "serving" / "serving.duckdb"))
    with pytest.raises(SystemExit) as exited:
        cli._publish_docs(tmp_path / "warehouse.duckdb", tmp_path / "landing", None)
    assert exited.value.code == 1
    assert "no warehouse at" in capsys.readouterr().err


# ----------------------------------------------------------------------------- the Docs page (AppTest)
def iframes(app) -> list:
    return [element.proto for element in app.get("iframe")]


def test_docs_page_says_when_dbt_docs_are_missing_and_serves_them_once_published(
    monkeypatch, published_copy, tmp_path
):
    from dashboard_apptest import open_page, point_at, texts

    from onefunnel.warehouse.docs import publish_dbt_docs

    point_at(monkeypatch, published_copy.serving, published_copy.quality)
    # GIVEN a snapshot without dbt docs: THEN the page says how to publish them, and draws no frame
    app = open_page("docs", doc="dbt")
    assert not app.exception
    assert "dbt docs have not been published yet" in texts(app)
    assert iframes(app) == []
    # WHEN dbt's static page is published next to the snapshot
    page = tmp_path / "static_index.html"
    page.write_text(
        "<html><head><title>dbt docs</title></head><body>model.onefunnel.deals_monthly</body></html>"
    )
    publish_dbt_docs(page, published_copy.serving)
    # THEN the page draws it, with the script that keeps its fragment links inside the frame
    app = open_page("docs", doc="dbt")
    (frame,) = iframes(app)
    assert "model.onefunnel.deals_monthly" in frame.srcdoc
    assert "window.location.hash" in frame.srcdoc


def open_docs(**query_params: str):
    from dashboard_apptest import APP, FIRST_RUN_TIMEOUT_S
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
    app.query_params.update(query_params)
    app.switch_page("views/docs.py")
    return app.run()


def test_docs_page_opens_the_asked_data_docs_page_and_falls_back_to_the_report(monkeypatch, published_copy):
    from dashboard_apptest import point_at

    point_at(monkeypatch, published_copy.serving, published_copy.quality)
    app = open_docs(doc="data-docs", page="index.html")
    (frame,) = iframes(app)
    assert frame.srcdoc.rstrip().endswith('show("index.html");\n})();</script>\n</body></html>'.rstrip())
    assert app.query_params["page"] == "index.html"
    # a page that is not in the site (or a path outside it) is never read: the report is shown instead
    app = open_docs(doc="data-docs", page="../summary.json")
    (frame,) = iframes(app)
    assert 'show("latest.html");' in frame.srcdoc
    assert app.query_params["page"] == "latest.html"


def test_docs_page_pack_is_the_month_close_email_pack_with_the_accountability_pages_numbers(
    real_app, published, downloads
):
    from onefunnel.accountability.pack import read_month_pack

    # GIVEN the published snapshot's latest frozen month
    if not published.frozen:
        pytest.skip("the session pipeline froze no month (its warning says why)")
    emailed = read_month_pack(published.serving)
    # WHEN the Docs page's pack is opened
    docs = open_docs(doc="pack")
    assert not docs.exception
    # THEN it serves, byte for byte, the printable page and CSV the month-close e-mail carries
    from_docs = downloads.of(docs)
    assert from_docs["Printable page"] == emailed.html.encode()
    assert from_docs["CSV"] == emailed.csv
    (frame,) = iframes(docs)
    assert frame.srcdoc == emailed.html
    # AND its numbers are the accountability page's (the CSV carries every number of the pack)
    accountability = real_app("accountability")
    assert from_docs["CSV"] == downloads.of(accountability)["Download CSV"]
