"""The landing zone on S3-compatible object storage: `ONEFUNNEL_LANDING_URL=s3://bucket/prefix`.

Endpoint and credentials come from the environment as every AWS client reads them (`AWS_ENDPOINT_URL`,
`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_DEFAULT_REGION`, a profile...);
nothing here logs them. Keys under the prefix mirror the local layout (layout.py):

    <prefix>/<dataset>/run_id=<run_id>/part-<NNNNN>.parquet   data, written once, never overwritten
    <prefix>/_drift/<run_id>.json                              schema drift of the run
    <prefix>/_runs/<run_id>.json                               run manifest: THE publication of a run
    <prefix>/_state/<object>.json                              watermark + checkpoint per object
    <prefix>/_state/.lock                                      one extraction at a time (conditional put)

S3 has no rename, so atomicity is write-then-publish:

1. An extraction takes the lock: `PUT _state/.lock` with `If-None-Match: *` succeeds for one writer only.
2. It downloads the state, runs the ordinary extractor into a private local work folder (so checkpoints,
   retries and the Parquet writer are the local ones, unchanged), then uploads the run's parts. Every PUT
   is all-or-nothing, and a part's key is unique to its run, so an uploaded part is never half visible and
   never replaces another. Parts not yet listed by a manifest are invisible to readers (they read only
   what a manifest lists), which makes the run's own keys its temporary area: no copy is needed.
3. The run manifest is written LAST, with `If-None-Match: *` (a manifest is never overwritten). It lists
   every part key with its size. From that instant the run exists for readers; before it, it does not.
4. Only then is the state uploaded (a crash before this re-extracts from the previous watermark: landed
   twice, removed by the warehouse's dedup), and the lock deleted.

A run killed between 2 and 3 leaves unlisted parts: readers ignore them; `unlisted_keys` names them.

Readers (`sync_landing`) never list data keys: they list `_runs/`, read each manifest and fetch exactly the
parts it names into a local mirror with the local layout (a run's manifest last, as locally), checking
each part's size and Parquet footer. dbt then builds from the mirror through DuckDB as from any landing
zone. Parts are immutable, so a mirror downloads each published run once (incremental builds fetch only
new runs). Why a mirror rather than DuckDB reading s3:// itself: DuckDB 2.0.0's httpfs extension is not
bundled and not installable offline (the PyPI package stops at 1.5.5), and a glob over s3:// would read
unpublished parts; the mirror reads exactly what manifests list.
"""

from __future__ import annotations

import os
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from onefunnel.files import PRIVATE_FILE_MODE, private_dir
from onefunnel.landing import layout
from onefunnel.landing import runs as landing_runs

if TYPE_CHECKING:
    from onefunnel.hubspot.runner import ExtractOptions, RunSummary

LANDING_URL_ENV = "ONEFUNNEL_LANDING_URL"
STATE_PREFIX = "_state"
LOCK_NAME = ".lock"
SIDE_PREFIXES = (layout.RUNS_DIR, layout.DRIFT_DIR, STATE_PREFIX)
UPLOAD_THREADS = 8


class ObjectStoreError(RuntimeError):
    """A landing URL or an object store that cannot be used; the message names the problem."""


class AlreadyExistsError(ObjectStoreError):
    """A create-only put found the key taken (a run manifest, the extraction lock)."""


@dataclass(frozen=True)
class LandingUrl:
    bucket: str
    prefix: str  # no leading or trailing slash; may be empty

    @classmethod
    def parse(cls, url: str) -> LandingUrl:
        text = (url or "").strip()
        if not text.startswith("s3://"):
            raise ObjectStoreError(
                f"{LANDING_URL_ENV} must be s3://<bucket>/<prefix>, not {text!r} (only S3-compatible object "
                "storage is supported; for a local folder set ONEFUNNEL_LANDING_DIR instead)"
            )
        bucket, _, prefix = text[len("s3://") :].partition("/")
        if not bucket:
            raise ObjectStoreError(f"{LANDING_URL_ENV} {text!r} names no bucket: use s3://<bucket>/<prefix>")
        prefix = prefix.strip("/")
        if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
            raise ObjectStoreError(f"{LANDING_URL_ENV} {text!r}: a prefix segment is empty, '.' or '..'")
        return cls(bucket, prefix)

    def key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def relative(self, key: str) -> str:
        return key[len(self.prefix) + 1 :] if self.prefix else key

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


