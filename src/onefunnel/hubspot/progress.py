"""What `onefunnel extract` shows: a rich live table on a terminal (records, pages, requests/s, ETA per
object), JSON log lines elsewhere (Airflow, CI), and the summary table at the end. Every line passes
through the token redaction."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import UTC, datetime

from onefunnel.hubspot.client import redact

LOG_INTERVAL_S = 10.0


def _log(event: str, **fields) -> None:
    line = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, **fields}
    sys.stderr.write(redact(json.dumps(line, default=str)) + "\n")
    sys.stderr.flush()


class Reporter:
    def __init__(self, *, interactive: bool) -> None:
        self.interactive = interactive
        self.streams = []
        self.budget = None
        self.run_stats = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._live = None
        self._started = time.monotonic()

    def __enter__(self) -> Reporter:
        if not self.interactive:
            _log("extract.start")
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if self._live is not None:
            self._live.update(self._table())
            self._live.stop()

    def attach(self, streams, budget, run_stats) -> None:
        self.streams, self.budget, self.run_stats = streams, budget, run_stats
        if self.interactive:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                self._table(), console=Console(stderr=True), refresh_per_second=2, transient=False
            )
            self._live.start()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="extract-progress")
        self._thread.start()

    def _loop(self) -> None:
        interval = 0.5 if self.interactive else LOG_INTERVAL_S
        while not self._stop.wait(interval):
            if self.interactive and self._live is not None:
                self._live.update(self._table())
            else:
                for stream in self.streams:
                    if stream.status == "running":
                        _log(
                            "extract.progress",
                            stream=stream.name,
                            records=stream.records,
                            pages=stream.pages,
                            total=stream.total,
                            requests=stream.stats.requests,
                            eta_s=_round(stream.eta_seconds()),
                        )

    def _rate(self) -> float:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return (self.run_stats.requests if self.run_stats else 0) / elapsed

    def _table(self):
        from rich.table import Table

        table = Table(title=f"HubSpot extraction — {self._rate():.1f} requests/s overall", expand=False)
        for column in ("stream", "status", "records", "total", "pages", "requests", "req/s", "ETA"):
            table.add_column(column, justify="right" if column not in ("stream", "status") else "left")
        for stream in self.streams:
            eta = stream.eta_seconds()
            rate = stream.stats.requests / stream.elapsed if stream.elapsed > 0 else 0.0
            table.add_row(
                stream.name,
                stream.status,
                f"{stream.records:,}",
                f"{stream.total:,}" if stream.total else "",
                f"{stream.pages:,}",
                f"{stream.stats.requests:,}",
                f"{rate:.1f}",
                f"{eta:.0f}s" if eta is not None else "",
            )
        return table

    def summary(self, summary) -> None:
        from rich.console import Console
        from rich.table import Table

        data = summary.as_dict()
        table = Table(
            title=f"run {summary.run_id} — {'ok' if summary.ok else 'FAILED'} in {summary.duration_s:.1f}s"
        )
        headers = (
            "object",
            "mode",
            "status",
            "records",
            "archived",
            "requests",
            "retries",
            "429s",
            "5xx",
            "resets",
            "seconds",
        )
        for header in headers:
            table.add_column(header, justify="left" if header in ("object", "mode", "status") else "right")
        for name, row in data["objects"].items():
            table.add_row(
                name,
                row["mode"],
                row["status"],
                f"{row['records']:,}",
                f"{row['archived']:,}",
                f"{row['requests']:,}",
                f"{row['retries']:,}",
                f"{row['rate_limited']:,}",
                f"{row['server_errors']:,}",
                f"{row['connection_errors']:,}",
                f"{row['seconds']:.1f}",
            )
        for name in data.get("skipped") or {}:
            table.add_row(name, "skipped", "skipped", *[""] * (len(headers) - 3))
        totals = data["totals"]
        table.add_row(
            "total",
            "",
            "",
            "",
            "",
            f"{totals['requests']:,}",
            f"{totals['retries']:,}",
            f"{totals['rate_limited']:,}",
            f"{totals['server_errors']:,}",
            f"{totals['connection_errors']:,}",
            f"{summary.duration_s:.1f}",
        )
        Console(file=sys.stdout, width=140).print(table)
        if data["drift"]:
            click_lines = [
                f"schema drift in {name}: +{len(d.get('added', []))} -{len(d.get('removed', []))}"
                for name, d in data["drift"].items()
            ]
            sys.stdout.write("\n".join(click_lines) + "\n")
        for name, reason in (data.get("skipped") or {}).items():
            sys.stdout.write(redact(f"{name} not extracted: {reason}") + "\n")
        if not self.interactive:
            _log("extract.summary", **data)

    def fail(self, message: str) -> None:
        if self.interactive:
            sys.stderr.write(redact(f"extraction failed: {message}") + "\n")
        else:
            _log("extract.failed", error=message)


def _round(value):
    return None if value is None else round(value, 1)
