"""The audience files: each platform's documented layout, hashed columns hold hashes only, identifiers that
cannot be normalised are dropped and counted, and tiny lists are withheld with a reason."""

from __future__ import annotations

import csv
import hashlib
import io
import re

import pytest

from onefunnel.audiences import formats, normalize

pytestmark = pytest.mark.unit

HEX64 = re.compile(r"^[0-9a-f]{64}$")
MEMBERS = [
    {
        "owner_id": "7",
        "owner_name": "Rita Rep",
        "contact_id": "101",
        "email": " Ann.Lee+work@Gmail.com ",
        "first_name": "Ann",
        "last_name": "O'Lee",
        "phone": "+44 20 7031 3000",
        "job_title": "=cmd|' /C calc'!A0",
        "company_name": "Acme Ltd",
        "city": "London",
        "postal_code": "wc2h  8lg",
        "country": "United Kingdom",
        "lifecycle_stage": "salesqualifiedlead",
        "lead_status": "OPEN",
        "prospect_reason": "lead_status",
    },
    {
        "owner_id": "7",
        "owner_name": "Rita Rep",
        "contact_id": "102",
        "email": "not-an-email",
        "first_name": "Bo",
        "last_name": "Berg",
        "phone": "555 0100",  # national, and the country is unknown: cannot be made E.164
        "job_title": "CTO",
        "company_name": None,
        "city": None,
        "country": "Atlantis",
        "lifecycle_stage": "lead",
        "lead_status": "OPEN",
        "prospect_reason": "open_deal",
    },
]


