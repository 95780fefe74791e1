"""Run docker-compose.yml's services as local processes: what a Docker host would run, minus the containers.

For each service this reads the compose file(s) the way `docker compose` does — variable interpolation
(`${X}`, `${X:-default}`, `${X-default}`, `${X:?message}`, `$$`), YAML merge keys, override files merged
onto the base, `env_file`, `environment`, `working_dir`, `command`, `depends_on` conditions and
`healthcheck` — and starts the service's command with that environment, on this host:

- the image's environment (the Dockerfile's `ENV`) comes first, as in a container;
- container paths are remapped to local folders (`/opt/onefunnel` -> the checkout, `/data` -> a temporary
  folder, ...): `PathMap`;
- a service's container port gets a free local port, and `<service>:<port>` (Docker's DNS name) and
  `localhost:<port>` (in its healthcheck) point at it: `listen` tells each service how to bind its port;
- `up()` starts services in dependency order, waits for `service_healthy` by running the service's own
  healthcheck command here, and for `service_completed_successfully` by waiting for the command's exit 0.

What only a Docker host shows is listed in docs/airflow.md (image build, volume ownership, container DNS,
restart policies). Every process started is stopped by `down()` (also on failure: use it as a context
manager); each writes its output to `<logs>/<service>.log`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class ComposeError(ValueError):
    """The compose file cannot be run as written; the message names the service, key or variable."""


# ----------------------------------------------------------------------------------------- interpolation
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>.*))?", re.DOTALL)


def interpolate(value: str, variables: Mapping[str, str], where: str = "") -> str:
    """Compose's variable substitution of one string (nested defaults such as ${A:-${B}} included)."""
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char != "$" or index + 1 == len(value):
            out.append(char)
            index += 1
            continue
        following = value[index + 1]
        if following == "$":
            out.append("$")
            index += 2
            continue
        if following == "{":
            depth, cursor = 1, index + 2
            while cursor < len(value) and depth:
                depth += {"{": 1, "}": -1}.get(value[cursor], 0)
                cursor += 1
            if depth:
                raise ComposeError(f"{where or 'compose'}: unclosed '${{' in {value!r}")
            out.append(_substitute(value[index + 2 : cursor - 1], variables, where, value))
            index = cursor
            continue
        plain = _NAME.match(value, index + 1)
        if plain:
            out.append(variables.get(plain.group(), ""))
            index = plain.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _substitute(expression: str, variables: Mapping[str, str], where: str, whole: str) -> str:
    parsed = _BRACED.fullmatch(expression)
    if parsed is None:
        raise ComposeError(f"{where or 'compose'}: invalid substitution '${{{expression}}}' in {whole!r}")
    name, op, arg = parsed.group("name"), parsed.group("op"), parsed.group("arg") or ""
    present = name in variables
    empty = present and variables[name] == ""
    if op in (":-", "-"):
        missing = not present or (op == ":-" and empty)
        return interpolate(arg, variables, where) if missing else variables[name]
    if op in (":?", "?"):
        if not present or (op == ":?" and empty):
            raise ComposeError(f"{where or 'compose'}: variable {name} is required: {arg or 'not set'}")
        return variables[name]
    return variables.get(name, "")


def _interpolate_tree(node: Any, variables: Mapping[str, str], where: str) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables, where)
    if isinstance(node, list):
        return [_interpolate_tree(item, variables, where) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables, f"{where}.{key}") for key, value in node.items()}
    return node


def _merge(base: Any, override: Any) -> Any:
    """Compose's merge of an override file: mappings merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def load_compose(files: Iterable[Path], variables: Mapping[str, str]) -> dict:
    """The compose model of `files` (base first, overrides after), interpolated with `variables`."""
    model: dict = {}
    for path in files:
        document = yaml.safe_load(Path(path).read_text()) or {}
        document = {key: value for key, value in document.items() if not str(key).startswith("x-")}
        document.setdefault("services", {})
        for name, service in document["services"].items():
            if "environment" in service:
                service["environment"] = _environment_mapping(service["environment"], name)
        model = _merge(model, document)
    return _interpolate_tree(model, variables, "compose")


def _environment_mapping(environment: Any, service: str) -> dict[str, str]:
    if isinstance(environment, dict):
        return {str(key): "" if value is None else str(value) for key, value in environment.items()}
    if isinstance(environment, list):
        pairs = {}
        for item in environment:
            key, _, value = str(item).partition("=")
            pairs[key] = value
        return pairs
    raise ComposeError(f"service {service}: environment must be a mapping or a list")


def dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments and blank lines ignored, no quotes processing)."""
    values = {}
    for line in Path(path).read_text().splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "=" in stripped:
            key, _, value = stripped.partition("=")
            values[key.strip()] = value
    return values


