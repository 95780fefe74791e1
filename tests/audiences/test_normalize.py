"""Normalising and hashing identifiers as the platforms document it, checked against their own examples.

Meta publishes normalised values with their SHA-256 (Conversions API customer information parameters, the
same rules as custom audiences); those hashes are used as given. Google publishes normalised examples without
hashes (Data Manager API "Format user data"); their hashes below were computed independently with hashlib.
"""

from __future__ import annotations

import hashlib

import pytest

from onefunnel.audiences import normalize
from onefunnel.portal import gen_names

pytestmark = pytest.mark.unit


# ----------------------------------------------------------------------------- Meta's documented examples
@pytest.mark.parametrize(
    ("normaliser", "raw", "normalised", "documented_sha256"),
    [
        (
            normalize.email,
            "John_Smith@gmail.com",
            "john_smith@gmail.com",
            "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f",
        ),
        (
            lambda raw: normalize.meta_phone(raw, "US"),
            "(650)555-1212",
            "16505551212",
            "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
        ),
        (
            normalize.meta_name,
            "Mary",
            "mary",
            "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec",
        ),
        (
            normalize.meta_name,
            "Valéry",
            "valéry",
            "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c",
        ),
        (
            normalize.meta_name,
            "정",
            "정",
            "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14",
        ),
    ],
)
def test_meta_normalisation_and_hash_match_metas_documented_examples(
    normaliser, raw, normalised, documented_sha256
):
    # GIVEN one of Meta's documented inputs  WHEN normalised and hashed
    value = normaliser(raw)
    # THEN it is Meta's normalised value and Meta's published SHA-256 (lowercase hex)
    assert value == normalised
    assert normalize.sha256_hex(value) == documented_sha256


def test_meta_country_is_the_lowercase_iso_code_and_city_has_no_spaces_or_punctuation():
    # GIVEN HubSpot's country names and a city  WHEN normalised for Meta
    # THEN country is ISO 3166-1 alpha-2 in lowercase (hashed as such; the hash computed independently),
    # and the city keeps letters only
    assert normalize.country_code("United States").lower() == "us"
    assert normalize.sha256_hex("us") == "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"
    assert normalize.meta_name("São Paulo") == "sãopaulo"
    assert normalize.meta_name("Sao Paulo") == "saopaulo"
    assert normalize.meta_name("O'Brien-Smith") == "obriensmith"


# ----------------------------------------------------------------------------- Google's documented examples
@pytest.mark.parametrize(
    ("raw", "normalised", "sha256"),
    [
        (
            "cloudy.sanfrancisco+shopping@gmail.com",
            "cloudysanfrancisco@gmail.com",
            "223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4",
        ),
        (
            "user.name+NYC@Example.com",
            "user.name+nyc@example.com",
            "f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac",
        ),
        (" Jane.Doe@GoogleMail.com ", "janedoe@googlemail.com", None),
        ("jane doe@example.com", "janedoe@example.com", None),
    ],
)
def test_google_email_follows_googles_documented_rules(raw, normalised, sha256):
    # GIVEN Google's documented email examples (gmail: no dots, no +suffix; other domains: only lowercase)
    # WHEN normalised for Customer Match  THEN they match, and hash to the independently computed SHA-256
    assert normalize.google_email(raw) == normalised
    expected = sha256 or hashlib.sha256(normalised.encode()).hexdigest()
    assert normalize.sha256_hex(normalize.google_email(raw)) == expected


def test_google_phone_is_e164_with_plus_and_country_code():
    # GIVEN Google's documented US example  WHEN normalised  THEN E.164, hashed with its "+"
    assert normalize.e164("(800)555-0100", "US") == "+18005550100"
    assert (
        normalize.sha256_hex("+18005550100")
        == "fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30"
    )


def test_google_names_are_lowercase_without_prefix_or_suffix():
    assert normalize.google_name("  Mrs. Jane ") == "jane"
    assert normalize.google_name("Smith Jr.") == "smith"
    assert normalize.google_name("Mary Ann") == "mary ann"


# ----------------------------------------------------------------------------- phone numbers
@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+44 234 1234567", None, "+442341234567"),  # as the portal writes them
        ("+1 516 8057840", "US", "+15168057840"),
        ("+44 (0) 20 7031 3000", None, "+442070313000"),  # the bracketed trunk 0 is not dialled
        ("0044 20 7031 3000", None, "+442070313000"),  # international prefix 00
        ("020 7031 3000", "GB", "+442070313000"),  # national: trunk 0 -> country code
        ("1-650-555-1212", "CA", "+16505551212"),
        ("+1 212 565 0000 ext. 12", None, "+12125650000"),  # extension dropped
        ("020 7031 3000", None, None),  # national without a country: not guessed
        ("20 7031 3000", "GB", "+442070313000"),  # the metadata knows UK numbers without their trunk 0
        ("call me maybe", "US", None),
        ("1-800-FLOWERS", "US", None),  # a vanity number: letters are not hashed as digits
        ("555 0100", "US", None),  # local only: the area code is missing
        ("+1 212 555 010", None, None),  # too short for the North American plan
        ("+44 1234 5678 9012 3456", None, None),  # longer than E.164 allows
        # national numbers of the countries the old hand-made trunk table dropped (its metadata's examples)
        ("(06 1) 234 5678", "HU", "+3612345678"),  # trunk prefix 06
        ("(0-312) 34567", "LT", "+37031234567"),
        ("(11) 2345-6789", "BR", "+551123456789"),
        ("011 2345-6789", "AR", "+541123456789"),
        ("600 123 456", "CL", "+56600123456"),
        ("(601) 2345678", "CO", "+576012345678"),
        ("(01) 1234567", "PE", "+5111234567"),
        ("8 (301) 123-45-67", "RU", "+73011234567"),  # trunk prefix 8
        ("", "US", None),
    ],
)
def test_phone_numbers_become_e164_where_the_number_allows_and_are_dropped_otherwise(raw, country, expected):
    assert normalize.e164(raw, country) == expected
    assert normalize.meta_phone(raw, country) == (expected[1:] if expected else None)


