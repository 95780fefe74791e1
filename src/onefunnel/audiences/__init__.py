"""Prospect audiences: each sales rep's working prospects as ad-platform custom-audience files.

The warehouse decides who is in a rep's audience (dbt mart `prospect_audiences`); this package reads it from
the serving snapshot, normalises and hashes identifiers as each platform documents (`normalize`, `formats`)
and writes one file per rep and format plus a manifest (`exporter`). The dashboard builds its downloads with
the same `formats` code. Rules and sources: docs/audiences.md.
"""
