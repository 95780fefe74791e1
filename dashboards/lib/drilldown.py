"""Drill-down: the records behind a headline number, with the rule that counted each, a CSV download and a
link to each record in HubSpot.

A page lists its headline numbers as `Drill`s (label, query, the metric it selects). A tile's "Records" button
chooses one; `section` then shows its records. The query selects the governed record list
(marts.fct_metric_contributions, or the lead fact for SLA buckets) with the page's slice, so the row count is
the tile's number (tests/dashboard/test_drilldown.py proves it for every drill and filter of a test matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from dashboards.lib import hubspot_links, queries, sql
from dashboards.lib.queries import Slice
from dashboards.lib.snapshot import SnapshotVersion

from onefunnel import formatting

CHOSEN_KEY = "drill_chosen"  # the label of the number whose records are open (None: section closed)
SELECT_KEY = "drill_select"


@dataclass(frozen=True)
class Drill:
    """One headline number's records: `query` run with `selector` (its $metric or $bucket) and the slice."""

    label: str  # the tile's label
    query: sql.Query
    selector: tuple[tuple[str, str], ...]  # e.g. (("metric", "stage_entered__mql"),)
    rule: str  # why each listed record counts, in words
    whole_funnel: bool = False  # the number ignores the page's filters (e.g. marketing's side of the SLA)

    @property
    def record_type(self) -> str:
        return "deal" if self.query is sql.DEAL_CONTRIBUTIONS else "contact"


def stage(label: str, stage_key: str, stage_label: str, *, whole_funnel: bool = False) -> Drill:
    return Drill(
        label,
        sql.CONTACT_CONTRIBUTIONS,
        (("metric", f"stage_entered__{stage_key}"),),
        f"reached {stage_label} in the month (earliest of its {stage_label} and later stage dates)",
        whole_funnel,
    )


def deal(label: str, metric: str, rule: str) -> Drill:
    return Drill(label, sql.DEAL_CONTRIBUTIONS, (("metric", metric),), rule)


def contribution(label: str, metric_key: str, rule: str) -> Drill:
    """The records an accountability metric counts today (fct_metric_contributions), whatever the filters:
    the monthly pack is the whole funnel's."""
    contact = metric_key.startswith(("stage_entered__", "mqls_"))
    query = sql.CONTACT_CONTRIBUTIONS if contact else sql.DEAL_CONTRIBUTIONS
    return Drill(label, query, (("metric", metric_key),), rule, whole_funnel=True)


def sla_bucket(label: str, bucket: str, rule: str) -> Drill:
    return Drill(label, sql.SLA_BUCKET_LEADS, (("bucket", bucket),), rule)


def records(version: SnapshotVersion, drill: Drill, month: date, part: Slice) -> pd.DataFrame:
    """The records behind `drill` for `month` and `part` (cached like every query)."""
    scope = queries.ALL if drill.whole_funnel else part
    return queries.query(version, drill.query, month=month, **dict(drill.selector), **scope._asdict())


def _rule_of(row: pd.Series, drill: Drill) -> str:
    rule = drill.rule
    if row.get("is_date_from_create_date") is True:
        rule += "; stage date from the create date (fallback)"
    elif row.get("is_stage_skipped") is True:
        rule += "; stage skipped in HubSpot, dated by a later stage"
    return rule


def table(frame: pd.DataFrame, drill: Drill, where: hubspot_links.Portal) -> pd.DataFrame:
    """What the page shows and the CSV holds: id, HubSpot link, name, owner, dates and the counting rule."""
    shown: dict[str, Any] = {
        "HubSpot id": frame["hubspot_id"].astype(str),
        "HubSpot link": [
            hubspot_links.record_url(where, drill.record_type, value) for value in frame["hubspot_id"]
        ],
    }
    if drill.record_type == "deal":
        shown |= {
            "Deal": frame["deal_name"],
            "Owner": frame["owner_name"],
            "Created": frame["created_at"],
            "Closed": frame["closed_at"],
            "Pipeline": frame["pipeline_label"],
            "Stage": frame["deal_stage_label"],
            "Amount": frame["amount"],
            "Source team": frame["source_team"],
        }
    else:
        shown |= {
            # The marts hold no contact names (personal data stays in HubSpot): the link opens the record.
            "Lifecycle stage": frame["lifecycle_stage"],
            "Owner": frame["owner_name"],
            "Counted at": frame["counted_at"],
            "Created": frame["created_at"],
            "Source": frame["original_source"],
            "Source team": frame["source_team"],
            "SLA status": frame["sla_status"],
        }
    shown["Counted because"] = [_rule_of(row, drill) for _, row in frame.iterrows()] if len(frame) else []
    return pd.DataFrame(shown)


