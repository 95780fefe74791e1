"""Normalising contact identifiers the way the ad platforms document it, and hashing them (SHA-256, hex).

Every function returns None for a value it cannot normalise: the caller drops that identifier from the row
and counts it; nothing is guessed. Sources for each rule: docs/audiences.md.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from typing import Any

# ----------------------------------------------------------------------------- values from SQL / pandas


def text(value: Any) -> str | None:
    """A stripped string, or None for NULL / NaN / empty (pandas hands NULLs over as None or NaN)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import pandas as pd

        if value is pd.NA:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    stripped = str(value).strip()
    return stripped or None


def sha256_hex(value: str) -> str:
    """SHA-256 of the UTF-8 bytes, lowercase hex (what Meta, Google and LinkedIn accept as hashed)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s.]+$")
_GOOGLE_CONSUMER_DOMAINS = ("gmail.com", "googlemail.com")


def email(value: Any) -> str | None:
    """Meta / LinkedIn: trim leading and trailing spaces, lowercase. A malformed address is dropped."""
    found = text(value)
    if found is None:
        return None
    normalised = found.lower()
    return normalised if _EMAIL.match(normalised) else None


def google_email(value: Any) -> str | None:
    """Google: lowercase, remove all whitespace; for gmail.com / googlemail.com also remove the dots of the
    local part and a "+" with everything after it."""
    found = text(value)
    if found is None:
        return None
    normalised = "".join(found.split()).lower()
    if not _EMAIL.match(normalised):
        return None
    local, domain = normalised.rsplit("@", 1)
    if domain in _GOOGLE_CONSUMER_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            return None
    return f"{local}@{domain}"


# ----------------------------------------------------------------------------- countries

# What HubSpot's free-text country field holds besides ISO names and codes, and pycountry does not know:
# colloquial names, the UK's nations, and names in the country's own language. Keys as `_country_key`
# leaves them. Anything else unknown is dropped (None), never guessed.
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "u s a": "US", "u s": "US", "america": "US", "united states of america": "US",
    "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "republic of ireland": "IE", "deutschland": "DE",
    "nederland": "NL", "holland": "NL", "schweiz": "CH", "suisse": "CH", "osterreich": "AT", "espana": "ES",
    "italia": "IT", "danmark": "DK", "norge": "NO", "sverige": "SE", "suomi": "FI", "polska": "PL",
    "turkey": "TR", "uae": "AE", "south korea": "KR", "republic of korea": "KR", "korea republic of": "KR",
    "brasil": "BR", "russia": "RU",
}  # fmt: skip


def _country_key(value: str) -> str:
    """Lowercase ASCII words separated by single spaces, without a leading "the" ("Türkiye" -> "turkiye")."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_only).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@functools.cache
def _country_index() -> dict[str, str]:
    """Every ISO 3166-1 code (alpha-2, alpha-3), name, official and common name, keyed as `_country_key`
    leaves them -> alpha-2; then the aliases. Built once, on first use (pycountry loads its JSON lazily)."""
    import pycountry

    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            written = getattr(country, attribute, None)
            if written:
                index.setdefault(_country_key(written), country.alpha_2)
    index.update(COUNTRY_ALIASES)
    return index


