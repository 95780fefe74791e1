"""The local HubSpot-compatible HTTP server over a portal database (read-only).

The official `hubspot-api-client` runs against it unchanged except for `host=`. One thread per client
connection (HTTP/1.1 keep-alive), each with its own read-only SQLite connection. Per request, in order:
latency (if configured), authentication (401), an injected 429 (no budget used), the rate limiter
(429), then the answer or an injected 5xx / reset / stall. See ratelimit.py and faults.py for the
exact rules, and api.py for the endpoints.

    with PortalServer(portal_dir, ServerOptions.fast("token")).start() as server:
        client = hubspot.HubSpot(access_token="token", host=server.url)
"""

from __future__ import annotations

import contextlib
import email.utils
import hmac
import logging
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import orjson

from onefunnel.portal import store
from onefunnel.portal.api import ApiLimits, PortalApi, Request, Route
from onefunnel.portal.faults import FaultPlan
from onefunnel.portal.ratelimit import TIERS, RateLimiter
from onefunnel.portal.reader import DefinitionCache, PortalReader
from onefunnel.portal.responses import (
    AUTH_MISSING_MESSAGE,
    REASONS,
    ApiError,
    error_body,
    new_correlation_id,
    rate_limit_body,
)
from onefunnel.portal.routes import DATE_VERSIONS
from onefunnel.portal.search import SearchLimits

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-HubSpot-Correlation-Id"
MAX_HEADER_LINE = 65_536
MAX_HEADERS = 200
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_DRAIN_BYTES = 64 * 1024 * 1024  # an over-long request line is read and dropped up to this much
IDLE_TIMEOUT_SECONDS = 120.0
# Request handlers doing database and JSON work at the same time. That work is mostly Python under the
# GIL, and sqlite3 releases the GIL on every row step: with many runnable threads each release becomes a
# contended hand-off (futex calls, context switches). One handler at a time, the others parked on a
# semaphore, measured about 1.5x the throughput of free-for-all on 8 connections. Searches (at most a
# few per second, but possibly long scans in C) get their own lane so they never stall page reads.
# Sleeps (latency, stalls) happen outside both.
WORK_SLOTS = 1
SEARCH_SLOTS = 2


@dataclass
class ServerOptions:
    token: str  # required Bearer token
    tier: str = "professional"  # free|starter|professional|enterprise|api_pack|unlimited (fast mode)
    # Per-request latency in ms, drawn uniformly between the two bounds (seeded, see faults.py).
    latency_ms: tuple[float, float] | None = None
    fault_429: float = 0.0
    fault_5xx: float = 0.0
    fault_reset: float = 0.0
    fault_slow: float = 0.0
    slow_seconds: float = 30.0  # how long a "slow" response stalls (past a client timeout)
    seed: int = 0  # seeds latency and fault draws (reproducible)
    max_url_length: int = 15_000  # longer request targets -> 414
    search_per_second: int = 5
    daily_limit: int | None = None  # default by tier
    # Beyond the public surface: budgets and limits made configurable so tests need no real waits.
    rate_limit: int | None = None  # requests per rolling window; default by tier
    rate_window_ms: int = 10_000  # the rolling window (X-HubSpot-RateLimit-Interval-Milliseconds)
    search_window_ms: int = 1_000  # the search bucket's rolling window
    search_max_filter_groups: int = 5
    search_max_filters_per_group: int = 6
    search_max_filters_total: int = 18
    search_result_cap: int = 10_000
    association_page_size: int = 500  # `to` entries per input per page in v4 batch read
    api_versions: tuple[str, ...] = DATE_VERSIONS  # date versions answered under /{api}/{YYYY-MM}/...

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("a Bearer token is required")
        if self.tier not in TIERS:
            raise ValueError(f"unknown tier {self.tier!r}; expected one of {', '.join(TIERS)}")
        if self.max_url_length < 100:
            raise ValueError("max_url_length must be at least 100")
        if self.latency_ms is not None:
            self.latency_ms = (float(self.latency_ms[0]), float(self.latency_ms[1]))

    @classmethod
    def fast(cls, token: str) -> ServerOptions:
        """No latency, no limits, no faults: for tests and `make demo`."""
        return cls(token=token, tier="unlimited")

    def api_limits(self) -> ApiLimits:
        return ApiLimits(
            association_page_size=self.association_page_size,
            search=SearchLimits(
                max_filter_groups=self.search_max_filter_groups,
                max_filters_per_group=self.search_max_filters_per_group,
                max_filters_total=self.search_max_filters_total,
                result_cap=self.search_result_cap,
            ),
        )


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    reset_fraction: float | None = None  # set: send part of the body, then reset the connection