def choose(label: str | None) -> None:
    st.session_state[CHOSEN_KEY] = label
    if label is None:
        st.session_state.pop(SELECT_KEY, None)
    else:
        st.session_state[SELECT_KEY] = label


def _picked() -> None:
    st.session_state[CHOSEN_KEY] = st.session_state.get(SELECT_KEY)


def button(drill: Drill, container: Any = None) -> None:
    """A tile's "Records" button: opens the drill-down section below on this number."""
    (container or st).button(
        "Records",
        key=f"drill-{drill.label}",
        on_click=choose,
        args=(drill.label,),
        type="tertiary",
        icon=":material/table_rows:",
        help=f"The records behind {drill.label}: ids, owners, dates, why each counts, links to HubSpot",
    )


def section(ctx: Any, drills: list[Drill], month: date, part: Slice) -> None:
    """The records of the number whose "Records" button was pressed (nothing until one is): a table with
    links, a CSV download, and a picker to move to another number of the page."""
    labels = [drill.label for drill in drills]
    chosen = st.session_state.get(CHOSEN_KEY)
    if chosen not in labels:
        return
    with st.container(border=True, key="drill-section"):
        head, close = st.columns([5, 1], vertical_alignment="bottom")
        if st.session_state.get(SELECT_KEY) != chosen:
            st.session_state[SELECT_KEY] = chosen  # the widget's value comes from session state alone
        label = head.selectbox("Records behind", labels, key=SELECT_KEY, on_change=_picked)
        close.button("Close", key="drill-close", on_click=choose, args=(None,), icon=":material/close:")
        _records(ctx, drills[labels.index(label)], month, part)


def _records(ctx: Any, drill: Drill, month: date, part: Slice) -> None:
    frame = records(ctx.version, drill, month, part)
    month_name = formatting.month_label(month)
    if frame.empty:
        st.caption(f"No record counts for {drill.label} in {month_name}.")
        return
    where = ctx.portal
    shown = table(frame, drill, where)
    st.caption(
        f"**{formatting.count(len(shown))}** record{'s' if len(shown) != 1 else ''} behind {drill.label} in "
        f"{month_name}: each counts because it {drill.rule}."
        + ("" if where.links else " " + hubspot_links.missing_note(where))
    )
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="—",
        key="drill-table",
        column_config={
            "HubSpot link": st.column_config.LinkColumn(
                "HubSpot link", display_text="Open in HubSpot", help=f"The record on {where.ui_domain}"
            ),
        },
    )
    st.download_button(
        f"Download {drill.label} records (CSV)",
        data=lambda: shown.to_csv(index=False).encode("utf-8"),  # built when clicked, not on every rerun
        file_name=f"{drill.label.lower().replace(' ', '-')}-{month:%Y-%m}.csv",
        mime="text/csv",
        key="drill-download",
        on_click="ignore",
        icon=":material/download:",
    )


# ----------------------------------------------------------------------------- restated numbers
# The records behind a restatement of a frozen month (marts.metric_restatement_records): each record whose
# contribution differs from the one frozen at month close, with the change, its cause and the definitions
# version whose rule counted it then and now. Added minus removed records is a count's restatement; the sum
# of the changes is an amount's.
RESTATEMENT_RECORDS = sql.Query(
    "RESTATEMENT_RECORDS",
    "marts.metric_restatement_records",
    """
select
    r.record_id as hubspot_id,
    r.record_type,
    r.change,
    r.cause,
    r.reported_contribution,
    r.current_contribution,
    r.delta,
    r.reported_definitions_version,
    r.definitions_version,
    d.deal_name,
    o.owner_name,
    l.lifecycle_stage,
    coalesce(d.created_at, l.created_at) as created_at,
    r.record_updated_at
from marts.metric_restatement_records as r
left join marts.fct_leads as l
    on r.record_type = 'contact'
    and r.record_id = l.contact_id
left join marts.fct_deals as d
    on r.record_type = 'deal'
    and r.record_id = d.deal_id
left join marts.dim_owners as o
    on o.owner_id = case
        when r.record_type = 'deal' then d.owner_id
        else coalesce(l.sla_owner_id, l.owner_id)
    end
where r.month_start = $month
  and r.metric_key = $metric
order by r.change, r.record_type, r.record_id
""",
)
RESTATED_SELECT_KEY = "restated-select"
CHANGES = {
    "added": "Added (counts now, not then)",
    "removed": "Removed (counted then, not now)",
    "increased": "Amount increased",
    "decreased": "Amount decreased",
}


