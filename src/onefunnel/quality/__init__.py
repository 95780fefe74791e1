"""The quality gate: GX suites from expectations/ run on the landing zone and the warehouse, with a severity
per check (critical blocks publishing, warning publishes with a notice), Data Docs, and a history per run.

Entry points: `runner.run_checks(CheckOptions(...))`, the click commands in `cli.py` (`check`, `publish`),
the defect catalogue in `defects.py`. Nothing heavy is imported here; GX loads only when checks run.
"""
