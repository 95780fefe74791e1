"""`python -m onefunnel.scaleout.airflow_compat <airflow arguments>`: the `airflow` command, made to work
with the locked Celery.

Why: apache-airflow-providers-celery 3.26.0 (in uv.lock) imports `retry` from `celery.backends.database`,
which Celery 5.7 (also in uv.lock; the provider allows celery>=5.5,<6) no longer has: every component that
loads the CeleryExecutor (scheduler, `airflow celery worker`) fails with ImportError. Until the lock pins
celery below 5.7 or a provider release drops the import, this entry point gives that module a `retry`
decorator (the provider uses it on one read of Celery's task table: retry a few times on a database error)
before Airflow starts. Nothing else changes; with a Celery that still has `retry`, nothing is added.
"""

from __future__ import annotations

import functools
import logging
import sys

ATTEMPTS = 3


def _retry_on_database_errors(function):
    from sqlalchemy.exc import DatabaseError, InvalidRequestError

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        attempts = kwargs.pop("max_retries", ATTEMPTS)
        for attempt in range(1, attempts + 1):
            try:
                return function(*args, **kwargs)
            except (DatabaseError, InvalidRequestError):
                if attempt >= attempts:
                    raise
                logging.getLogger(__name__).warning(
                    "%s failed on the Celery result database (attempt %d of %d); retrying",
                    function.__name__,
                    attempt,
                    attempts,
                )
        return None

    return wrapper


def install() -> bool:
    """Add `retry` to celery.backends.database when Celery lacks it; True when it was added."""
    import celery.backends.database as database

    if hasattr(database, "retry"):
        return False
    database.retry = _retry_on_database_errors
    return True


def main() -> None:
    install()
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", *sys.argv[1:]]
    airflow_main()


if __name__ == "__main__":
    main()