def restatement_records(version: SnapshotVersion, month: date, metric_key: str) -> pd.DataFrame:
    """The records behind `metric_key`'s restatement of frozen `month` (empty for a snapshot published
    before the model existed)."""
    if not queries.has_table(version, "marts", "metric_restatement_records"):
        return pd.DataFrame()
    return queries.query(version, RESTATEMENT_RECORDS, month=month, metric=metric_key)


def restatement_table(
    frame: pd.DataFrame, where: hubspot_links.Portal, rule: str, show_value: Any
) -> pd.DataFrame:
    """What the page shows and the CSV holds: id, link, change, cause, value then and now, the rule."""
    links = [
        hubspot_links.record_url(where, record_type, record_id)
        for record_type, record_id in zip(frame["record_type"], frame["hubspot_id"], strict=True)
    ]
    return pd.DataFrame(
        {
            "HubSpot id": frame["hubspot_id"].astype(str),
            "HubSpot link": links,
            "Record": frame["record_type"],
            "Change": frame["change"].map(lambda change: CHANGES.get(change, change)),
            "Cause": frame["cause"].map(lambda cause: _cause_label(cause)),
            "Reported": [show_value(value) for value in frame["reported_contribution"]],
            "Today": [show_value(value) for value in frame["current_contribution"]],
            "Change in value": [show_value(value, signed=True) for value in frame["delta"]],
            "Deal": frame["deal_name"],
            "Owner": frame["owner_name"],
            "Lifecycle stage": frame["lifecycle_stage"],
            "Created": frame["created_at"],
            "Last changed in HubSpot": frame["record_updated_at"],
            "Counted by": [
                f"{rule} - definitions {then or '?'} at the freeze, {now} today"
                for then, now in zip(
                    frame["reported_definitions_version"], frame["definitions_version"], strict=True
                )
            ],
        }
    )


def _cause_label(cause: str) -> str:
    from dashboards.lib import accountability

    return accountability.CAUSES.get(cause, cause)


def restatement_section(ctx: Any, month: date, restated: pd.DataFrame, rules: dict[str, str]) -> None:
    """A picker of the restated metrics of frozen `month` and the records behind the chosen one: a table
    with links to HubSpot, a CSV download, and the arithmetic (added - removed = the restatement)."""
    from dashboards.lib import accountability

    keys = list(dict.fromkeys(restated["metric_key"]))  # every metric with a changed record
    if not keys:
        return
    labels = {key: accountability.metric_for(key).label for key in keys}
    with st.container(border=True, key="restated-section"):
        key = st.selectbox(
            "Records behind the restatement of",
            keys,
            format_func=lambda option: labels[option],
            key=RESTATED_SELECT_KEY,
        )
        metric = accountability.metric_for(key)
        frame = restatement_records(ctx.version, month, key)
        month_name = formatting.month_label(month)
        if frame.empty:
            st.caption(
                f"No record-level detail for {metric.label} in {month_name}: the snapshot was published "
                "before months were frozen record by record."
            )
            return

        def show_value(value: Any, signed: bool = False) -> str:
            return accountability.show(value, metric.kind, ctx.currency, signed=signed)

        where = ctx.portal
        rule = rules.get(key) or f"counted in {metric.label}"
        shown = restatement_table(frame, where, rule, show_value)
        added = int((frame["change"] == "added").sum())
        removed = int((frame["change"] == "removed").sum())
        changed = len(frame) - added - removed
        total = float(frame["delta"].sum())
        arithmetic = (
            f"{formatting.count(added)} added - {formatting.count(removed)} removed = "
            f"{show_value(total, True)}"
            if metric.kind == "count"
            else f"{formatting.count(added)} added, {formatting.count(removed)} removed, "
            f"{formatting.count(changed)} changed: {show_value(total, True)} in all"
        )
        st.caption(
            f"**{formatting.count(len(shown))}** record{'s' if len(shown) != 1 else ''} changed "
            f"{metric.label} of {month_name} since the freeze: {arithmetic}."
            + ("" if where.links else " " + hubspot_links.missing_note(where))
        )
        st.dataframe(
            shown,
            hide_index=True,
            placeholder="—",
            key="restated-table",
            column_config={
                "HubSpot link": st.column_config.LinkColumn(
                    "HubSpot link", display_text="Open in HubSpot", help=f"The record on {where.ui_domain}"
                ),
            },
        )
        st.download_button(
            f"Download the records behind the {metric.label} restatement (CSV)",
            data=lambda: shown.to_csv(index=False).encode("utf-8"),  # built when clicked
            file_name=f"restated-{key}-{month:%Y-%m}.csv",
            mime="text/csv",
            key="restated-download",
            on_click="ignore",
            icon=":material/download:",
        )