# A container's PATH before the Dockerfile's ENV extends it (Docker's default for Linux images).
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def image_environment(dockerfile: Path) -> dict[str, str]:
    """The `ENV` of a Dockerfile (KEY=VALUE forms, `$VAR` expanded from earlier ENVs and the default PATH)."""
    text = re.sub(r"\\\n", " ", Path(dockerfile).read_text())
    values: dict[str, str] = {"PATH": DEFAULT_PATH}
    for line in text.splitlines():
        if not line.startswith("ENV "):
            continue
        for token in shlex.split(line[4:]):
            key, _, value = token.partition("=")
            values[key] = interpolate(value, values)
    return values


# ----------------------------------------------------------------------------------------- remapping
@dataclass
class PathMap:
    """Container path prefixes -> local paths (the longest prefix wins)."""

    prefixes: dict[str, Path]

    def apply(self, text: str) -> str:
        for prefix in sorted(self.prefixes, key=len, reverse=True):
            pattern = re.compile(rf"(?<![\w./-]){re.escape(prefix)}(?=/|$|[\s'\":;,)])")
            text = pattern.sub(lambda _match, p=prefix: str(self.prefixes[p]), text)
        return text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def container_ports(service: dict) -> list[int]:
    """The container side of each `ports` entry ("127.0.0.1:8080:8080" -> 8080)."""
    ports = []
    for entry in service.get("ports", []):
        target = entry.get("target") if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1]
        ports.append(int(str(target).split("/")[0]))
    return ports


# How a service binds its container port on this host: (extra environment, argv rewrite) for a local port.
Listen = Callable[[int, int, list[str]], tuple[dict[str, str], list[str]]]


@dataclass
class LocalService:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    healthcheck: list[str] | None
    depends_on: dict[str, str]
    process: subprocess.Popen | None = None
    log_path: Path | None = None