# ----------------------------------------------------------------------------- countries, e-mail, cells
def test_every_country_the_portal_writes_maps_to_its_iso_code():
    # GIVEN the country names the local portal generates  THEN each has an ISO 3166-1 alpha-2 code
    expected = {
        "United States": "US",
        "Canada": "CA",
        "United Kingdom": "GB",
        "Germany": "DE",
        "France": "FR",
        "Netherlands": "NL",
        "Australia": "AU",
        "India": "IN",
        "Sweden": "SE",
        "Brazil": "BR",
    }
    assert {name: normalize.country_code(name) for name in gen_names.COUNTRIES} == expected
    # AND common spellings and codes work, an unknown country is dropped (None), never guessed
    assert normalize.country_code("the Netherlands") == "NL"
    assert normalize.country_code("UK") == "GB"
    assert normalize.country_code("Türkiye") == "TR"
    assert normalize.country_code("de") == "DE"
    assert normalize.country_code("Atlantis") is None
    # AND every ISO 3166-1 country is known by its name and codes (pycountry), not only a hand-made list
    assert normalize.country_code("Kazakhstan") == "KZ"
    assert normalize.country_code("Côte d'Ivoire") == "CI"
    assert normalize.country_code("PRT") == "PT"
    assert normalize.country_code("Korea, Republic of") == "KR"
    assert normalize.country_code(None) is None


def test_malformed_emails_are_dropped_and_meta_trims_and_lowercases():
    assert normalize.email("  Someone@Example.COM ") == "someone@example.com"
    for malformed in ("someone", "someone@", "@example.com", "some one@example.com", "a@b", None, ""):
        assert normalize.email(malformed) is None, malformed


def test_plain_cells_never_start_a_spreadsheet_formula():
    assert normalize.plain_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert normalize.plain_cell("@SUM(A1)") == "'@SUM(A1)"
    assert normalize.plain_cell("  Head of Growth ") == "Head of Growth"
    assert normalize.plain_cell(float("nan")) == ""


# ----------------------------------------------------------------------------- postal codes
@pytest.mark.parametrize(
    ("raw", "country", "google", "meta"),
    [
        ("94107", "US", "94107", "94107"),
        ("94107-1234", "US", "94107-1234", "94107"),  # ZIP+4: Meta takes only the first 5 digits
        ("941071234", "US", "94107-1234", "94107"),  # ZIP+4 written as one 9-digit run
        (" 94107 - 1234 ", "US", "94107-1234", "94107"),
        ("9410", "US", None, None),  # a leading zero lost in a spreadsheet: not guessed back
        ("94107-12", "US", None, None),
        ("SW1A 1AA", "US", None, None),  # not a US zip
        ("WC2H 8LG", "GB", "WC2H 8LG", "wc2h8"),  # Google's own example; Meta: area, district, sector
        ("sw1a  1aa", "GB", "SW1A 1AA", "sw1a1"),
        ("M1 1AE", "GB", "M1 1AE", "m11"),
        ("WC2H", "GB", "WC2H", None),  # outward code only: the sector Meta wants is unknown
        ("10115", "GB", "10115", None),  # not a UK postcode
        ("101300", "CN", "101300", "101300"),  # the other example of Google's template
        (" m5v   2t6 ", "CA", "M5V 2T6", "m5v2t6"),  # whitespace: collapsed for Google, removed for Meta
        ("1012 ab", "NL", "1012 AB", "1012ab"),
        ("01310-100", "BR", "01310-100", "01310"),  # Meta keeps what comes before the first hyphen
        ("94107", None, None, None),  # no known country: which rule applies cannot be told
        ("=HYPERLINK(1)", "DE", None, None),  # not a postal code (and a spreadsheet formula)
        ("-10115", "DE", None, None),
        ("", "US", None, None),
        ("   ", "GB", None, None),
        (None, "GB", None, None),
        (float("nan"), "DE", None, None),
    ],
)
def test_postal_codes_follow_each_platforms_rule_for_the_country_and_are_dropped_otherwise(
    raw, country, google, meta
):
    # GIVEN a postal code as HubSpot holds it and the contact's ISO country
    # WHEN normalised for Google (unhashed Zip) and for Meta (hashed zip)
    # THEN each follows its platform's documented rule, or is None when the value does not fit it
    assert normalize.google_postal_code(raw, country) == google
    assert normalize.meta_postal_code(raw, country) == meta
