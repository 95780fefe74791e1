"""The deployment without a Docker engine: docker-compose.yml's services run as local processes
(`compose`), with a throwaway PostgreSQL from the system's packages as the metadata database (`postgres`)."""