def _parse(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


@pytest.mark.parametrize(
    ("format_key", "header"),
    [
        (
            "linkedin",
            ["email", "firstname", "lastname", "jobtitle", "employeecompany", "country", "googleaid"],
        ),
        ("meta", ["email", "phone", "fn", "ln", "ct", "country", "zip"]),
        ("google", ["Email", "Phone", "First Name", "Last Name", "Country", "Zip"]),
    ],
)
def test_each_platform_file_has_its_documented_header(format_key, header):
    assert _parse(formats.render(format_key, MEMBERS).content)[0] == header


def test_meta_file_holds_only_sha256_of_the_normalised_identifiers():
    # GIVEN two prospects  WHEN rendered for Meta
    rendered = formats.render("meta", MEMBERS)
    header, first, *rest = _parse(rendered.content)
    # THEN every cell is a lowercase SHA-256 hex or empty, and they hash Meta's normalised values
    assert all(HEX64.match(cell) or cell == "" for row in [first, *rest] for cell in row)
    row = dict(zip(header, first, strict=True))
    assert row["email"] == normalize.sha256_hex("ann.lee+work@gmail.com")  # Meta keeps gmail dots and +
    assert row["phone"] == normalize.sha256_hex("442070313000")
    assert row["fn"] == normalize.sha256_hex("ann")
    assert row["ln"] == normalize.sha256_hex("olee")
    assert row["ct"] == normalize.sha256_hex("london")
    assert row["country"] == normalize.sha256_hex("gb")
    assert row["zip"] == normalize.sha256_hex("wc2h8")  # UK: area, district and sector
    # AND the second prospect has no usable email or phone: left out, counted, its bad values too
    assert rendered.rows == 1
    assert rendered.rows_without_identifiers == 1
    assert rendered.dropped_identifiers == {"country": 1, "email": 1, "phone": 1}


def test_google_file_hashes_identifiers_but_sends_country_and_zip_plain():
    header, first = _parse(formats.render("google", MEMBERS).content)[:2]
    row = dict(zip(header, first, strict=True))
    assert row["Email"] == normalize.sha256_hex("annlee@gmail.com")  # Google's gmail rule
    assert row["Phone"] == normalize.sha256_hex("+442070313000")
    assert row["First Name"] == normalize.sha256_hex("ann")
    assert row["Last Name"] == normalize.sha256_hex("o'lee")
    assert row["Country"] == "GB"
    assert row["Zip"] == "WC2H 8LG"  # international postal codes as they are written, uppercase


ZIP_MEMBERS = [
    {"contact_id": "201", "email": "a@example.com", "postal_code": "94107-1234", "country": "USA"},
    {"contact_id": "202", "email": "b@example.com", "postal_code": "SW1A 1AA", "country": "United Kingdom"},
    {"contact_id": "203", "email": "c@example.com", "postal_code": "m5v 2t6", "country": "Canada"},
    {"contact_id": "204", "email": "d@example.com", "postal_code": None, "country": "Germany"},
]


def test_google_zip_is_plain_and_normalised_for_the_contacts_country():
    # GIVEN prospects with a US ZIP+4, a UK postcode, a Canadian postal code and none
    rendered = formats.render("google", ZIP_MEMBERS)
    rows = list(csv.DictReader(io.StringIO(rendered.content.decode())))
    # WHEN rendered for Google  THEN Zip is unhashed (not a hashed column), in Google's form per country
    assert "Zip" not in formats.spec("google").hashed_columns
    assert [row["Zip"] for row in rows] == ["94107-1234", "SW1A 1AA", "M5V 2T6", ""]
    assert rendered.dropped_identifiers == {}


def test_meta_zip_is_the_sha256_of_the_normalised_postal_code_and_never_plain():
    # GIVEN the same prospects  WHEN rendered for Meta
    rendered = formats.render("meta", ZIP_MEMBERS)
    text = rendered.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    # THEN zip is a hashed column holding 64 lowercase hex, the SHA-256 (computed here with hashlib) of
    # Meta's normalised value: US the first 5 digits, UK area/district/sector, others without whitespace
    assert "zip" in formats.spec("meta").hashed_columns
    normalised = ["94107", "sw1a1", "m5v2t6"]
    assert [row["zip"] for row in rows[:3]] == [hashlib.sha256(v.encode()).hexdigest() for v in normalised]
    assert all(HEX64.match(row["zip"]) for row in rows[:3])
    assert rows[3]["zip"] == ""
    # AND no postal code appears in the file in any plain form
    for member in ZIP_MEMBERS[:3]:
        raw = member["postal_code"]
        for plain in {raw, raw.upper(), raw.lower(), raw.replace(" ", "").lower(), *normalised}:
            assert plain not in text, plain


def test_postal_codes_that_cannot_be_normalised_are_dropped_and_counted():
    # GIVEN a US zip that lost its leading zero, a UK value that is no postcode, and a zip without a country
    members = [
        {"email": "a@example.com", "postal_code": "2134", "country": "United States"},
        {"email": "b@example.com", "postal_code": "10115", "country": "United Kingdom"},
        {"email": "c@example.com", "postal_code": "10115", "country": None},
    ]
    google = formats.render("google", members)
    meta = formats.render("meta", members)
    internal = formats.render("csv", members)
    # THEN Google keeps the UK value as written (international codes go as they are) and drops the others
    assert [row["Zip"] for row in csv.DictReader(io.StringIO(google.content.decode()))] == ["", "10115", ""]
    assert google.dropped_identifiers == {"postal_code": 2}
    # AND Meta, which needs a UK postcode's sector, drops all three, counted under postal_code
    assert {row["zip"] for row in csv.DictReader(io.StringIO(meta.content.decode()))} == {""}
    assert meta.dropped_identifiers == {"postal_code": 3}
    # AND the internal list keeps what HubSpot holds, plain
    assert [row["postal_code"] for row in csv.DictReader(io.StringIO(internal.content.decode()))] == [
        "2134",
        "10115",
        "10115",
    ]
    assert internal.dropped_identifiers == {}


def test_linkedin_file_is_plain_with_iso_country_and_no_formula_cells():
    # GIVEN a prospect with a job title that a spreadsheet would run as a formula
    rendered = formats.render("linkedin", MEMBERS)
    header, first, second = _parse(rendered.content)
    row = dict(zip(header, first, strict=True))
    # THEN values are plain, the email normalised, the country an ISO code, the formula defused
    assert row["email"] == "ann.lee+work@gmail.com"
    assert (row["firstname"], row["lastname"], row["country"]) == ("Ann", "O'Lee", "GB")
    assert row["jobtitle"].startswith("'=")
    # AND a prospect without a valid email still matches on first and last name (LinkedIn allows that)
    assert dict(zip(header, second, strict=True))["email"] == ""
    assert rendered.rows == 2


def test_internal_csv_keeps_every_prospect_with_all_columns():
    rendered = formats.render("csv", MEMBERS)
    rows = list(csv.DictReader(io.StringIO(rendered.content.decode())))
    assert [row["contact_id"] for row in rows] == ["101", "102"]
    assert rows[0]["phone_e164"] == "+442070313000"
    assert rows[1]["phone_e164"] == ""
    assert rows[1]["country_code"] == ""
    assert (rows[0]["city"], rows[0]["postal_code"]) == ("London", "wc2h  8lg")  # plain, as HubSpot holds it
    assert rows[1]["postal_code"] == ""
    assert rendered.dropped_identifiers == {"country": 1, "email": 1, "phone": 1}


def test_files_are_utf8_csv_and_the_same_members_give_the_same_bytes():
    first = formats.render("meta", MEMBERS)
    again = formats.render("meta", [dict(member) for member in MEMBERS])
    assert first.content == again.content
    assert first.sha256 == again.sha256
    assert first.content.decode("utf-8").endswith("\r\n")


@pytest.mark.parametrize(
    ("format_key", "rows", "minimum", "floor", "status", "reason"),
    [
        ("meta", 0, 1, 1, "withheld", "no_prospects"),
        ("linkedin", 299, 300, 100, "withheld", "below_minimum_audience_size"),
        ("linkedin", 300, 300, 100, "written", None),
        ("meta", 40, 10, 50, "withheld", "below_privacy_floor"),
        ("google", 50, 10, 50, "written", None),
        ("csv", 3, 1, 50, "written", None),  # the internal list goes to no platform: no privacy floor
    ],
)
def test_lists_below_their_minimum_are_withheld_with_a_reason(
    format_key, rows, minimum, floor, status, reason
):
    decision = formats.decide(format_key, rows, minimum, floor)
    assert (decision.status, decision.reason) == (status, reason)
    assert decision.minimum == (minimum if format_key == "csv" else max(minimum, floor))
    if status == "withheld":
        assert str(rows) in decision.detail or rows == 0


def test_unknown_formats_and_unsafe_owner_ids():
    with pytest.raises(formats.UnknownFormat, match="linkedin, meta, google, csv"):
        formats.render("tiktok", MEMBERS)
    assert formats.file_name("51648222", "meta") == "rep-51648222-meta.csv"
    assert formats.file_name("../../etc", "csv") == "rep-.._.._etc-csv.csv"
    assert formats.in_display_order(["csv", "google", "meta", "linkedin"]) == [
        "linkedin",
        "meta",
        "google",
        "csv",
    ]