def landing_url() -> LandingUrl | None:
    """The configured object-storage landing zone, or None for the local one."""
    from onefunnel import config

    text = config.landing_url()
    return LandingUrl.parse(text) if text else None


class ObjectStore:
    """The few S3 calls the landing zone needs, through boto3 (credentials and endpoint from the env)."""

    def __init__(self, url: LandingUrl, client: Any = None) -> None:
        self.url = url
        self.client = client if client is not None else _client()

    def _call(self, what: str, function, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return function(Bucket=self.url.bucket, **kwargs)
        except NoCredentialsError:
            raise ObjectStoreError(
                f"no S3 credentials for {self.url}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or an AWS profile)"
            ) from None
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("PreconditionFailed", "412"):
                raise AlreadyExistsError(
                    f"{what}: s3://{self.url.bucket}/{kwargs.get('Key')} exists"
                ) from None
            if code == "NoSuchBucket":
                raise ObjectStoreError(f"{what}: the bucket {self.url.bucket!r} does not exist") from None
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                raise ObjectStoreError(f"{what}: access to {self.url} refused ({code})") from None
            raise ObjectStoreError(f"{what} on {self.url} failed: {code or error}") from None
        except BotoCoreError as error:
            raise ObjectStoreError(f"{what} on {self.url} failed: {error}") from None

    def put(self, key: str, data: bytes, *, create_only: bool = False) -> None:
        extra = {"IfNoneMatch": "*"} if create_only else {}
        self._call(f"writing {key}", self.client.put_object, Key=key, Body=data, **extra)

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.url.bucket, Key=key)
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code", "")) in ("NoSuchKey", "404"):
                return None
            return self._call(f"reading {key}", self.client.get_object, Key=key)["Body"].read()
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self._call(f"deleting {key}", self.client.delete_object, Key=key)

    def list(self, under: str = "") -> dict[str, int]:
        """Every key under `<prefix>/<under>` with its size."""
        prefix = self.url.key(under)
        prefix = prefix + "/" if prefix else ""
        found: dict[str, int] = {}
        token = None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = self._call(f"listing {prefix or '/'}", self.client.list_objects_v2, Prefix=prefix, **extra)
            for item in page.get("Contents", ()):
                found[item["Key"]] = int(item["Size"])
            if not page.get("IsTruncated"):
                return found
            token = page["NextContinuationToken"]

    def upload(self, path: Path, key: str) -> None:
        self._call(f"uploading {key}", _upload_file(self.client, path), Key=key)

    def download(self, key: str, path: Path) -> None:
        """Into `path` atomically (hidden temporary name, 0600, rename): a mirror never shows half a part."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}{layout.TMP_SUFFIX}")
        self._call(f"downloading {key}", _download_file(self.client, tmp), Key=key)
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, path)


def _client():
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise ObjectStoreError(
            f"{LANDING_URL_ENV} needs boto3 (pip install boto3) to reach the object store"
        ) from None
    # boto3 reads AWS_ENDPOINT_URL(_S3), credentials and region from the environment itself.
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    style = os.environ.get("ONEFUNNEL_S3_ADDRESSING_STYLE", "auto")
    return boto3.session.Session().client(
        "s3", region_name=region, config=Config(s3={"addressing_style": style}, retries={"mode": "standard"})
    )


def _upload_file(client, path: Path):
    def call(Bucket: str, Key: str):
        return client.upload_file(str(path), Bucket, Key)

    return call


def _download_file(client, path: Path):
    def call(Bucket: str, Key: str):
        return client.download_file(Bucket, Key, str(path))

    return call


# --------------------------------------------------------------------------------------------------------
# Writing: one extraction into the object store.


@dataclass
class PublishedRun:
    run_id: str
    manifest_key: str
    part_keys: dict[str, int]  # key -> bytes
    state_keys: list[str] = field(default_factory=list)


def extract_to_object_store(
    options: ExtractOptions,
    url: LandingUrl | str | None = None,
    *,
    store: ObjectStore | None = None,
    credentials=None,
    on_streams=None,
    work_dir: Path | None = None,
) -> RunSummary:
    """One extraction whose parts, run manifest and state land in the object store (module docstring).
    Raises StateLockedError when another extraction holds the store's lock; a failed extraction publishes
    what it landed (as locally: its parts are a registered run) and re-raises."""
    from onefunnel.hubspot.runner import ExtractionFailed, run_extraction
    from onefunnel.landing.state import StateLockedError

    url = LandingUrl.parse(url) if isinstance(url, str) else (url or landing_url())
    if url is None:
        raise ObjectStoreError(f"no object store configured: set {LANDING_URL_ENV}=s3://<bucket>/<prefix>")
    store = store or ObjectStore(url)
    lock_key = url.key(STATE_PREFIX, LOCK_NAME)
    holder = {"host": socket.gethostname(), "pid": os.getpid(), "since": datetime.now(UTC).isoformat()}
    try:
        store.put(lock_key, orjson.dumps(holder), create_only=True)
    except AlreadyExistsError:
        current = store.get(lock_key) or b"{}"
        raise StateLockedError(
            f"another extraction is running on {url} (it holds s3://{url.bucket}/{lock_key}: "
            f"{current.decode(errors='replace')}); nothing was written: wait for it to finish (if it was "
            "killed, delete that object), then run again"
        ) from None
    try:
        with tempfile.TemporaryDirectory(prefix="onefunnel-s3-landing-", dir=work_dir) as tmp:
            landing_dir, state_dir = private_dir(Path(tmp) / "landing"), private_dir(Path(tmp) / "state")
            _download_state(store, state_dir)
            local = replace(options, landing_dir=landing_dir, state_dir=state_dir)
            try:
                summary = run_extraction(local, credentials=credentials, on_streams=on_streams)
            except ExtractionFailed as failure:
                publish_run(store, landing_dir, failure.summary.run_id, state_dir)
                raise
            publish_run(store, landing_dir, summary.run_id, state_dir)
            summary.landing_dir = str(url)
            summary.state_dir = f"{url}/{STATE_PREFIX}"
            return summary
    finally:
        store.delete(lock_key)


def _download_state(store: ObjectStore, state_dir: Path) -> None:
    for key in store.list(STATE_PREFIX):
        name = key.rsplit("/", 1)[-1]
        if name.endswith(".json") and not name.startswith("."):
            store.download(key, state_dir / name)


def publish_run(
    store: ObjectStore, landing_dir: Path, run_id: str, state_dir: Path | None = None
) -> PublishedRun:
    """Upload a finished local run (parts, drift) and publish it: its manifest last, created only if absent;
    then the state. The manifest gains `object_store.parts` (every key with its size)."""
    url = store.url
    manifest_path = Path(landing_dir) / layout.RUNS_DIR / f"{run_id}{landing_runs.MANIFEST_SUFFIX}"
    manifest = orjson.loads(manifest_path.read_bytes())
    files: dict[str, Path] = {}
    for dataset, names in sorted((manifest.get("parts") or {}).items()):
        for name in names:
            relative = f"{dataset}/{landing_runs.RUN_FOLDER_PREFIX}{run_id}/{name}"
            files[url.key(relative)] = layout.run_folder(landing_dir, dataset, run_id) / name
    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
        list(pool.map(lambda item: store.upload(item[1], item[0]), files.items()))
    drift = Path(landing_dir) / layout.DRIFT_DIR / f"{run_id}.json"
    if drift.exists():
        store.put(url.key(layout.DRIFT_DIR, drift.name), drift.read_bytes())
    sizes = {key: path.stat().st_size for key, path in files.items()}
    manifest["landing_dir"] = str(url)
    manifest["object_store"] = {
        "url": str(url),
        "parts": [{"key": url.relative(key), "bytes": size} for key, size in sorted(sizes.items())],
    }
    manifest_key = url.key(layout.RUNS_DIR, manifest_path.name)
    store.put(manifest_key, orjson.dumps(manifest, option=orjson.OPT_INDENT_2), create_only=True)
    state_keys = []
    if state_dir is not None:
        for path in sorted(Path(state_dir).glob("*.json")):
            key = url.key(STATE_PREFIX, path.name)
            store.put(key, path.read_bytes())
            state_keys.append(key)
    return PublishedRun(run_id, manifest_key, sizes, state_keys)


# --------------------------------------------------------------------------------------------------------
# Reading: exactly what the manifests list.


def published_manifests(store: ObjectStore) -> dict[str, dict]:
    """run id -> run manifest, for every run published under the store's prefix."""
    manifests = {}
    for key in sorted(store.list(layout.RUNS_DIR)):
        name = key.rsplit("/", 1)[-1]
        if name.startswith(".") or not name.endswith(landing_runs.MANIFEST_SUFFIX):
            continue
        run_id = name[: -len(landing_runs.MANIFEST_SUFFIX)]
        body = store.get(key)
        if body is not None:
            manifests[run_id] = orjson.loads(body)
    return manifests


