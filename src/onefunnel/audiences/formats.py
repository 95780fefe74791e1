"""The audience file formats: one CSV per rep and format, laid out and normalised as each platform documents.

    rendered = render("meta", members)           # members: rows of sql.MEMBERS for one rep (dicts)
    decision = decide("meta", rendered.rows, min_audience_size=100, privacy_floor=100)

| format   | for                                   | identifiers                                          |
|----------|---------------------------------------|------------------------------------------------------|
| linkedin | LinkedIn Matched Audiences contact list | plain: email, names, job title, company, country   |
| meta     | Meta custom audience (customer list)  | all SHA-256: email, phone, fn, ln, ct, country, zip  |
| google   | Google Ads Customer Match             | SHA-256 email, phone, names; Country and Zip plain   |
| csv      | marketing's own list (never uploaded) | everything, plain                                    |

The exporter and the dashboard's downloads both call `render`, so a downloaded file is byte for byte the
exported one. A row is written only with an identifier the platform can match on; identifiers that cannot
be normalised are left empty (never guessed) and counted in `dropped_identifiers`. Sources: docs/audiences.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from onefunnel.audiences import normalize

Member = Mapping[str, Any]
# (cells, identifiers present in HubSpot but dropped because they could not be normalised, usable?)
BuiltRow = tuple[list[str], list[str], bool]

LINKEDIN_DOC = "https://www.linkedin.com/help/lms/answer/a1489764"
META_FORMAT_DOC = "https://www.facebook.com/business/help/2082575038703844"
META_HASHING_DOC = "https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters"
GOOGLE_FORMAT_DOC = "https://support.google.com/google-ads/answer/7659867"
GOOGLE_NORMALISING_DOC = "https://developers.google.com/data-manager/api/devguides/concepts/formatting"
GOOGLE_SIZE_DOC = "https://support.google.com/google-ads/answer/7476585"


@dataclass(frozen=True)
class AudienceFormat:
    key: str
    label: str
    header: tuple[str, ...]
    hashed_columns: tuple[str, ...]  # columns holding SHA-256 hex only
    # True for files meant for an ad platform: the privacy floor applies to them.
    for_ad_platform: bool
    # The platform's own documented minimum audience (None: no platform), shown beside the configured one.
    platform_minimum: int | None
    sources: tuple[str, ...]
    build_row: Callable[[Member], BuiltRow] = field(repr=False)


def _normalised(
    raw: Any, normaliser: Callable[[Any], str | None], name: str, dropped: list[str]
) -> str | None:
    """normaliser(raw), noting `name` in `dropped` when HubSpot had a value that could not be normalised."""
    value = normaliser(raw)
    if value is None and normalize.text(raw) is not None:
        dropped.append(name)
    return value


def _hashed(value: str | None) -> str:
    return normalize.sha256_hex(value) if value else ""


def _linkedin_row(member: Member) -> BuiltRow:
    dropped: list[str] = []
    email = _normalised(member.get("email"), normalize.email, "email", dropped)
    country = _normalised(member.get("country"), normalize.country_code, "country", dropped)
    first = normalize.plain_cell(member.get("first_name"))
    last = normalize.plain_cell(member.get("last_name"))
    cells = [
        email or "",
        first,
        last,
        normalize.plain_cell(member.get("job_title")),
        normalize.plain_cell(member.get("company_name")),
        country or "",
        "",  # googleaid: the template's column, kept (LinkedIn rejects changed headers); not in HubSpot
    ]
    return cells, dropped, bool(email or (first and last))


def _meta_row(member: Member) -> BuiltRow:
    dropped: list[str] = []
    country = _normalised(member.get("country"), normalize.country_code, "country", dropped)
    email = _normalised(member.get("email"), normalize.email, "email", dropped)
    phone = _normalised(member.get("phone"), lambda raw: normalize.meta_phone(raw, country), "phone", dropped)
    zip_code = _normalised(
        member.get("postal_code"),
        lambda raw: normalize.meta_postal_code(raw, country),
        "postal_code",
        dropped,
    )
    cells = [
        _hashed(email),
        _hashed(phone),
        _hashed(_normalised(member.get("first_name"), normalize.meta_name, "first_name", dropped)),
        _hashed(_normalised(member.get("last_name"), normalize.meta_name, "last_name", dropped)),
        _hashed(_normalised(member.get("city"), normalize.meta_name, "city", dropped)),
        _hashed(country.lower() if country else None),
        _hashed(zip_code),
    ]
    return cells, dropped, bool(email or phone)


def _google_row(member: Member) -> BuiltRow:
    dropped: list[str] = []
    country = _normalised(member.get("country"), normalize.country_code, "country", dropped)
    email = _normalised(member.get("email"), normalize.google_email, "email", dropped)
    phone = _normalised(member.get("phone"), lambda raw: normalize.e164(raw, country), "phone", dropped)
    zip_code = _normalised(
        member.get("postal_code"),
        lambda raw: normalize.google_postal_code(raw, country),
        "postal_code",
        dropped,
    )
    cells = [
        _hashed(email),
        _hashed(phone),
        _hashed(_normalised(member.get("first_name"), normalize.google_name, "first_name", dropped)),
        _hashed(_normalised(member.get("last_name"), normalize.google_name, "last_name", dropped)),
        country or "",  # Google: country and zip are sent unhashed
        zip_code or "",  # letters, digits, spaces and hyphens only: never read as a spreadsheet formula
    ]
    return cells, dropped, bool(email or phone)


def _csv_row(member: Member) -> BuiltRow:
    dropped: list[str] = []
    country = _normalised(member.get("country"), normalize.country_code, "country", dropped)
    email = _normalised(member.get("email"), normalize.email, "email", dropped)
    phone = _normalised(member.get("phone"), lambda raw: normalize.e164(raw, country), "phone", dropped)
    cells = [
        normalize.text(member.get("owner_id")) or "",
        normalize.plain_cell(member.get("owner_name")),
        normalize.text(member.get("contact_id")) or "",
        email or "",
        normalize.plain_cell(member.get("first_name")),
        normalize.plain_cell(member.get("last_name")),
        phone or "",
        normalize.plain_cell(member.get("job_title")),
        normalize.plain_cell(member.get("company_name")),
        normalize.plain_cell(member.get("city")),
        normalize.plain_cell(member.get("postal_code")),
        country or "",
        normalize.text(member.get("lifecycle_stage")) or "",
        normalize.text(member.get("lead_status")) or "",
        normalize.text(member.get("prospect_reason")) or "",
    ]
    return cells, dropped, True


FORMATS: dict[str, AudienceFormat] = {
    spec.key: spec
    for spec in (
        AudienceFormat(
            key="linkedin",
            label="LinkedIn Matched Audiences",
            header=("email", "firstname", "lastname", "jobtitle", "employeecompany", "country", "googleaid"),
            hashed_columns=(),
            for_ad_platform=True,
            platform_minimum=300,
            sources=(LINKEDIN_DOC,),
            build_row=_linkedin_row,
        ),
        AudienceFormat(
            key="meta",
            label="Meta custom audience",
            header=("email", "phone", "fn", "ln", "ct", "country", "zip"),
            hashed_columns=("email", "phone", "fn", "ln", "ct", "country", "zip"),
            for_ad_platform=True,
            platform_minimum=100,
            sources=(META_FORMAT_DOC, META_HASHING_DOC),
            build_row=_meta_row,
        ),
        AudienceFormat(
            key="google",
            label="Google Customer Match",
            header=("Email", "Phone", "First Name", "Last Name", "Country", "Zip"),
            hashed_columns=("Email", "Phone", "First Name", "Last Name"),
            for_ad_platform=True,
            platform_minimum=100,
            sources=(GOOGLE_FORMAT_DOC, GOOGLE_NORMALISING_DOC, GOOGLE_SIZE_DOC),
            build_row=_google_row,
        ),
        AudienceFormat(
            key="csv",
            label="Prospect list (internal CSV)",
            header=(
                "owner_id",
                "owner_name",
                "contact_id",
                "email",
                "first_name",
                "last_name",
                "phone_e164",
                "job_title",
                "company",
                "city",
                "postal_code",
                "country_code",
                "lifecycle_stage",
                "lead_status",
                "prospect_reason",
            ),
            hashed_columns=(),
            for_ad_platform=False,
            platform_minimum=None,
            sources=(),
            build_row=_csv_row,
        ),
    )
}


def in_display_order(format_keys: Iterable[str]) -> list[str]:
    """Known formats in the order of FORMATS (LinkedIn, Meta, Google, csv), unknown ones last."""
    order = list(FORMATS)
    return sorted(format_keys, key=lambda key: (order.index(key) if key in order else len(order), key))


class UnknownFormat(ValueError):
    """A format name onefunnel does not produce."""


def spec(format_key: str) -> AudienceFormat:
    try:
        return FORMATS[format_key]
    except KeyError:
        raise UnknownFormat(
            f"unknown audience format {format_key!r}; the formats are {', '.join(FORMATS)}"
        ) from None


@dataclass(frozen=True)
class RenderedFile:
    """One rep's audience in one format: the file's bytes and what went into them."""

    audience_format: str
    content: bytes
    rows: int
    rows_without_identifiers: int  # members left out: no identifier the platform can match on
    dropped_identifiers: dict[str, int]  # identifier -> members whose value could not be normalised

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def render(format_key: str, members: Iterable[Member]) -> RenderedFile:
    """The CSV file (UTF-8, header row, CRLF line ends as RFC 4180) of `members` in one format."""
    chosen = spec(format_key)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(chosen.header)
    rows = unusable = 0
    dropped: Counter[str] = Counter()
    for member in members:
        cells, dropped_here, usable = chosen.build_row(member)
        dropped.update(dropped_here)
        if not usable:
            unusable += 1
            continue
        writer.writerow(cells)
        rows += 1
    return RenderedFile(
        format_key, buffer.getvalue().encode("utf-8"), rows, unusable, dict(sorted(dropped.items()))
    )


@dataclass(frozen=True)
class Decision:
    """Whether a rendered file may be written, and if not, why (`reason` is a stable key)."""

    status: str  # "written" | "withheld"
    reason: str | None  # None | "no_prospects" | "below_minimum_audience_size" | "below_privacy_floor"
    detail: str
    minimum: int  # the smallest audience that would be written

    @property
    def written(self) -> bool:
        return self.status == "written"


def minimum_size(format_key: str, min_audience_size: int, privacy_floor: int) -> int:
    """The smallest audience written: the format's minimum, and for ad platforms the privacy floor too."""
    return max(min_audience_size, privacy_floor) if spec(format_key).for_ad_platform else min_audience_size


def decide(format_key: str, rows: int, min_audience_size: int, privacy_floor: int) -> Decision:
    """Write the file, or withhold it: platforms refuse tiny audiences, and tiny ones single people out."""
    chosen = spec(format_key)
    minimum = minimum_size(format_key, min_audience_size, privacy_floor)
    people = f"{rows} prospect{'s' if rows != 1 else ''}"
    if rows == 0:
        return Decision("withheld", "no_prospects", "no prospect to export", minimum)
    if rows < min_audience_size:
        return Decision(
            "withheld",
            "below_minimum_audience_size",
            f"{people}; {chosen.label} files need at least {min_audience_size}",
            minimum,
        )
    if chosen.for_ad_platform and rows < privacy_floor:
        return Decision(
            "withheld",
            "below_privacy_floor",
            f"{people}; no ad audience under the privacy floor of {privacy_floor}",
            minimum,
        )
    return Decision("written", None, f"{people} written", minimum)


def file_name(owner_id: str, format_key: str) -> str:
    """rep-<owner id>-<format>.csv (the owner id made safe for a file name)."""
    spec(format_key)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(owner_id)) or "unknown"
    return f"rep-{safe}-{format_key}.csv"
