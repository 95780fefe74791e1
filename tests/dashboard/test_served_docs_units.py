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