def country_code(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 (uppercase) of a country name or code as HubSpot holds it; None when unknown."""
    found = text(value)
    if found is None:
        return None
    return _country_index().get(_country_key(found))


# ----------------------------------------------------------------------------- phone numbers


def e164(value: Any, country: str | None = None) -> str | None:
    """E.164 ("+" country code, subscriber number) of a phone number, parsed with `phonenumbers` (Google's
    libphonenumber metadata): an extension is cut, and a national number is read with the contact's
    country (ISO alpha-2), whose trunk prefix and number lengths the metadata knows.

    Dropped (None): no digits to speak of, a national number without a known country (it cannot be told
    apart from an international one written without "+"), a local number without its area code, a number
    whose length is impossible for its country, and text with letters (a note, a vanity number). A number
    of the right length in a range not (yet) allocated is kept: the metadata lags new allocations, and the
    platforms match only what exists, so sending it costs nothing.
    """
    import phonenumbers

    found = text(value)
    if found is None:
        return None
    region = country if country in phonenumbers.SUPPORTED_REGIONS else None
    if region is None and found.startswith("00"):  # ITU's international prefix, when no country says more
        found = "+" + found[2:]
    if re.search(r"[A-Za-z]", _EXTENSION.sub("", found)):
        return None  # letters are a note ("call me maybe") or a vanity number: not a number to hash
    try:
        number = phonenumbers.parse(found, region)
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE only: a local number without its area code ("555 0100") is not one the platforms can match
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Extensions as people write them; only used to tell a note ("call me maybe") from "+1 212 … ext. 12".
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)


def meta_phone(value: Any, country: str | None = None) -> str | None:
    """Meta: digits only with the country code, no "+" and no leading zeros (E.164 without its "+")."""
    number = e164(value, country)
    return number[1:] if number else None


# ----------------------------------------------------------------------------- names and places

_NAME_PREFIXES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def meta_name(value: Any) -> str | None:
    """Meta fn / ln / ct: lowercase, no punctuation, symbols or spaces; letters outside a-z stay (UTF-8)."""
    found = text(value)
    if found is None:
        return None
    lowered = unicodedata.normalize("NFC", found).lower()
    kept = "".join(ch for ch in lowered if unicodedata.category(ch)[0] in "LMN")
    return kept or None


def google_name(value: Any) -> str | None:
    """Google first / last name: lowercase, trimmed, without a prefix ("Mrs.") or suffix ("Jr.")."""
    found = text(value)
    if found is None:
        return None
    words = unicodedata.normalize("NFC", found).lower().split()
    if len(words) > 1 and words[0].rstrip(".") in _NAME_PREFIXES:
        words = words[1:]
    if len(words) > 1 and words[-1].rstrip(".").lstrip(",") in _NAME_SUFFIXES:
        words = words[:-1]
        words[-1] = words[-1].rstrip(",")
    return " ".join(words) or None


# ----------------------------------------------------------------------------- postal codes

_US_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")  # ZIP, ZIP+4 ("12345-6789") or its 9-digit run
# A full UK postcode without its space: outward code (area and district), inward code (sector digit, unit)
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d)[A-Z]{2}$")
# What postal codes are made of worldwide: letters, digits, inner spaces and hyphens (nothing that a
# spreadsheet would read as a formula)
_POSTAL_CODE = re.compile(r"^[A-Z\d](?:[A-Z\d -]{0,10}[A-Z\d])?$")


def _postal_code_text(value: Any) -> str | None:
    """Trimmed, inner whitespace collapsed to single spaces, uppercase; None when nothing is left."""
    found = text(value)
    return " ".join(found.split()).upper() if found is not None else None


def google_postal_code(value: Any, country: str | None) -> str | None:
    """Google Zip (sent unhashed): US as 5 digits or ZIP+4 ("12345-6789"); other countries as written
    (trimmed, uppercase). Needs the contact's country (ISO alpha-2): which rule applies depends on it."""
    found = _postal_code_text(value)
    if found is None or country is None:
        return None
    if country == "US":
        match = _US_ZIP.match(found.replace(" ", ""))
        if match is None:
            return None
        return f"{match[1]}-{match[2]}" if match[2] else match[1]
    return found if _POSTAL_CODE.match(found) else None


def meta_postal_code(value: Any, country: str | None) -> str | None:
    """Meta zip (hashed): lowercase without whitespace; US only the first 5 digits; UK the area, district
    and sector ("WC2H 8LG" -> "wc2h8"); elsewhere the part before the first hyphen, as Meta's own
    custom-audience zip normaliser keeps it ("01310-100" -> "01310"). Needs the ISO country."""
    found = _postal_code_text(value)
    if found is None or country is None:
        return None
    compact = found.replace(" ", "")
    if country == "US":
        match = _US_ZIP.match(compact)
        return match[1] if match else None
    if country == "GB":
        match = _UK_POSTCODE.match(compact)
        return f"{match[1]}{match[2]}".lower() if match else None
    return compact.split("-", 1)[0].lower() if _POSTAL_CODE.match(found) else None


# ----------------------------------------------------------------------------- plain text cells

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain_cell(value: Any) -> str:
    """A free-text value for a plain CSV (names, company, title, city): stripped, and never read as a
    spreadsheet formula (a leading = + - @ gets a quote, as OWASP advises for CSV exports)."""
    found = text(value)
    if found is None:
        return ""
    return "'" + found if found.startswith(_FORMULA_STARTS) else found
