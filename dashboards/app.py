"""onefunnel's shared KPI dashboard — the entry point: `onefunnel dashboard`
(or `streamlit run dashboards/app.py`).

It reads only the published serving snapshot, read-only. Each rerun: sign-in when configured, find the current
snapshot and its run, draw the filters (kept in the URL), then run the chosen page. If a publish replaces the
snapshot while a page is being drawn, the page is drawn again from the new one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `streamlit run` puts only dashboards/ on the path
    sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402
from dashboards.lib import auth, filters, layout, preview, queries, status  # noqa: E402
from dashboards.lib.snapshot import SnapshotChanged  # noqa: E402
from dashboards.lib.snapshot import render_scope as snapshot_render_scope  # noqa: E402

# Not "pages/": Streamlit treats a pages/ folder beside the entry point as a v1 multipage app on the first run
# of a fresh server, which would run a page without this entry point.
PAGES_DIR = Path(__file__).resolve().parent / "views"
ALL_FILTERS = frozenset(filters.FILTER_KEYS)
# Which filters each page uses (the others are greyed out there but stay in the URL).
PAGES = {
    "Shared funnel": [
        ("funnel.py", "Funnel", ":material/filter_alt:", ALL_FILTERS),
        ("sla.py", "SLA", ":material/handshake:", ALL_FILTERS - {"pipeline"}),
        ("reps.py", "Reps", ":material/groups:", ALL_FILTERS - {"pipeline"}),
        ("sources.py", "Sources and credit", ":material/hub:", ALL_FILTERS),
        ("audiences.py", "Prospect audiences", ":material/campaign:", frozenset({"owner"})),
    ],
    "Pipeline and revenue": [
        ("deal_pipeline.py", "Deal pipeline", ":material/view_kanban:", frozenset({"pipeline"})),
        ("attribution.py", "Attribution", ":material/alt_route:", frozenset({"month", "range"})),
        ("accounts.py", "Accounts", ":material/domain:", frozenset({"month", "range"})),
    ],
    "Monthly meeting": [
        ("accountability.py", "Monthly accountability", ":material/event_available:", frozenset()),
    ],
    "About the numbers": [
        ("definitions.py", "Definitions", ":material/menu_book:", frozenset()),
        ("data_health.py", "Data health", ":material/monitor_heart:", frozenset()),
        ("docs.py", "Docs", ":material/description:", frozenset()),
        ("definitions_preview.py", "Definitions preview", ":material/difference:", frozenset()),
    ],
}
# Shown only while a preview exists (`onefunnel definitions preview PROPOSED.yml` writes one).
PREVIEW_PAGE = "definitions_preview.py"


def build_navigation() -> tuple[Any, dict[str, frozenset[str]]]:
    sections = {}
    used_by_page: dict[str, frozenset[str]] = {}
    for section, pages in PAGES.items():
        entries = []
        for index, (file_name, title, icon, used) in enumerate(pages):
            if file_name == PREVIEW_PAGE and not preview.exists():
                continue
            page = st.Page(
                str(PAGES_DIR / file_name),
                title=title,
                icon=icon,
                default=(section == "Shared funnel" and index == 0),
            )
            used_by_page[title] = used
            entries.append(page)
        sections[section] = entries
    return st.navigation(sections), used_by_page


def main() -> None:
    st.set_page_config(
        page_title="onefunnel — shared funnel", page_icon=":material/filter_alt:", layout="wide"
    )
    auth.require_login()
    page, used_by_page = build_navigation()
    version, run = queries.current_version()
    settings = queries.settings(version)
    chosen = None
    owner_names: dict[str, str] = {}
    if version is not None:
        chosen = filters.sidebar(
            version, used_by_page.get(page.title, ALL_FILTERS), run.get("data_as_of"), settings["time_zone"]
        )
        owner_names = {
            key: value for key, value in filters.owner_labels(queries.owners(version)).items() if key
        }
    layout.set_context(
        layout.PageContext(
            version=version,
            run=run,
            settings=settings,
            filters=chosen,
            failure=status.failure_after(run) if version is not None else None,
            owner_names=owner_names,
        )
    )
    st.sidebar.caption(layout.as_of_line(layout.context()))
    page.run()


RETRIES_KEY = "_onefunnel_snapshot_retries"
MAX_RETRIES = 5

try:
    with snapshot_render_scope():
        main()
    st.session_state[RETRIES_KEY] = 0
except SnapshotChanged:
    # A publish replaced the snapshot mid-render: draw the page again, wholly from the new snapshot.
    retries = st.session_state.get(RETRIES_KEY, 0) + 1
    st.session_state[RETRIES_KEY] = retries
    if retries <= MAX_RETRIES:
        st.rerun()
    st.session_state[RETRIES_KEY] = 0
    st.warning(
        "The numbers are being republished right now. Reload the page in a moment.", icon=":material/sync:"
    )
