"""Prospect audiences: per sales rep, how many working prospects may be shown ads featuring the rep, who is
left out and why, which platform files are ready (or withheld, and why), and the files themselves."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from dashboards.lib import audiences, layout, queries
from dashboards.lib.glossary import help_text

from onefunnel import formatting
from onefunnel.audiences import formats

ctx = layout.context()
layout.header(
    "Prospect audiences",
    "Which of each rep's working prospects can marketing show the rep's own content to, on which ad "
    "platform — and who is left out, and why?",
    ctx,
)
layout.require_snapshot(ctx)
version = ctx.version
rules = layout.definitions()

if not queries.has_audiences(version):
    layout.empty(
        "This snapshot holds no prospect audiences: it was published before they existed. They appear "
        "after the next pipeline run."
    )
    st.stop()

overview = audiences.overview(version)
enabled = list(audiences.format_rules(version))
if overview.empty:
    layout.empty("No sales rep has working prospects in this snapshot, so there are no audiences.")
    st.stop()
owner = ctx.filters.part.owner if ctx.filters is not None else None
if owner is not None:
    overview = overview[overview["owner_id"] == owner]
    if overview.empty:
        layout.empty(
            f"{ctx.owner_names.get(owner, 'This owner')} has no working prospects (only sales reps' "
            "contacts in active prospecting make an audience)."
        )
        st.stop()
    st.caption(f":material/filter_alt: Filtered to **{ctx.owner_names.get(owner, owner)}**.")

# ----------------------------------------------------------------------------- tiles
excluded_consent = overview["excluded_opted_out"].sum() + overview["excluded_no_lawful_basis"].sum()
written = sum(int(overview[f"written_{key}"].sum()) for key in enabled)
tiles = st.columns(4)
layout.tile(
    "Reps with prospects",
    formatting.count(len(overview)),
    note=f"{formatting.count(overview['candidates'].sum())} working prospects",
    container=tiles[0],
)
layout.tile(
    "Prospects in audiences",
    formatting.count(overview["included"].sum()),
    help=help_text("audience_prospects", rules),
    container=tiles[1],
)
layout.tile(
    "Left out for consent",
    formatting.count(excluded_consent),
    note=f"{formatting.count(overview['excluded_customer'].sum())} customers, "
    f"{formatting.count(overview['excluded_no_email'].sum())} without email",
    container=tiles[2],
)
layout.tile(
    "Files ready",
    f"{written} of {len(overview) * len(enabled)}",
    help=help_text("audience_files", rules),
    note="the others are withheld (below their minimum size)",
    container=tiles[3],
)

# ----------------------------------------------------------------------------- per rep
st.subheader("Audience per rep")
table = pd.DataFrame(
    {
        "Rep": overview["owner_name"].fillna("Owner " + overview["owner_id"].astype(str)),
        "Team": overview["team_name"].fillna("—"),
        "Working prospects": overview["candidates"].astype(int),
        "In audience": overview["included"].astype(int),
        "Customers": overview["excluded_customer"].astype(int),
        "Opted out": overview["excluded_opted_out"].astype(int),
        "No lawful basis": overview["excluded_no_lawful_basis"].astype(int),
        "No email": overview["excluded_no_email"].astype(int),
    }
    | {formats.spec(key).label: overview[f"status_{key}"] for key in enabled}
)
st.dataframe(table, hide_index=True)
st.caption(
    "Working prospects: contacts the rep owns in active prospecting. Each contact left out is counted under "
    "the first reason that applies, in the order of the columns. A file is withheld when it would hold fewer "
    "prospects than its minimum: "
    + "; ".join(
        f"{formats.spec(key).label} {formatting.count(value['min_audience_size'])}"
        for key, value in audiences.format_rules(version).items()
    )
    + "."
)

# ----------------------------------------------------------------------------- downloads
st.divider()
st.subheader("Download a rep's files")
labels = dict(zip(overview["owner_id"], table["Rep"], strict=True))
options = list(labels)
chosen = st.selectbox(
    "Rep",
    options,
    index=options.index(owner) if owner in options else 0,
    format_func=labels.get,
    key="audience_rep",
)
columns = st.columns(len(enabled))
for column, format_key in zip(columns, enabled, strict=True):
    spec = formats.spec(format_key)
    result = audiences.decision(version, chosen, format_key)
    rows = int(overview.loc[overview["owner_id"] == chosen, f"rows_{format_key}"].iloc[0])
    with column:
        if result.written:
            st.download_button(
                f"{spec.label} · {formatting.count(rows)} rows",
                data=audiences.file_bytes(version, chosen, format_key),  # built when clicked
                file_name=formats.file_name(chosen, format_key),
                mime="text/csv",
                key=f"audience-download-{format_key}",
                on_click="ignore",
                icon=":material/download:",
            )
        else:
            st.markdown(f"**{spec.label}**")
            st.caption(f"Withheld: {result.detail}.")
st.caption(
    "The same files `onefunnel audiences export` writes after every publish (with a manifest). Meta and "
    "Google files carry SHA-256 hashes of normalised identifiers; the LinkedIn and internal files hold "
    "personal data in plain text: keep them where only marketing can read them."
)
