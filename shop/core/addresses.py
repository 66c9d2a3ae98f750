"""Addresses: where the shop delivers, what a postal code looks like, and the checked
shipping address a checkout takes. The one home of these rules.

Two rules still differ, and both are here, side by side, so that they can become one
(issue 14): the address book offers ADDRESS_BOOK_COUNTRIES (19) and checks postal codes with
ADDRESS_BOOK_POSTAL_CODE, while checkout delivers to SHIPPING_COUNTRIES (34) and checks
POSTAL_CODE (which also refuses a trailing space or dash). The address book's two are part
of the Address model's migration state, so changing them is a migration: that behaviour
change is issue 14's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.validators import RegexValidator

from .errors import InvalidInput

# Where the shop delivers (ISO 3166-1 alpha-2): the EU, the EEA, the UK, Switzerland, the US
# and Canada.
SHIPPING_COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta",
    "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania",
    "SK": "Slovakia", "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "IS": "Iceland",
    "LI": "Liechtenstein", "NO": "Norway", "CH": "Switzerland", "GB": "United Kingdom",
    "US": "United States", "CA": "Canada",
}
POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,18}[A-Za-z0-9]$")
FIELD_LIMITS = {"name": 150, "line1": 200, "line2": 200, "city": 100, "postal_code": 20}

# The address book (shop.accounts.models.Address): its country choices and postal-code check.
ADDRESS_BOOK_COUNTRIES = [
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("CH", "Switzerland"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LU", "Luxembourg"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("SE", "Sweden"),
    ("US", "United States"),
]
ADDRESS_BOOK_POSTAL_CODE = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 -]{1,18}$", "Enter a valid postal code."
)


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""

    @classmethod
    def clean(cls, **fields: str) -> ShippingAddress:
        """Trimmed and checked, or InvalidInput naming the field."""
        values = {}
        for name in ("name", "line1", "line2", "city", "postal_code", "country"):
            value = " ".join(str(fields.get(name) or "").split())
            if not value.isprintable():
                raise InvalidInput(f"The {name} contains characters that are not allowed.",
                                   code="invalid_address")
            values[name] = value
        for name, limit in FIELD_LIMITS.items():
            if name != "line2" and not values[name]:
                raise InvalidInput(f"The address needs a {name.replace('_', ' ')}.",
                                   code="invalid_address")
            if len(values[name]) > limit:
                raise InvalidInput(
                    f"The {name.replace('_', ' ')} is longer than {limit} characters.",
                    code="invalid_address",
                )
        values["country"] = values["country"].upper()
        if values["country"] not in SHIPPING_COUNTRIES:
            raise InvalidInput("We do not deliver to this country.", code="invalid_country")
        if not POSTAL_CODE.match(values["postal_code"]):
            raise InvalidInput("The postal code is not valid.", code="invalid_address")
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name, "line1": self.line1, "line2": self.line2, "city": self.city,
            "postal_code": self.postal_code, "country": self.country,
        }
