"""The SQL that reads prospect audiences from the serving snapshot (DuckDB), shared by the exporter and the
dashboard so both see the same rows in the same order. Values go in as named parameters ($owner: one rep,
or NULL for every rep)."""

from __future__ import annotations

AUDIENCE_TABLES = ("prospect_audiences", "prospect_audience_formats")

# One row per prospect in a rep's audience, in file order.
MEMBERS = """
select
    owner_id,
    owner_name,
    contact_id,
    email,
    first_name,
    last_name,
    phone,
    job_title,
    company_name,
    city,
    postal_code,
    country,
    lifecycle_stage,
    lead_status,
    prospect_reason
from marts.prospect_audiences
where is_included
  and ($owner is null or owner_id = $owner)
order by owner_id, contact_id
"""

# One row per rep with candidates: how many, how many in the audience, and the exclusions by reason.
REPS = """
select
    owner_id,
    any_value(owner_name) as owner_name,
    any_value(team_name) as team_name,
    count(*) as candidates,
    count(*) filter (where is_included) as included,
    count(*) filter (where exclusion_reason = 'customer') as excluded_customer,
    count(*) filter (where exclusion_reason = 'opted_out') as excluded_opted_out,
    count(*) filter (where exclusion_reason = 'no_lawful_basis') as excluded_no_lawful_basis,
    count(*) filter (where exclusion_reason = 'no_email') as excluded_no_email
from marts.prospect_audiences
group by owner_id
order by any_value(owner_name), owner_id
"""

EXCLUSION_REASONS = ("customer", "opted_out", "no_lawful_basis", "no_email")

# The formats the definitions turn on, with their minimum audience sizes.
FORMAT_RULES = """
select audience_format, min_audience_size, privacy_floor
from marts.prospect_audience_formats
order by audience_format
"""