class _Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.served = 0
        self.unauthorized = 0
        self.by_status: Counter[int] = Counter()
        self.by_endpoint: Counter[str] = Counter()
        self.by_api_version: Counter[str] = Counter()  # "legacy" or the date version of served requests
        self.rate_limited: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def record(
        self,
        status: int,
        *,
        endpoint: str | None = None,
        api_version: str | None = None,
        policy: str | None = None,
        fault: str | None = None,
        unauthorized: bool = False,
    ) -> None:
        with self._lock:
            self.requests += 1
            self.by_status[status] += 1
            if endpoint is not None:
                self.served += 1
                self.by_endpoint[endpoint] += 1
                if api_version is not None:
                    self.by_api_version[api_version] += 1
            if policy is not None:
                self.rate_limited[policy] += 1
            if fault is not None:
                self.faults[fault] += 1
            if unauthorized:
                self.unauthorized += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": self.requests,
                "served": self.served,
                "unauthorized": self.unauthorized,
                "responses_429": self.by_status.get(429, 0),
                "rate_limited": dict(self.rate_limited),
                "faults": dict(self.faults),
                "by_status": {str(code): count for code, count in sorted(self.by_status.items())},
                "by_endpoint": dict(sorted(self.by_endpoint.items())),
                "by_api_version": dict(sorted(self.by_api_version.items())),
            }


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: PortalServer) -> None:
        self.app = app
        super().__init__(address, _Handler)


class PortalServer:
    """HubSpot-compatible API over one portal directory (or portal.sqlite file)."""

    def __init__(self, portal_dir: Path, options: ServerOptions, host: str = "127.0.0.1", port: int = 0):
        path = Path(portal_dir)
        self.portal_path = store.portal_file(path) if path.is_dir() or path.suffix != ".sqlite" else path
        probe = store.connect(self.portal_path, read_only=True)  # fails early if there is no portal
        try:
            portal_id = store.get_meta(probe, "portal_id", "0")
        finally:
            probe.close()
        self.options = options
        self.group_name = f"privateapp-ten-secondly:{portal_id}"
        self.api = PortalApi(options.api_limits(), options.api_versions)
        self.limiter = RateLimiter(
            tier=options.tier,
            window_limit=options.rate_limit,
            window_ms=options.rate_window_ms,
            daily_limit=options.daily_limit,
            search_per_second=options.search_per_second,
            search_window_ms=options.search_window_ms,
        )
        self.faults = FaultPlan(
            seed=options.seed,
            fault_429=options.fault_429,
            fault_5xx=options.fault_5xx,
            fault_reset=options.fault_reset,
            fault_slow=options.fault_slow,
            latency_ms=options.latency_ms,
        )
        self.definitions = DefinitionCache()
        self._stats = _Stats()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._token = options.token.encode()
        self._work_slots = threading.BoundedSemaphore(WORK_SLOTS)
        self._search_slots = threading.BoundedSemaphore(SEARCH_SLOTS)
        self._tcp = _TCPServer((host, port), self)
        bound_host, bound_port = self._tcp.server_address[:2]
        self.host, self.port = bound_host, bound_port
        self.url = f"http://{bound_host}:{bound_port}"

    # --- lifecycle ---

    def start(self) -> PortalServer:
        """Serve in a background thread; the socket is already listening when this returns."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._tcp.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="portal-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until stop() or KeyboardInterrupt."""
        try:
            self._tcp.serve_forever(poll_interval=0.2)
        finally:
            self._close()

    def stop(self) -> None:
        if self._thread is not None:
            self._tcp.shutdown()
            self._thread.join()
            self._thread = None
        self._close()

    def _close(self) -> None:
        self._stopping.set()  # wakes stalled (slow / latency) requests
        self._tcp.server_close()
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stats(self) -> dict:
        """Counters since start: requests, served (budget used), 429s by policy, faults, by endpoint."""
        snapshot = self._stats.snapshot()
        snapshot["daily_used"] = self.limiter.daily_used
        return snapshot

    def _track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    # --- one request ---

    def answer(
        self,
        reader: PortalReader,
        method: str,
        path: str,
        raw_query: str,
        headers: dict[str, str],
        body: bytes,
    ) -> _Answer:
        """One request's answer; every answer carries X-HubSpot-Correlation-Id, the id in its error body."""
        correlation = new_correlation_id()
        answer = self._answer(reader, method, path, raw_query, headers, body)
        answer.headers[CORRELATION_HEADER] = correlation
        return answer

    def _answer(
        self,
        reader: PortalReader,
        method: str,
        path: str,
        raw_query: str,
        headers: dict[str, str],
        body: bytes,
    ) -> _Answer:
        draw = self.faults.draw()
        if draw.latency_seconds:
            self._stopping.wait(draw.latency_seconds)
        route, params = self.api.resolve(method, path)
        search = route is not None and route.search and method == "POST"

        if not self._authorized(headers.get("authorization")):
            self._stats.record(401, unauthorized=True)
            body_401 = error_body(AUTH_MISSING_MESSAGE, "INVALID_AUTHENTICATION")
            return _Answer(401, orjson.dumps(body_401), {"X-HubSpot-Auth-Failure": "401 Unauthorized"})

        if draw.fault == "429":
            policy = "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
            self._stats.record(429, fault="429")
            return _Answer(
                429,
                orjson.dumps(rate_limit_body(policy, self.group_name)),
                self.limiter.current_headers(search=search),
            )
        decision = self.limiter.admit(search=search)
        if not decision.allowed:
            self._stats.record(429, policy=decision.policy)
            return _Answer(
                429, orjson.dumps(rate_limit_body(decision.policy, self.group_name)), decision.headers
            )

        endpoint = f"{method} {route.template}" if route is not None else "unrouted"
        api_version = None if route is None else "legacy" if route.family == "legacy" else params["version"]
        if draw.fault == "5xx":
            self._stats.record(draw.status, endpoint=endpoint, api_version=api_version, fault="5xx")
            return _Answer(draw.status, orjson.dumps(_server_error_body(draw.status)), dict(decision.headers))

        # Paging links follow the Host the client used (e.g. a container name), else the bound address.
        host = headers.get("host")
        base_url = f"http://{host}" if host and "/" not in host else self.url
        request = Request(method, path, raw_query, body, base_url, params)
        with self._search_slots if search else self._work_slots:
            answer = self._serve(reader, route, request)
        answer.headers.update(decision.headers)
        self._stats.record(answer.status, endpoint=endpoint, api_version=api_version, fault=draw.fault)
        if draw.fault == "slow":
            self._stopping.wait(self.options.slow_seconds)
        elif draw.fault == "reset":
            answer.reset_fraction = draw.reset_fraction
        return answer

    def _serve(self, reader: PortalReader, route: Route | None, request: Request) -> _Answer:
        try:
            status, payload = self.api.handle(reader, route, request)
            return _Answer(status, payload)
        except ApiError as error:
            return _Answer(error.status, error.payload(), dict(error.headers))
        except Exception:  # a bug, not bad input: still a JSON answer, and logged
            log.exception("portal server failed on %s %s", request.method, request.path)
            body = error_body("internal error", "INTERNAL_ERROR")
            return _Answer(500, orjson.dumps(body))

    def _authorized(self, header: str | None) -> bool:
        if not header:
            return False
        scheme, _, credentials = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credentials.strip().encode(), self._token)


