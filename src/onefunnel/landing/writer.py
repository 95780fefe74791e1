"""Records -> Arrow tables -> Parquet parts, written atomically.

CRM records land with their raw values exactly as HubSpot sent them (strings) in `properties__<name>`
columns, beside id, createdAt, updatedAt, archived, archivedAt, _extracted_at and _run_id. Every part carries
the columns of the properties requested in that run, so a property added in HubSpot simply appears as a new
column in later parts (read with union_by_name) — and is reported as schema drift.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onefunnel.files import PRIVATE_FILE_MODE, private_dir
from onefunnel.landing import layout

PROPERTY_PREFIX = "properties__"
META_COLUMNS = ("id", "createdAt", "updatedAt", "archived", "archivedAt", "_extracted_at", "_run_id")
EXTRACTED_AT_TYPE = pa.timestamp("ms", tz="UTC")
PARQUET_COMPRESSION = "zstd"
# Dictionary encoding costs a hash per value and, with zstd on top, saves ~5 % on HubSpot's mostly-unique
# or mostly-null string columns: the landing zone is written plain + zstd (~30 % more records/s per core).
PARQUET_DICTIONARY = False


def skip_pandas_probe() -> None:
    """Spare a landing-only process (the extract CLI) the pandas import pyarrow does on the first
    `pa.array` call (its pandas shim checks whether the input is a pandas object): seconds of start-up
    on a cold interpreter. pyarrow is told once that pandas is absent; pandas itself stays importable,
    but pyarrow's pandas conversions (`to_pandas`) are then unavailable in this process."""
    if "pandas" in sys.modules:
        return
    blocker = _RefusePandas()
    sys.meta_path.insert(0, blocker)  # `import pandas` raises ImportError while the probe runs
    try:
        pa.array([None], type=pa.string())  # the shim's one-time probe happens here
    finally:
        sys.meta_path.remove(blocker)


class _RefusePandas:
    def find_spec(self, name: str, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"{name} is not imported by the extractor")
        return None


def _strings(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # A non-string value (never seen from HubSpot's CRM, possible from other APIs): keep its JSON text.
        return pa.array([_text(v) for v in values], type=pa.string())


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


_META_TYPES = (
    ("id", pa.string()),
    ("createdAt", pa.string()),
    ("updatedAt", pa.string()),
    ("archived", pa.bool_()),
    ("archivedAt", pa.string()),
)


@functools.lru_cache(maxsize=256)
def _record_type(names: tuple[str, ...]) -> pa.StructType:
    return pa.struct([*_META_TYPES, ("properties", pa.struct([(name, pa.string()) for name in names]))])


def crm_records_table(
    records: Sequence[dict], property_names: Sequence[str], extracted_at: datetime, run_id: str
) -> tuple[pa.Table, set[str]]:
    """One row per record; returns the table and property names seen that were not requested.

    Fast path: the whole page goes through one `pa.array(records, type=struct<...>)` call, so the
    per-record, per-property work happens in Arrow's C++ converter instead of Python list comprehensions
    (one per column). A value that is not a string (never seen from HubSpot's CRM) falls back to the
    column-by-column path, which keeps its JSON text.
    """
    names = list(property_names)
    expected = len(names)
    unexpected: set[str] = set()
    known: set[str] | None = None
    for record in records:
        p = record.get("properties")
        # HubSpot answers every requested property (null when empty); only a count change hides a new one.
        if p is not None and len(p) != expected:
            known = known if known is not None else set(names)
            unexpected.update(key for key in p if key not in known)
    all_names = tuple(names + sorted(unexpected))
    n = len(records)
    try:
        fields = pa.array(records, type=_record_type(all_names)).flatten()
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return _crm_records_table_slow(records, all_names, extracted_at, run_id), unexpected
    columns: dict[str, pa.Array] = {
        "id": fields[0],
        "createdAt": fields[1],
        "updatedAt": fields[2],
        "archived": pc.fill_null(fields[3], False),
        "archivedAt": fields[4],
        "_extracted_at": _constant_timestamp(extracted_at, n),
        "_run_id": _constant_string(run_id, n),
    }
    for name, column in zip(all_names, fields[5].flatten(), strict=True):
        columns[PROPERTY_PREFIX + name] = column
    return pa.table(columns), unexpected


def _constant_timestamp(value: datetime, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, type=EXTRACTED_AT_TYPE), n)


def _constant_string(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, type=pa.string()), n)


def _crm_records_table_slow(
    records: Sequence[dict], names: Sequence[str], extracted_at: datetime, run_id: str
) -> pa.Table:
    n = len(records)
    props = [record.get("properties") or {} for record in records]
    columns: dict[str, pa.Array] = {
        "id": _strings([record.get("id") for record in records]),
        "createdAt": _strings([record.get("createdAt") for record in records]),
        "updatedAt": _strings([record.get("updatedAt") for record in records]),
        "archived": pa.array([bool(record.get("archived", False)) for record in records], type=pa.bool_()),
        "archivedAt": _strings([record.get("archivedAt") for record in records]),
        "_extracted_at": _constant_timestamp(extracted_at, n),
        "_run_id": _constant_string(run_id, n),
    }
    for name in names:
        columns[PROPERTY_PREFIX + name] = _strings([p.get(name) for p in props])
    return pa.table(columns)


