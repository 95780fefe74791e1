"""Docs: the quality report, Great Expectations' Data Docs, dbt docs and the monthly printable pack, served by
the dashboard itself (behind its sign-in, read-only), not as file paths.

Which document is shown is kept in the URL (`doc`, and `page` for a Data Docs page), so the Data health page
and a colleague's link open the same one.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from dashboards.lib import layout, queries, served_docs, snapshot, status

from onefunnel import formatting
from onefunnel.accountability.pack import NoFrozenMonth, read_month_pack
from onefunnel.warehouse.docs import published_dbt_docs_path

HEIGHT = 900
DOCS = {"data-docs": "Data Docs", "dbt": "dbt docs", "pack": "Monthly pack"}

ctx = layout.context()
layout.header(
    "Docs",
    "The documentation behind the numbers: the last quality run and every check's Data Docs, the dbt models, "
    "and the monthly meeting's printable pack.",
    ctx,
)
# Kept in the URL by hand (`doc`, `page`: raw keys and paths, which a bound widget would replace by labels).
requested = st.query_params.get("doc")
chosen = st.segmented_control(
    "Document",
    list(DOCS),
    default=requested if requested in DOCS else "data-docs",
    format_func=DOCS.get,
    required=True,
    label_visibility="collapsed",
)
st.query_params["doc"] = chosen
if chosen != "data-docs":
    st.query_params.pop("page", None)
data_docs = status.quality_dir() / "data_docs"


def show_data_docs() -> None:
    pages = served_docs.data_docs_pages(data_docs)
    if not pages:
        layout.empty(
            "This deployment has no Data Docs yet: `onefunnel check` builds them (not with --no-docs)."
        )
        return
    labels = {page.path: page.label for page in pages}
    paths = list(labels)
    requested_page = st.query_params.get("page")
    start = st.selectbox(
        "Page",
        paths,
        index=paths.index(requested_page) if requested_page in labels else 0,
        format_func=labels.get,
        help="Start from any page; links inside the Data Docs open their pages here too.",
    )
    st.query_params["page"] = start
    if start == served_docs.LATEST:
        st.caption("The last quality run on one page: every check with its result, the blocking ones first.")
    st.iframe(served_docs.data_docs_viewer(data_docs, pages, start), height=HEIGHT, alt="Data Docs")


def show_dbt_docs() -> None:
    page = published_dbt_docs_path(snapshot.snapshot_path())
    if not page.is_file():
        layout.empty(
            "dbt docs have not been published yet: `onefunnel transform --docs` generates them after the "
            "build and puts them next to the serving snapshot."
        )
        return
    st.caption("Every model, its columns, tests, lineage and SQL, as dbt documents the warehouse.")
    st.iframe(served_docs.dbt_docs_viewer(page), height=HEIGHT, alt="dbt docs")


def show_pack() -> None:
    layout.require_snapshot(ctx)
    frozen = queries.frozen_months(ctx.version)
    if not frozen:
        layout.empty("No month has been frozen yet, so there is no monthly pack.")
        return
    month = st.selectbox("Frozen month", frozen, format_func=formatting.month_label, key="pack_month")
    # The month-close DAG e-mails this same pack (onefunnel.accountability.pack), read from the same snapshot.
    try:
        pack = read_month_pack(Path(ctx.version.path), month)
    except NoFrozenMonth as error:  # a publish replaced the snapshot between the two reads
        layout.empty(f"{error}. Reload the page.")
        return
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Printable page",
        data=pack.html,
        file_name=f"{pack.file_stem}.html",
        mime="text/html",
        icon=":material/print:",
        help="The page below as a file, to print or save as PDF (the one the month-close e-mail carries).",
    )
    right.download_button(
        "CSV",
        data=pack.csv,
        file_name=f"{pack.file_stem}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.iframe(pack.html, height=HEIGHT, alt="Monthly pack")


{
    "data-docs": show_data_docs,
    "dbt": show_dbt_docs,
    "pack": show_pack,
}[chosen]()
