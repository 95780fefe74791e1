# onefunnel image: Airflow 3 services, the dashboard and the local portal all run from it.
# The project is installed exactly as `make install` and the tests install it: `uv sync --locked`
# (fails instead of resolving new versions when uv.lock is stale). tests/orchestration checks this line.
FROM python:3.11-slim-bookworm

ARG UV_VERSION=0.13.9
ENV PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/onefunnel/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    AIRFLOW_HOME=/opt/airflow \
    ONEFUNNEL_DATA_DIR=/data \
    PATH=/opt/onefunnel/.venv/bin:$PATH

RUN pip install --no-cache-dir uv==${UV_VERSION} \
    && groupadd --system onefunnel && useradd --system --gid onefunnel --create-home onefunnel \
    && mkdir -p /opt/airflow/logs /opt/airflow/auth /data \
    && chown -R onefunnel:onefunnel /opt/airflow /data
# Named volumes start as a copy of the image's folder, owner included: logs/ (task logs), auth/ (the simple
# auth manager's passwords file) and /data must exist here, owned by the user the services run as, or the
# volumes Docker creates for them are root-owned and the services cannot write to them.

WORKDIR /opt/onefunnel
# Dependencies first (cached layer), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-install-project --python python3.11
COPY src ./src
COPY dags ./dags
COPY dbt_project ./dbt_project
COPY expectations ./expectations
COPY dashboards ./dashboards
COPY definitions.yml ./
# The dashboard's theme and server settings (Streamlit reads .streamlit/config.toml from its working
# directory, /opt/onefunnel in docker-compose.yml). Only config.toml: secrets.toml never goes in an image.
COPY .streamlit/config.toml ./.streamlit/config.toml
RUN uv sync --locked --python python3.11 && chown -R onefunnel:onefunnel /opt/onefunnel

USER onefunnel
