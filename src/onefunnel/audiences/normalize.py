"""Normalising contact identifiers the way the ad platforms document it, and hashing them (SHA-256, hex).

Every function returns None for a value it cannot normalise: the caller drops that identifier from the row
and counts it; nothing is guessed. Sources for each rule: docs/audiences.md.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    calling_code: str  # E.164 country calling code
    # National trunk prefix dropped when a national number is written internationally: "0" (UK, Germany ...),
    # "" (none: Italy, Spain, Denmark ...), "nanp" (US / Canada: optional leading 1), None = not supported
    # (national numbers of this country are dropped rather than guessed).
    trunk: str | None


_NANP = "nanp"
# fmt: off
COUNTRIES: dict[str, Country] = {country.code: country for country in (
    Country("US", "1", _NANP), Country("CA", "1", _NANP), Country("GB", "44", "0"),
    Country("IE", "353", "0"), Country("DE", "49", "0"), Country("FR", "33", "0"), Country("NL", "31", "0"),
    Country("BE", "32", "0"), Country("LU", "352", ""), Country("CH", "41", "0"), Country("AT", "43", "0"),
    Country("ES", "34", ""), Country("IT", "39", ""), Country("PT", "351", ""), Country("DK", "45", ""),
    Country("NO", "47", ""), Country("SE", "46", "0"), Country("FI", "358", "0"), Country("IS", "354", ""),
    Country("PL", "48", ""), Country("CZ", "420", ""), Country("SK", "421", "0"), Country("HU", "36", None),
    Country("RO", "40", "0"), Country("BG", "359", "0"), Country("GR", "30", ""), Country("HR", "385", "0"),
    Country("SI", "386", "0"), Country("RS", "381", "0"), Country("UA", "380", "0"),
    Country("EE", "372", ""), Country("LV", "371", ""), Country("LT", "370", None),
    Country("TR", "90", "0"), Country("IL", "972", "0"), Country("AE", "971", "0"),
    Country("SA", "966", "0"), Country("QA", "974", ""), Country("EG", "20", "0"), Country("ZA", "27", "0"),
    Country("NG", "234", "0"), Country("KE", "254", "0"), Country("MA", "212", "0"),
    Country("IN", "91", "0"), Country("PK", "92", "0"), Country("BD", "880", "0"), Country("LK", "94", "0"),
    Country("CN", "86", "0"), Country("HK", "852", ""), Country("TW", "886", "0"), Country("JP", "81", "0"),
    Country("KR", "82", "0"), Country("SG", "65", ""), Country("MY", "60", "0"), Country("ID", "62", "0"),
    Country("PH", "63", "0"), Country("TH", "66", "0"), Country("VN", "84", "0"), Country("AU", "61", "0"),
    Country("NZ", "64", "0"), Country("MX", "52", ""), Country("BR", "55", None), Country("AR", "54", None),
    Country("CL", "56", None), Country("CO", "57", None), Country("PE", "51", None),
    Country("RU", "7", None),
)}
# Country names (and common ways of writing them) -> ISO 3166-1 alpha-2. Keys are written as `_country_key`
# leaves them: lowercase ASCII words separated by single spaces, without a leading "the".
COUNTRY_NAMES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u s a": "US", "u s": "US",
    "america": "US", "canada": "CA",
    "united kingdom": "GB", "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "ireland": "IE", "republic of ireland": "IE", "germany": "DE", "deutschland": "DE", "france": "FR",
    "netherlands": "NL", "nederland": "NL", "holland": "NL", "belgium": "BE", "luxembourg": "LU",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT", "osterreich": "AT",
    "spain": "ES", "espana": "ES", "italy": "IT", "italia": "IT", "portugal": "PT", "denmark": "DK",
    "danmark": "DK", "norway": "NO", "norge": "NO", "sweden": "SE", "sverige": "SE", "finland": "FI",
    "suomi": "FI", "iceland": "IS", "poland": "PL", "polska": "PL", "czechia": "CZ", "czech republic": "CZ",
    "slovakia": "SK", "hungary": "HU", "romania": "RO", "bulgaria": "BG", "greece": "GR", "croatia": "HR",
    "slovenia": "SI", "serbia": "RS", "ukraine": "UA", "estonia": "EE", "latvia": "LV", "lithuania": "LT",
    "turkey": "TR", "turkiye": "TR", "israel": "IL", "united arab emirates": "AE", "uae": "AE",
    "saudi arabia": "SA", "qatar": "QA", "egypt": "EG", "south africa": "ZA", "nigeria": "NG", "kenya": "KE",
    "morocco": "MA", "india": "IN", "pakistan": "PK", "bangladesh": "BD", "sri lanka": "LK", "china": "CN",
    "hong kong": "HK", "taiwan": "TW", "japan": "JP", "south korea": "KR", "republic of korea": "KR",
    "korea republic of": "KR", "singapore": "SG", "malaysia": "MY", "indonesia": "ID", "philippines": "PH",
    "thailand": "TH", "vietnam": "VN", "viet nam": "VN", "australia": "AU", "new zealand": "NZ",
    "mexico": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR", "chile": "CL", "colombia": "CO",
    "peru": "PE", "russia": "RU", "russian federation": "RU",
}
# fmt: on


def _country_key(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_only).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def country_code(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 (uppercase) of a country name or code as HubSpot holds it; None when unknown."""
    found = text(value)
    if found is None:
        return None
    key = _country_key(found)
    if key.upper() in COUNTRIES:
        return key.upper()
    return COUNTRY_NAMES.get(key)


# ----------------------------------------------------------------------------- phone numbers

_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)
_TRUNK_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")  # "+44 (0) 20 ...": the national trunk 0, not dialled


def e164(value: Any, country: str | None = None) -> str | None:
    """E.164 ("+" country code, subscriber number; at most 15 digits) of a phone number.

    International numbers ("+44 20 7031 3000", "0044 ...") need nothing else. A national number needs the
    contact's country (ISO alpha-2) with a known trunk rule (US / Canada: 10 digits; most others: a leading
    trunk 0 replaced by the country code); otherwise it cannot be told apart from an international number
    written without "+", and is dropped.
    """
    found = text(value)
    if found is None:
        return None
    found = _EXTENSION.sub("", found)
    if re.search(r"[^\d\s+().\-/]", found):  # letters or other symbols: not a phone number we can trust
        return None
    international = found.lstrip().startswith("+")
    if international:
        found = _TRUNK_IN_BRACKETS.sub("", found)
    digits = re.sub(r"\D", "", found)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if not international:
        digits = _national_to_international(digits, COUNTRIES.get(country or ""))
        if digits is None:
            return None
    if not digits or digits[0] == "0" or not 7 <= len(digits) <= 15:
        return None
    if digits[0] == "1" and (len(digits) != 11 or digits[1] in "01"):  # NANP: 1 + area code (2-9) + 7 digits
        return None
    return "+" + digits


def _national_to_international(digits: str, country: Country | None) -> str | None:
    if country is None or country.trunk is None:
        return None
    if country.trunk == _NANP:
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return "1" + digits if len(digits) == 10 else None
    if country.trunk:
        if not digits.startswith(country.trunk):
            return None  # without its trunk prefix a national number may already carry a country code
        digits = digits[len(country.trunk) :]
    return country.calling_code + digits


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
