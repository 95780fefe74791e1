"""A local OpenID Connect provider for sign-in tests: `oidc-provider-mock` (PyPI) served on 127.0.0.1.

The provider runs as its own process (its command line, uvicorn) under the dashboard tests' supervisor, so it
stops when the test process goes away. Any client id and secret are accepted; the users are given up front
with their claims (`email`, `email_verified`, ...). On its authorization page, a user is picked by clicking
the button that shows their `sub` (or by typing a `sub`: an unknown one gets `email` = the `sub`).

    with OidcProvider([OidcUser("ana", "ana@example.com")]).running(tmp_path) as provider:
        env = provider.dashboard_env(dashboard_port, allowed_domains="example.com")

or the `oidc_provider` fixture (import it into a test module), which starts one provider per module with
ALLOWED_USER and FOREIGN_USER.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dashboard_server import SUPERVISOR, end_supervised, free_port


@dataclass(frozen=True)
class OidcUser:
    sub: str
    email: str
    email_verified: bool = True
    name: str | None = None

    def claims(self) -> dict:
        claims = {"sub": self.sub, "email": self.email, "email_verified": self.email_verified}
        if self.name:
            claims["name"] = self.name
        return claims


ALLOWED_USER = OidcUser("ana", "ana@example.com", name="Ana Allowed")
FOREIGN_USER = OidcUser("otto", "otto@elsewhere.org", name="Otto Outside")
UNVERIFIED_USER = OidcUser("una", "una@example.com", email_verified=False, name="Una Unverified")


@dataclass
class OidcProvider:
    users: list[OidcUser]
    port: int = field(default_factory=free_port)
    client_id: str = "onefunnel-dashboard"
    client_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def start(self, log_path: Path, timeout: float = 60.0) -> OidcProvider:
        command = [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        for user in self.users:
            command += ["--user-claims", json.dumps(user.claims())]
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.log_path = log_path
        self.process = subprocess.Popen(
            [sys.executable, "-c", SUPERVISOR, *command],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # readiness wait, not a timing assertion
            if self.process.poll() is not None:
                raise RuntimeError(f"the OIDC provider exited early; log: {log_path.read_text()[-2000:]}")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(self.metadata_url, timeout=2) as response,  # noqa: S310 - 127.0.0.1
            ):
                if response.status == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the OIDC provider did not answer within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process is None:
            return
        end_supervised(self.process)
        self._log.close()
        self.process = None

    @contextlib.contextmanager
    def running(self, folder: Path) -> Iterator[OidcProvider]:
        self.start(folder / "oidc-provider.log")
        try:
            yield self
        finally:
            self.stop()

    def dashboard_env(self, dashboard_port: int, allowed_domains: str | None = None) -> dict[str, str]:
        """The variables that turn the dashboard's sign-in on against this provider."""
        env = {
            "ONEFUNNEL_DASHBOARD_AUTH_REDIRECT_URI": f"http://127.0.0.1:{dashboard_port}/oauth2callback",
            "ONEFUNNEL_DASHBOARD_AUTH_COOKIE_SECRET": secrets.token_hex(32),
            "ONEFUNNEL_DASHBOARD_AUTH_CLIENT_ID": self.client_id,
            "ONEFUNNEL_DASHBOARD_AUTH_CLIENT_SECRET": self.client_secret,
            "ONEFUNNEL_DASHBOARD_AUTH_SERVER_METADATA_URL": self.metadata_url,
        }
        if allowed_domains is not None:
            env["ONEFUNNEL_DASHBOARD_ALLOWED_EMAIL_DOMAINS"] = allowed_domains
        return env


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """A provider on 127.0.0.1 knowing ALLOWED_USER (example.com), FOREIGN_USER (elsewhere.org) and
    UNVERIFIED_USER (example.com, e-mail not verified); stopped after the module, even on failure."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    with OidcProvider([ALLOWED_USER, FOREIGN_USER, UNVERIFIED_USER]).running(folder) as provider:
        yield provider