def history_table(records: Iterable[dict], extracted_at: datetime, run_id: str) -> pa.Table | None:
    """One row per (record, property, historic value) from `propertiesWithHistory`."""
    rows: dict[str, list] = {
        k: []
        for k in (
            "object_id",
            "property",
            "value",
            "timestamp",
            "sourceType",
            "sourceId",
            "sourceLabel",
            "updatedByUserId",
        )
    }
    for record in records:
        object_id = record.get("id")
        for prop, versions in (record.get("propertiesWithHistory") or {}).items():
            for version in versions or ():
                rows["object_id"].append(object_id)
                rows["property"].append(prop)
                rows["value"].append(version.get("value"))
                rows["timestamp"].append(version.get("timestamp"))
                rows["sourceType"].append(version.get("sourceType"))
                rows["sourceId"].append(version.get("sourceId"))
                rows["sourceLabel"].append(version.get("sourceLabel"))
                rows["updatedByUserId"].append(version.get("updatedByUserId"))
    if not rows["object_id"]:
        return None
    n = len(rows["object_id"])
    columns = {name: _strings(values) for name, values in rows.items()}
    columns["_extracted_at"] = pa.array([extracted_at] * n, type=EXTRACTED_AT_TYPE)
    columns["_run_id"] = pa.array([run_id] * n, type=pa.string())
    return pa.table(columns)


def association_table(
    rows: list[tuple[str, str | None, Any]], extracted_at: datetime, run_id: str
) -> pa.Table:
    """(from_id, to_id or None for "has none now", associationTypes as sent) -> table."""
    n = len(rows)
    return pa.table(
        {
            "from_id": _strings([r[0] for r in rows]),
            "to_id": _strings([r[1] for r in rows]),
            "association_types": _strings([_text(r[2]) if r[2] is not None else None for r in rows]),
            "_extracted_at": pa.array([extracted_at] * n, type=EXTRACTED_AT_TYPE),
            "_run_id": pa.array([run_id] * n, type=pa.string()),
        }
    )


def document_table(
    documents: Sequence[dict], extracted_at: datetime, run_id: str, **constant: str
) -> pa.Table:
    """Reference data (owners, pipelines, stages, property definitions, campaigns): top-level scalars as
    columns (numbers as their JSON text, booleans as booleans), nested values as JSON text, `properties`
    dicts flattened to properties__<name>, and the whole document as `_raw`."""
    keys: dict[str, None] = {}
    flat_docs = []
    for document in documents:
        flat: dict[str, Any] = dict(constant)
        for key, value in document.items():
            if key == "properties" and isinstance(value, dict):
                for name, prop_value in value.items():
                    flat[PROPERTY_PREFIX + name] = _text(prop_value)
            elif isinstance(value, bool) or value is None or isinstance(value, str):
                flat[key] = value
            else:
                flat[key] = _text(value)
        flat["_raw"] = orjson.dumps(document).decode()
        flat_docs.append(flat)
        keys.update(dict.fromkeys(flat))
    columns: dict[str, pa.Array] = {}
    for key in keys:
        values = [doc.get(key) for doc in flat_docs]
        if any(isinstance(v, bool) for v in values) and all(v is None or isinstance(v, bool) for v in values):
            columns[key] = pa.array(values, type=pa.bool_())
        else:
            columns[key] = _strings([_text(v) if isinstance(v, bool) else v for v in values])
    n = len(flat_docs)
    columns["_extracted_at"] = pa.array([extracted_at] * n, type=EXTRACTED_AT_TYPE)
    columns["_run_id"] = pa.array([run_id] * n, type=pa.string())
    return pa.table(columns)


def concat(tables: Iterable[pa.Table | None]) -> pa.Table | None:
    tables = [t for t in tables if t is not None and t.num_rows]
    if not tables:
        return None
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables, promote_options="default")


class Landing:
    """Writes parts for one run; part numbers are per dataset and thread-safe."""

    def __init__(self, landing_dir: Path, run_id: str, compression: str = PARQUET_COMPRESSION) -> None:
        self.landing_dir = Path(landing_dir)
        self.run_id = run_id
        self.compression = compression
        self._lock = threading.Lock()
        self._next_part: dict[str, int] = {}
        self._folders: set[str] = set()
        self.parts: dict[str, list[str]] = {}
        self.rows: dict[str, int] = {}

    def write(self, dataset: str, table: pa.Table | None) -> Path | None:
        """Durably add one part (temporary name, fsync, rename, fsync folder); None when nothing to write."""
        if table is None or table.num_rows == 0:
            return None
        with self._lock:
            number = self._next_part.get(dataset, 0)
            self._next_part[dataset] = number + 1
        folder = self._folder(dataset)
        final = folder / layout.part_name(number)
        tmp = folder / f".{final.name}.{os.getpid()}{layout.TMP_SUFFIX}"
        pq.write_table(table, tmp, compression=self.compression, use_dictionary=PARQUET_DICTIONARY)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)  # personal data: owner only (the folder is 0700 already)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        layout.fsync_dir(folder)
        with self._lock:
            self.parts.setdefault(dataset, []).append(final.name)
            self.rows[dataset] = self.rows.get(dataset, 0) + table.num_rows
        return final

    def _folder(self, dataset: str) -> Path:
        """The run's folder of a dataset, created private (0700, its dataset folder too) on first use."""
        folder = layout.run_folder(self.landing_dir, dataset, self.run_id)
        with self._lock:  # created under the lock: another thread may write the dataset's next part
            if dataset not in self._folders:
                private_dir(self.landing_dir)
                private_dir(folder.parent)
                private_dir(folder)
                self._folders.add(dataset)
        return folder
