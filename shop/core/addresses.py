"""Addresses: where the shop delivers, what each field may hold, what a postal code looks
like in each country, and the checked shipping address a checkout takes. The one home of
these rules: the address book (shop.accounts.models.Address, its forms and API), the
storefront checkout, the API checkout and guest checkout all check an address here, so a
saved address and a checkout can never disagree (issue 14).

- one country list, COUNTRIES (ISO 3166-1 alpha-2: the EU, the EEA, the UK, Switzerland, the
  US and Canada), offered in every form in the order of COUNTRY_CHOICES;
- one set of field limits, FIELD_LIMITS (the model's columns have the same lengths);
- POSTAL_CODES: the format of each country's postal code (the UK's postcode, US ZIP, ...);
  a code is normalised (upper case, single spaces) before it is checked and stored;
- STATES: the US states and Canadian provinces, required there (their two-letter code);
  elsewhere `state` is optional free text;
- `phone`: optional, digits with the usual separators and an optional leading +;
- `address_lines`: an address written as its country's post expects (the UK and Ireland:
  the town, then the postcode on its own line; the US and Canada: "City, ST 12345"; the rest
  of Europe: "12345 City"), the one way every e-mail, page and the dashboard print one (the
  template filters `address_html` and `address_text` of shop/core/templatetags/addresses.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidInput

COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta",
    "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania",
    "SK": "Slovakia", "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "IS": "Iceland",
    "LI": "Liechtenstein", "NO": "Norway", "CH": "Switzerland", "GB": "United Kingdom",
    "US": "United States", "CA": "Canada",
}
SHIPPING_COUNTRIES = COUNTRIES  # the name checkout code has always used
COUNTRY_CHOICES = sorted(COUNTRIES.items(), key=lambda item: item[1])

FIELD_LIMITS = {"name": 150, "line1": 200, "line2": 200, "city": 100, "postal_code": 20,
                "state": 100, "phone": 32}
FIELDS = ("name", "line1", "line2", "city", "state", "postal_code", "country", "phone")
OPTIONAL = frozenset({"line2", "state", "phone"})
LABELS = {"name": "full name", "line1": "address", "line2": "second address line",
          "city": "city", "state": "state or province", "postal_code": "postal code",
          "country": "country", "phone": "phone number"}

_D4, _D5 = r"\d{4}", r"\d{5}"
# The format of each country's postal code, after normalisation (upper case, one space).
POSTAL_CODES: dict[str, tuple[str, str]] = {  # country -> (pattern, example)
    "GB": (r"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})", "SW1A 1AA"),
    "US": (r"\d{5}(-\d{4})?", "94105 or 94105-1234"),
    "CA": (r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d", "K1A 0B1"),
    "NL": (r"[1-9]\d{3} ?[A-Z]{2}", "1012 AB"),
    "PL": (r"\d{2}-\d{3}", "00-950"),
    "PT": (r"\d{4}-\d{3}", "1000-001"),
    "IE": (r"[AC-FHKNPRTV-Y]\d[\dW] ?[\dAC-FHKNPRTV-Y]{4}", "D02 X285"),
    "MT": (r"[A-Z]{3} ?\d{2,4}", "VLT 1117"),
    "CZ": (r"\d{3} ?\d{2}", "110 00"), "SK": (r"\d{3} ?\d{2}", "811 01"),
    "SE": (r"\d{3} ?\d{2}", "111 22"), "GR": (r"\d{3} ?\d{2}", "105 57"),
    "LT": (r"(LT-)?\d{5}", "LT-01100"), "LV": (r"(LV-)?\d{4}", "LV-1050"),
    "LU": (r"(L-)?\d{4}", "L-1648"), "RO": (r"\d{6}", "010011"), "IS": (r"\d{3}", "101"),
    "LI": (r"94\d{2}", "9490"),
    **{c: (_D5, "10115") for c in ("DE", "FR", "IT", "ES", "FI", "EE", "HR")},
    **{c: (_D4, "1010") for c in ("AT", "BE", "BG", "CH", "CY", "DK", "HU", "NO", "SI")},
}
_POSTAL = {country: re.compile(rf"^{pattern}$") for country, (pattern, _) in POSTAL_CODES.items()}
# any country without a rule above (none today): letters, digits, one space or dash between
POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{1,18}[A-Z0-9]$")

US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
)
CA_PROVINCES = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
STATES = {"US": frozenset(US_STATES), "CA": frozenset(CA_PROVINCES)}
PHONE = re.compile(r"^\+?[0-9(][0-9 ()./\-]{4,30}$")


def _text(value: object) -> str:
    return " ".join(str(value if value is not None else "").split())


def postal_code_normalise(value: str) -> str:
    return " ".join(value.upper().split())


def _postal_error(country: str, code: str) -> str | None:
    rule = _POSTAL.get(country)
    if rule is None:
        return None if POSTAL_CODE.match(code) else "Enter a valid postal code."
    if rule.match(code):
        return None
    name = "ZIP code" if country == "US" else "postcode" if country == "GB" else "postal code"
    example = POSTAL_CODES[country][1]
    return f"Enter a valid {name} for {COUNTRIES[country]} (for example {example})."


def address_normalise(fields: dict[str, object]) -> dict[str, str]:
    """Every field trimmed (inner runs of white space made one space), the country, state and
    postal code in upper case, a UK postcode with its space."""
    values = {name: _text(fields.get(name)) for name in FIELDS}
    values["country"] = values["country"].upper()
    values["postal_code"] = postal_code_normalise(values["postal_code"])
    if values["country"] in STATES:
        values["state"] = values["state"].upper()
    code = values["postal_code"]
    if values["country"] in ("GB", "CA") and " " not in code and 5 <= len(code) <= 7:
        values["postal_code"] = f"{code[:-3]} {code[-3:]}"  # SW1A1AA -> SW1A 1AA
    return values


def address_errors(values: dict[str, str]) -> dict[str, str]:
    """field -> what is wrong with it, for normalised `values` (empty: the address is good)."""
    errors: dict[str, str] = {}
    for name in FIELDS:
        value = values.get(name, "")
        limit = FIELD_LIMITS.get(name)
        if not value.isprintable():
            errors[name] = f"The {LABELS[name]} contains characters that are not allowed."
        elif not value and name not in OPTIONAL:
            errors[name] = f"Enter the {LABELS[name]}."
        elif limit is not None and len(value) > limit:
            errors[name] = f"The {LABELS[name]} is longer than {limit} characters."
    country = values.get("country", "")
    if "country" not in errors and country not in COUNTRIES:
        errors["country"] = "We do not deliver to this country."
        return errors
    if "postal_code" not in errors:
        problem = _postal_error(country, values["postal_code"])
        if problem:
            errors["postal_code"] = problem
    if "state" not in errors and country in STATES and values["state"] not in STATES[country]:
        kind = "state" if country == "US" else "province"
        errors["state"] = f"Enter the two-letter code of the {kind} (for example " \
                          f"{'CA' if country == 'US' else 'ON'})."
    phone = values.get("phone", "")
    if phone and "phone" not in errors and (
        not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 6
    ):
        errors["phone"] = "Enter a phone number: digits, spaces, dashes, an optional +."
    return errors


# Where the postal code goes (everything else: "12345 City", most of Europe).
POSTCODE_OWN_LINE = frozenset({"GB", "IE", "MT"})  # the town, then the postcode below it
CITY_STATE_POSTCODE = frozenset({"US", "CA"})  # "City, ST 12345"


def _fields_of(address: object) -> dict[str, str]:
    """The address fields of a saved address, an order (its `ship_` columns), a
    ShippingAddress or a dict (a checkout's state)."""
    if isinstance(address, dict):
        return {name: _text(address.get(name)) for name in FIELDS}
    prefix = "ship_" if hasattr(address, "ship_line1") else ""
    return {name: _text(getattr(address, prefix + name, "")) for name in FIELDS}


def address_lines(address: object) -> list[str]:
    """The lines of the postal address, as its country writes them, the country's name last
    (the phone number is not part of it)."""
    f = _fields_of(address)
    city, state, code, country = f["city"], f["state"], f["postal_code"], f["country"]
    if country in POSTCODE_OWN_LINE:
        place = [" ".join(filter(None, (city, state))), code]
    elif country in CITY_STATE_POSTCODE:
        place = [f"{city}, {' '.join(filter(None, (state, code)))}" if city else
                 " ".join(filter(None, (state, code)))]
    else:
        place = [" ".join(filter(None, (code, city, state)))]
    lines = [f["name"], f["line1"], f["line2"], *place, COUNTRIES.get(country, country)]
    return [line for line in lines if line]


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    state: str = ""
    phone: str = ""

    @classmethod
    def clean(cls, **fields: object) -> ShippingAddress:
        """Normalised and checked, or InvalidInput naming the first field that is wrong."""
        values = address_normalise(fields)
        errors = address_errors(values)
        if errors:
            name, message = next(iter(errors.items()))
            code = "invalid_country" if name == "country" else "invalid_address"
            raise InvalidInput(message, code=code)
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}
