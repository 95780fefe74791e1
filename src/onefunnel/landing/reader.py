"""Read the landing zone back the way the warehouse does (latest extraction per id wins; merged-away
contacts redirect to their survivor). Used by tests and benchmarks to compare with the portal manifest."""

from __future__ import annotations

from pathlib import Path

from onefunnel.landing import layout


def has_data(landing_dir: Path, dataset: str) -> bool:
    return any((Path(landing_dir) / dataset).glob("*/*.parquet"))


def current_ids(landing_dir: Path, dataset: str) -> tuple[set[int], set[int]]:
    """(active ids, archived ids) as of the newest extraction of each id."""
    import duckdb

    if not has_data(landing_dir, dataset):
        return set(), set()
    source = f"read_parquet('{layout.dataset_glob(landing_dir, dataset)}', union_by_name = true)"
    with duckdb.connect() as con:
        columns = {row[0] for row in con.execute(f"describe select * from {source}").fetchall()}
        merged = (
            "properties__hs_merged_object_ids" if "properties__hs_merged_object_ids" in columns else "null"
        )
        rows = con.execute(
            f"""
            select id, archived, {merged} as merged
            from {source}
            qualify row_number() over (
                partition by id order by _extracted_at desc, updatedAt desc, archived desc
            ) = 1
            """
        ).fetchall()
    active: set[int] = set()
    archived: set[int] = set()
    merged_away: set[int] = set()
    for object_id, is_archived, merged_ids in rows:
        (archived if is_archived else active).add(int(object_id))
        if merged_ids and not is_archived:
            merged_away.update(int(part) for part in str(merged_ids).split(";") if part.strip())
    active -= merged_away
    return active, archived


def count_rows(landing_dir: Path, dataset: str) -> int:
    import duckdb

    if not has_data(landing_dir, dataset):
        return 0
    with duckdb.connect() as con:
        source = f"read_parquet('{layout.dataset_glob(landing_dir, dataset)}', union_by_name = true)"
        return con.execute(f"select count(*) from {source}").fetchone()[0]
