"""The landing zone (append-only Parquet, one folder per dataset per run) and the extraction state beside it.

Layout and guarantees: see src/onefunnel/hubspot/README.md ("Landing zone" and "State").
"""
