"""A throwaway PostgreSQL server from the system's packages (Debian: /usr/lib/postgresql/<v>/bin), for tests
and local runs that need a real Postgres: its own data folder, 127.0.0.1 only, a free port, stopped and
deleted by `stop()`.

initdb refuses to run as root; as root the server runs as the `postgres` system user (runuser), in a data
folder of its own outside the caller's (possibly private) temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from onefunnel.deploy.compose import free_port


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (the message names the package)."""


def postgres_bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl): install the Debian "
            "package `postgresql` (make system-packages)"
        )
    return found[-1].parent


@dataclass
class LocalPostgres:
    user: str
    password: str
    database: str
    port: int = field(default_factory=free_port)
    root: Path | None = None
    bin_dir: Path = field(default_factory=postgres_bin_dir)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start(self, timeout: float = 60.0) -> LocalPostgres:
        self.root = Path(tempfile.mkdtemp(prefix="onefunnel-postgres-"))
        data, password_file = self.root / "data", self.root / "password"
        password_file.write_text(self.password)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o700)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
        run = [
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            self.user,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--no-sync",
        ]
        self._run(run, timeout)
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.root / "server.log"
        self._run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
            timeout,
        )
        env = dict(os.environ, PGPASSWORD=self.password)
        deadline = time.monotonic() + timeout
        while True:  # readiness wait, not a timing assertion
            ready = subprocess.run(  # noqa: S603 - fixed argv
                [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
            )
            if ready.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        subprocess.run(  # noqa: S603 - fixed argv
            [
                str(self.bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                self.database,
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return self

    def _run(self, argv: list[str], timeout: float) -> None:
        completed = subprocess.run(  # noqa: S603 - fixed argv
            self._as_owner(argv), capture_output=True, text=True, timeout=timeout, cwd=self.root
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed: {completed.stdout}{completed.stderr}")

    def stop(self) -> None:
        if self.root is None:
            return
        with contextlib.suppress(Exception):
            self._run(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.root / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                60,
            )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