def listed_parts(manifest: dict) -> dict[str, int]:
    """Relative key -> bytes of every part a published manifest lists."""
    listing = (manifest.get("object_store") or {}).get("parts")
    if listing is None:
        raise ObjectStoreError(
            f"run manifest of {manifest.get('run_id')} has no object_store.parts listing: not published by "
            "onefunnel's object-store landing"
        )
    return {entry["key"]: int(entry["bytes"]) for entry in listing}


def unlisted_keys(store: ObjectStore) -> list[str]:
    """Data keys no manifest lists (a run killed before publishing, or something foreign): never read."""
    listed = {key for manifest in published_manifests(store).values() for key in listed_parts(manifest)}
    found = [store.url.relative(key) for key in store.list()]
    return sorted(k for k in found if k.split("/", 1)[0] not in SIDE_PREFIXES and k not in listed)


@dataclass
class SyncReport:
    mirror_dir: Path
    runs_added: list[str]
    parts_downloaded: int
    bytes_downloaded: int
    runs_total: int


def sync_landing(
    mirror_dir: Path, url: LandingUrl | str | None = None, *, store: ObjectStore | None = None
) -> SyncReport:
    """Bring a local mirror up to date with the runs published in the object store: for each manifest the
    mirror lacks, download the parts it lists (sizes and Parquet footers checked), then its drift report,
    then the manifest itself (last: the mirror, like any landing zone, registers a run after its data)."""
    url = LandingUrl.parse(url) if isinstance(url, str) else (url or landing_url())
    if url is None:
        raise ObjectStoreError(f"no object store configured: set {LANDING_URL_ENV}=s3://<bucket>/<prefix>")
    store = store or ObjectStore(url)
    mirror_dir = private_dir(Path(mirror_dir))
    manifests = published_manifests(store)
    have = landing_runs.registered_run_ids(mirror_dir)
    added, parts, size = [], 0, 0
    for run_id, manifest in sorted(manifests.items()):
        if run_id in have:
            continue
        listing = listed_parts(manifest)

        def fetch(item, run_id=run_id):
            relative, expected = item
            target = mirror_dir / relative
            private_dir(target.parent.parent)
            private_dir(target.parent)
            store.download(url.key(relative), target)
            actual = target.stat().st_size
            problem = landing_runs.part_problem(target)
            if actual != expected or problem:
                target.unlink()
                raise ObjectStoreError(
                    f"part {relative} of run {run_id} in {url}: "
                    + (problem or f"{actual} bytes, its manifest says {expected}")
                )
            return actual

        with ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
            sizes = list(pool.map(fetch, sorted(listing.items())))
        parts += len(sizes)
        size += sum(sizes)
        drift = store.get(url.key(layout.DRIFT_DIR, f"{run_id}.json"))
        if drift is not None:
            private_dir(mirror_dir / layout.DRIFT_DIR)
            layout.atomic_write_bytes(mirror_dir / layout.DRIFT_DIR / f"{run_id}.json", drift)
        private_dir(mirror_dir / layout.RUNS_DIR)
        layout.atomic_write_bytes(
            mirror_dir / layout.RUNS_DIR / f"{run_id}{landing_runs.MANIFEST_SUFFIX}",
            orjson.dumps(manifest, option=orjson.OPT_INDENT_2),
        )
        added.append(run_id)
    return SyncReport(mirror_dir, added, parts, size, len(manifests))


def landing_dir_for_build(explicit: Path | str | None = None) -> Path | None:
    """For `onefunnel transform`: None when no object store is configured or a landing folder was given;
    else the mirror of the object store, synced now (dbt then reads it like any landing zone)."""
    from onefunnel import config

    if explicit:
        return None
    try:
        url = landing_url()
        if url is None:
            return None
        report = sync_landing(config.landing_mirror_dir(url.bucket, url.prefix), url)
    except ObjectStoreError as error:  # the build's own error: `onefunnel transform` prints it as one line
        from onefunnel.warehouse.build import WarehouseBuildError

        raise WarehouseBuildError(f"{error}; nothing was built") from None
    return report.mirror_dir


def run_landing_extraction(options: ExtractOptions, **kwargs) -> RunSummary:
    """The extractor, landing in the object store when ONEFUNNEL_LANDING_URL is set (and no landing folder
    was given), else in the local landing zone."""
    from onefunnel.hubspot.runner import run_extraction

    url = landing_url()
    if url is None or options.landing_dir is not None:
        return run_extraction(options, **kwargs)
    return extract_to_object_store(options, url, **kwargs)
