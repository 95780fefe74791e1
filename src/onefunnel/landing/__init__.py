"""The landing zone (append-only Parquet, one folder per dataset per run) and the extraction state beside it.

Layout and guarantees: see src/onefunnel/hubspot/README.md ("Landing zone" and "State"). Which folders are
landing runs (a registered `run_id=<run id>`; anything else stops transform) and what happens to unreadable
parts (quarantined by the next extraction, their objects extracted again): `runs.py`. Every file holds
personal data: files 0600, folders 0700.
"""