def _server_error_body(status: int) -> dict:
    messages = {
        500: ("internal error", "INTERNAL_ERROR"),
        502: ("Bad Gateway: the server received an invalid response from an upstream server", "BAD_GATEWAY"),
        503: (
            "Service Unavailable: the service is temporarily overloaded, try again later",
            "SERVICE_UNAVAILABLE",
        ),
        504: ("Gateway Timeout: the upstream server did not answer in time", "GATEWAY_TIMEOUT"),
    }
    message, category = messages[status]
    return error_body(message, category)


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


_date_cache: list = [0, ""]


def _http_date() -> str:
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, email.utils.formatdate(now, usegmt=True)]
    return _date_cache[1]


class _Handler(socketserver.StreamRequestHandler):
    """A minimal HTTP/1.1 keep-alive loop, so every answer (even to garbage) is HubSpot-style JSON."""

    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT_SECONDS
    server: _TCPServer

    def setup(self) -> None:
        super().setup()
        self.app = self.server.app
        self.reader = PortalReader(self.app.portal_path, self.app.definitions)
        self.app._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.reader.close()
            self.app._untrack(self.connection)

    def handle(self) -> None:
        try:
            while self._one_request():
                pass
        except (OSError, ValueError):  # client went away, timed out, or we reset the connection
            pass

    def _one_request(self) -> bool:
        """Read and answer one request; False when the connection should close."""
        max_url = self.app.options.max_url_length
        line_limit = max_url + 1024
        line = self.rfile.readline(line_limit + 1)
        if not line:
            return False
        if line in (b"\r\n", b"\n"):
            return True
        if not line.endswith(b"\n"):
            if len(line) <= line_limit:
                return False  # connection closed mid-line
            self._drain_line()
            self._read_headers(lenient=True)
            self._refuse(414, f"Request-URI too long: the request line exceeds {max_url:,} characters")
            return False
        try:
            method, target, version = line.decode("latin-1").split()
        except ValueError:
            self._refuse(400, "Malformed request line")
            return False
        if not version.startswith("HTTP/1."):
            self._refuse(400, f"Unsupported protocol version {version}")
            return False
        try:
            headers = self._read_headers()
            if len(target) > max_url:
                self._drain_body(headers)
                self._refuse(
                    414, f"Request-URI too long: {len(target):,} characters, the limit is {max_url:,}"
                )
                return False
            body = self._read_body(headers)
        except _BadRequest as bad:
            self._refuse(bad.status, str(bad))
            return False

        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            path, raw_query = parts.path or "/", parts.query
        else:
            path, _, raw_query = target.partition("?")
        method = method.upper()
        answer = self.app.answer(self.reader, method, unquote(path), raw_query, headers, body)
        if answer.reset_fraction is not None:
            self._send_and_reset(answer)
            return False
        if method == "HEAD":  # a HEAD answer has no body, or the next response on the connection breaks
            self.wfile.write(self._head(answer.status, len(answer.body), answer.headers, not keep_alive))
            return keep_alive
        self._send(answer.status, answer.body, answer.headers, close=not keep_alive)
        return keep_alive

    # --- reading ---

    def _drain_line(self) -> None:
        drained = 0
        while drained < MAX_DRAIN_BYTES:
            chunk = self.rfile.readline(MAX_HEADER_LINE)
            if not chunk or chunk.endswith(b"\n"):
                return
            drained += len(chunk)

    def _read_headers(self, lenient: bool = False) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_HEADER_LINE + 1)
            if not line or line in (b"\r\n", b"\n"):
                return headers
            if len(line) > MAX_HEADER_LINE:
                if lenient:
                    self._drain_line()
                    continue
                raise _BadRequest(431, "Request header line too long")
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if lenient:
            return headers
        raise _BadRequest(431, f"Too many request headers (more than {MAX_HEADERS})")

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        raw_length = headers.get("content-length")
        if not raw_length:
            return b""
        if not raw_length.isdigit():
            raise _BadRequest(400, f"Invalid Content-Length {raw_length!r}")
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            raise _BadRequest(
                413, f"Request body too large ({length:,} bytes, the limit is {MAX_BODY_BYTES:,})"
            )
        body = self.rfile.read(length)
        if len(body) < length:
            raise OSError("connection closed while reading the body")
        return body

    def _read_chunked(self) -> bytes:
        parts, total = [], 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, "Malformed chunked request body") from None
            if size == 0:
                self._read_headers(lenient=True)  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadRequest(413, "Request body too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _drain_body(self, headers: dict[str, str]) -> None:
        raw_length = headers.get("content-length", "")
        if raw_length.isdigit() and int(raw_length) <= MAX_BODY_BYTES:
            self.rfile.read(int(raw_length))

    # --- writing ---

    def _head(self, status: int, length: int, headers: dict[str, str], close: bool) -> bytes:
        lines = [
            f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}",
            "Content-Type: application/json;charset=utf-8",
            f"Content-Length: {length}",
            f"Date: {_http_date()}",
        ]
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, status: int, body: bytes, headers: dict[str, str], close: bool = False) -> None:
        """Head and body in one gathered write: no copy of a large body, no small-segment stall."""
        buffers = [memoryview(self._head(status, len(body), headers, close)), memoryview(body)]
        while buffers:
            sent = self.connection.sendmsg(buffers)
            while buffers and sent >= len(buffers[0]):
                sent -= len(buffers[0])
                buffers.pop(0)
            if buffers and sent:
                buffers[0] = buffers[0][sent:]

    def _refuse(self, status: int, message: str) -> None:
        """Answer a request that never reached the API (bad framing, too long) and close."""
        category = "VALIDATION_ERROR"
        self.app._stats.record(status)
        correlation = new_correlation_id()
        with contextlib.suppress(OSError):
            body = orjson.dumps(error_body(message, category))
            self._send(status, body, {CORRELATION_HEADER: correlation}, close=True)

    def _send_and_reset(self, answer: _Answer) -> None:
        """Headers and part of the body, then a TCP reset (SO_LINGER 0), as a dropped connection looks."""
        cut = max(1, int(len(answer.body) * (answer.reset_fraction or 0.5)))
        head = self._head(answer.status, len(answer.body), answer.headers, close=False)
        try:
            self.wfile.write(head + answer.body[: min(cut, len(answer.body) - 1)])
        finally:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            for stream in (self.wfile, self.rfile):
                with contextlib.suppress(OSError):
                    stream.close()
            self.connection.close()
