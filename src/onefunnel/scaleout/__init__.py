"""Running onefunnel past one machine (issue 18): Airflow on Celery workers (`celery.py`) and the dbt
project on PostgreSQL (`postgres.py`). The object-storage landing zone lives with the landing code
(onefunnel.landing.objectstore). README "Scale-out" describes the three set-ups and what was measured."""
