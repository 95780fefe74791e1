"""`latest.html` beside Great Expectations' Data Docs: the last quality run on one self-contained page.

GX's own index.html draws its list of results with JavaScript fetched from public CDNs, so on a machine
without internet it shows an empty page. This page needs nothing but the file: run status, every failed
check first with its severity and message, links to GX's validation page of each checked table, and the
recent history of runs.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from onefunnel.landing import layout
from onefunnel.quality.summary import Summary

LATEST_PAGE = "latest.html"
HISTORY_ROWS = 20
COLOURS = {"passed": "#1b7f3b", "warning": "#a86b00", "failed": "#b3261e", "error": "#b3261e"}


def _validation_pages(docs_dir: Path, summary: Summary) -> dict[tuple[str, str], str]:
    """(suite, table) -> relative link of this run's GX validation page."""
    pages = {}
    for page in (docs_dir / "validations").glob(f"*/*/{summary.run_id}/*/*.html"):
        suite, table = page.relative_to(docs_dir / "validations").parts[:2]
        pages[(suite, table)] = page.relative_to(docs_dir).as_posix()
    return pages


def _badge(status: str) -> str:
    return (
        f'<span style="color:{COLOURS.get(status, "#333")};font-weight:bold">{escape(status.upper())}</span>'
    )


def render_latest(docs_dir: Path, summary: Summary, history: list[dict]) -> Path:
    pages = _validation_pages(docs_dir, summary)
    counts = summary.counts()
    ordered = sorted(
        summary.checks,
        key=lambda c: (c.status.value == "passed", c.severity.value != "critical", c.checkpoint, c.name),
    )
    rows = []
    for check in ordered:
        link = pages.get((check.suite, check.table))
        table = f'<a href="{escape(link)}">{escape(check.table)}</a>' if link else escape(check.table)
        rows.append(
            "<tr>"
            f"<td>{_badge(check.status.value)}</td><td>{escape(check.severity.value)}"
            f"{' (waived)' if check.waived else ''}</td>"
            f"<td><code>{escape(check.name)}</code></td><td>{escape(check.checkpoint)} / {table}</td>"
            f"<td>{escape(check.message)}</td>"
            "</tr>"
        )
    past = []
    for entry in list(reversed(history))[:HISTORY_ROWS]:
        entry_counts = entry.get("counts") or {}
        past.append(
            "<tr>"
            f"<td><code>{escape(str(entry.get('run_id')))}</code></td><td>{_badge(str(entry.get('status')))}</td>"
            f"<td>{escape(str(entry.get('landing_run_id')))}</td><td>{escape(str(entry.get('data_as_of')))}</td>"
            f"<td>{entry_counts.get('passed', '')}/{entry_counts.get('checks', '')}</td>"
            f"<td>{escape(', '.join(entry.get('blocking') or []) or '-')}</td>"
            "</tr>"
        )
    notes = "".join(f"<li>{escape(note)}</li>" for note in summary.notes)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>onefunnel quality run {escape(summary.run_id)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ border: 1px solid #ccc; padding: .3em .6em;
vertical-align: top; text-align: left; font-size: 14px; }} th {{ background: #f3f3f3; }}
</style></head><body>
<h1>Quality run <code>{escape(summary.run_id)}</code>: {_badge(summary.status.value)}</h1>
<p>Extraction run <code>{escape(str(summary.landing_run_id))}</code>, data as of
{escape(str(summary.data_as_of))};
definitions version <code>{escape(str(summary.definitions_version))}</code>;
checkpoints {escape(", ".join(summary.checkpoints))}; finished {escape(summary.finished_at)}.</p>
<p>{counts["passed"]} of {counts["checks"]} checks passed; {counts["failed_critical"]} critical failure(s)
(block publishing), {counts["failed_warning"]} warning(s) (published with a notice),
{counts["errors"]} could not be evaluated.
Great Expectations' own index: <a href="index.html">index.html</a> (needs internet for its scripts).</p>
{f"<ul>{notes}</ul>" if notes else ""}
<h2>Checks</h2>
<table><tr><th>status</th><th>severity</th><th>check</th><th>checkpoint / table</th><th>message</th></tr>
{"".join(rows)}
</table>
<h2>Recent runs</h2>
<table><tr><th>quality run</th><th>status</th><th>extraction run</th><th>data as of</th><th>passed</th>
<th>blocking checks</th></tr>
{"".join(past)}
</table>
</body></html>
"""
    path = docs_dir / LATEST_PAGE
    layout.atomic_write_bytes(path, html.encode("utf-8"))
    return path
