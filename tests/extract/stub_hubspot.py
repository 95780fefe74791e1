"""A tiny HubSpot-shaped HTTP server for tests the local portal cannot stage (a 403 MISSING_SCOPES, a
portal with or without Leads): started on 127.0.0.1:0 by the test that uses it, stopped after.

`answers` maps (method, path regex) to a function (match, query, body) -> (status, JSON body); the first
match wins, anything else answers 404 like HubSpot's unknown paths. Every request is logged in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Answer = Callable[[re.Match, dict, dict | None], tuple[int, dict]]

# HubSpot's 403 for a token without the scope (category MISSING_SCOPES, scopes per error entry).
MISSING_SCOPES_BODY = {
    "status": "error",
    "message": "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes.",
    "correlationId": "0d1e2f3a-0000-4000-8000-000000000403",
    "errors": [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredGranularScopes": ["crm.objects.leads.read"]},
        }
    ],
    "links": {"scopes": "https://developers.hubspot.com/scopes"},
    "category": "MISSING_SCOPES",
}


def missing_scopes(*scopes: str) -> dict:
    body = json.loads(json.dumps(MISSING_SCOPES_BODY))
    body["errors"][0]["context"]["requiredGranularScopes"] = list(scopes)
    return body


class StubHubSpot:
    def __init__(self, answers: list[tuple[str, str, Answer]], token: str) -> None:
        self.answers = [(method, re.compile(f"^{pattern}$"), fn) for method, pattern, fn in answers]
        self.token = token
        self.requests: list[tuple[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:  # quiet test output
                return

            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                stub.requests.append((method, parts.path))
                if self.headers.get("Authorization") != f"Bearer {stub.token}":
                    status, body = (
                        401,
                        {"status": "error", "message": "Authentication credentials not found."},
                    )
                else:
                    status, body = 404, {"status": "error", "message": f"No route {method} {parts.path}"}
                    for verb, pattern, fn in stub.answers:
                        match = pattern.match(parts.path)
                        if verb == method and match:
                            status, body = fn(match, parse_qs(parts.query), json.loads(raw) if raw else None)
                            break
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubHubSpot:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
