"""dbt docs as one page the dashboard serves: `dbt docs generate --static` writes `static_index.html` (the
docs site with the manifest and the warehouse's catalog built in), and `publish_dbt_docs` copies it next to
the serving snapshot, `<serving folder>/docs/dbt_docs.html`, where the dashboard's Docs page reads it.

Generating runs dbt in this process with the same project, variables and paths as the build, after the build
(the catalog is read from the warehouse the build wrote). `onefunnel transform --docs` does both steps.
The docs hold model code, column names and types and row counts, no record of the warehouse.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOCS_FOLDER = "docs"
DBT_DOCS_FILE = "dbt_docs.html"


class DbtDocsError(RuntimeError):
    """dbt docs could not be generated or published (the message says which file or step)."""


@dataclass(frozen=True)
class DbtDocs:
    path: Path  # dbt's static_index.html
    seconds: float


def generate_dbt_docs(
    warehouse_path: Path | str | None = None,
    landing_dir: Path | str | None = None,
    definitions_path: Path | str | None = None,
    *,
    accountability_dir: Path | str | None = None,
) -> DbtDocs:
    """`dbt docs generate --static` against a built warehouse; returns the self-contained page dbt wrote."""
    from onefunnel.definitions import load_definitions
    from onefunnel.landing.layout import default_landing_dir
    from onefunnel.warehouse.build import WarehouseBuildError, dbt_vars, default_warehouse_path, run_dbt
    from onefunnel.warehouse.freeze import default_accountability_dir

    started = time.perf_counter()
    warehouse_path = Path(warehouse_path) if warehouse_path else default_warehouse_path()
    if not warehouse_path.exists():
        raise DbtDocsError(f"no warehouse at {warehouse_path}: build it first (onefunnel transform)")
    definitions = load_definitions(Path(definitions_path) if definitions_path else None)
    landing_dir = Path(landing_dir or os.environ.get("ONEFUNNEL_LANDING_DIR") or default_landing_dir())
    accountability_dir = (
        Path(accountability_dir) if accountability_dir else default_accountability_dir(warehouse_path)
    )
    work_dir = warehouse_path.parent.resolve() / "dbt"
    try:
        run_dbt(
            ["docs", "generate"],
            ["--static"],
            landing_dir=landing_dir,
            warehouse_path=warehouse_path,
            accountability_dir=accountability_dir,
            work_dir=work_dir,
            variables=dbt_vars(definitions),
        )
    except WarehouseBuildError as error:
        raise DbtDocsError(f"dbt docs generate failed: {error}") from error
    page = work_dir / "target" / "static_index.html"
    if not page.is_file():
        raise DbtDocsError(f"dbt docs generate --static wrote no {page}")
    return DbtDocs(page, time.perf_counter() - started)


def published_dbt_docs_path(serving_path: Path | str) -> Path:
    """Where the dashboard reads dbt docs: `<serving folder>/docs/dbt_docs.html`."""
    return Path(serving_path).parent / DOCS_FOLDER / DBT_DOCS_FILE


def publish_dbt_docs(page: Path | str, serving_path: Path | str) -> Path:
    """Copy dbt's static page next to the serving snapshot, replacing the previous copy at once (a reader sees
    the old page or the new one, never half of one)."""
    page = Path(page)
    if not page.is_file():
        raise DbtDocsError(f"no dbt docs page at {page}: run dbt docs generate --static first")
    target = published_dbt_docs_path(serving_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".dbt_docs-", suffix=".html")
    os.close(handle)
    try:
        shutil.copyfile(page, temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
