"""Airflow orchestration of the onefunnel pipeline: the functions the DAGs in `dags/` call, their failure
messages, the notification hook, pools, and the Airflow-home bootstrap `make demo` and standalone use.

The DAG files import only `onefunnel.orchestration.settings` at parse time; everything else is imported
inside the task that needs it (docs/airflow.md explains the layout).
"""