@dataclass
class ComposeProcesses:
    """docker-compose.yml's services as processes on this host (see the module doc)."""

    files: list[Path]
    variables: dict[str, str]  # what `.env` holds (interpolation and env_file)
    dockerfile: Path
    paths: PathMap
    logs: Path
    base_env: dict[str, str]  # the host environment a container would not have, but a process needs
    listen: dict[str, Listen] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)  # "postgres:5432" -> "127.0.0.1:54321"
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)  # per service ("*": every service)
    replaced: set[str] = field(default_factory=set)  # services this host provides otherwise (Postgres)
    # service -> {container port: local port}; given ones are kept (a URL needed before start), the rest free
    ports: dict[str, dict[int, int]] = field(default_factory=dict)
    started: list[LocalService] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.model = load_compose(self.files, self.variables)
        self.services = self.model["services"]
        for name, service in self.services.items():
            if name in self.replaced:
                continue
            given = self.ports.get(name, {})
            mapping = {port: given.get(port) or free_port() for port in container_ports(service)}
            self.ports[name] = mapping
            for container, local in mapping.items():
                self.hosts[f"{name}:{container}"] = f"127.0.0.1:{local}"

    def url(self, service: str, container_port: int, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.ports[service][container_port]}{path}"

    # ------------------------------------------------------------------------------ one service
    def _rewrite(self, text: str, service: str) -> str:
        text = self.paths.apply(text)
        for address, local in self.hosts.items():
            text = re.sub(rf"(?<![\w.-]){re.escape(address)}(?!\d)", local, text)
        for container, local in self.ports.get(service, {}).items():
            text = re.sub(rf"\blocalhost:{container}(?!\d)", f"127.0.0.1:{local}", text)
        return text

    def local(self, name: str) -> LocalService:
        if name not in self.services:
            raise ComposeError(f"no service {name!r} in {', '.join(str(path) for path in self.files)}")
        service = self.services[name]
        command = service.get("command")
        if not command:
            raise ComposeError(f"service {name}: no command (the image's default command is not read)")
        argv = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
        env = dict(self.base_env)
        env.update(image_environment(self.dockerfile))
        for entry in service.get("env_file", []):
            path = entry.get("path") if isinstance(entry, dict) else entry
            if Path(path).name == ".env":  # the variables this runner was given stand for .env
                env.update(self.variables)
            elif Path(path).exists():
                env.update(dotenv(Path(path)))
            elif not (isinstance(entry, dict) and entry.get("required") is False):
                raise ComposeError(f"service {name}: env_file {path} does not exist")
        env.update(service.get("environment", {}))
        env.update(self.extra_env.get("*", {}))
        env.update(self.extra_env.get(name, {}))
        env = {key: self._rewrite(value, name) for key, value in env.items()}
        argv = [self._rewrite(part, name) for part in argv]
        if name in self.listen:
            for container, local in self.ports.get(name, {}).items():
                bind_env, argv = self.listen[name](container, local, argv)
                env.update(bind_env)
        cwd = Path(self._rewrite(service.get("working_dir") or env.get("PWD") or "/opt/onefunnel", name))
        healthcheck = None
        if "healthcheck" in service and not service["healthcheck"].get("disable"):
            test = service["healthcheck"]["test"]
            test = shlex.split(test) if isinstance(test, str) else list(test)
            if test[0] == "CMD-SHELL":
                healthcheck = ["bash", "-c", self._rewrite(" ".join(test[1:]), name)]
            elif test[0] == "CMD":
                healthcheck = [self._rewrite(part, name) for part in test[1:]]
            elif test[0] != "NONE":
                raise ComposeError(f"service {name}: healthcheck test must start with CMD or CMD-SHELL")
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            depends = {dependency: {"condition": "service_started"} for dependency in depends}
        return LocalService(
            name=name,
            argv=argv,
            env=env,
            cwd=cwd,
            healthcheck=healthcheck,
            depends_on={key: value.get("condition", "service_started") for key, value in depends.items()},
        )

    def start(self, name: str) -> LocalService:
        service = self.local(name)
        self.logs.mkdir(parents=True, exist_ok=True)
        service.log_path = self.logs / f"{name}.log"
        log = open(service.log_path, "ab")  # noqa: SIM115 - closed with the process in down()
        try:
            service.process = subprocess.Popen(  # noqa: S603 - the compose file's command
                service.argv,
                cwd=service.cwd,
                env=service.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: down() stops its children too
            )
        finally:
            log.close()
        self.started.append(service)
        return service

    def healthy(self, service: LocalService) -> bool:
        if service.healthcheck is None:
            return service.process is not None and service.process.poll() is None
        try:
            completed = subprocess.run(  # noqa: S603 - the compose file's healthcheck
                service.healthcheck,
                cwd=service.cwd,
                env=service.env,
                capture_output=True,
                timeout=60,
            )
        except subprocess.TimeoutExpired:
            return False
        return completed.returncode == 0

    def wait_healthy(self, service: LocalService, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # readiness wait, not a timing assertion
            if service.process is not None and service.process.poll() is not None:
                raise ComposeError(f"service {service.name} exited: {self.tail(service)}")
            if self.healthy(service):
                return
            time.sleep(2)
        raise ComposeError(f"service {service.name} not healthy within {timeout:.0f}s: {self.tail(service)}")

    def wait_completed(self, service: LocalService, timeout: float) -> None:
        try:
            code = service.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ComposeError(f"service {service.name} still running after {timeout:.0f}s") from None
        if code != 0:
            raise ComposeError(f"service {service.name} exited with {code}: {self.tail(service)}")

    @staticmethod
    def tail(service: LocalService, characters: int = 3000) -> str:
        if service.log_path is None or not service.log_path.exists():
            return "(no output)"
        return service.log_path.read_text(errors="replace")[-characters:]

    # ------------------------------------------------------------------------------ many services
    def order(self, names: Iterable[str]) -> list[str]:
        """`names` and what they depend on, dependencies first (services replaced on this host left out)."""
        ordered: list[str] = []
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in ordered or name in self.replaced:
                return
            if name in visiting:
                raise ComposeError(f"depends_on cycle through {name}")
            visiting.add(name)
            for dependency in self.local(name).depends_on:
                visit(dependency)
            visiting.discard(name)
            ordered.append(name)

        for name in names:
            visit(name)
        return ordered

    def up(self, names: Iterable[str], timeout: float = 300.0) -> dict[str, LocalService]:
        """Start `names` (and their dependencies) honouring each depends_on condition."""
        running: dict[str, LocalService] = {}
        for name in self.order(names):
            service = self.local(name)
            for dependency, condition in service.depends_on.items():
                if dependency in self.replaced:
                    continue
                if condition == "service_healthy":
                    self.wait_healthy(running[dependency], timeout)
                elif condition == "service_completed_successfully":
                    self.wait_completed(running[dependency], timeout)
            running[name] = self.start(name)
        return running

    def down(self, grace: float = 20.0) -> None:
        """Stop every started process group: SIGTERM, then SIGKILL after `grace` seconds."""
        for service in reversed(self.started):
            process = service.process
            if process is None or process.poll() is not None:
                continue
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + grace
        for service in reversed(self.started):
            process = service.process
            if process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # whatever is left of the group (the command's own children included)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            if process.poll() is None:
                process.wait(timeout=10)

    def __enter__(self) -> ComposeProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()
