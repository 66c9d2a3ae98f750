"""The standard rates the shop starts with, for every country it ships to
(shop.core.addresses.SHIPPING_COUNTRIES). Created by migration 0002_standard_rates and again
by the demo data (`tax_rates_seed`, which adds what is missing and leaves edited rates alone).
Admins change them in Django's admin or the dashboard (/dashboard/taxes/).

VAT (the EU, the EEA, the UK, Switzerland): the standard rate of each country, as a fraction.
United States and Canada: a FLAT rate per state or province (region, ISO 3166-2 subdivision
code without the country), as the issue allows: the state's base sales tax (no county or city
taxes) and Canada's GST/HST, with the province's PST/QST added where it has one. The country
row (region "") is used when the address names no region: Canada's federal GST, and nothing
for the United States (there is no federal sales tax). A shop that must collect local US
taxes needs a tax service; this table is not one.
"""

from decimal import Decimal

VAT = "vat"
SALES_TAX = "sales_tax"

# country -> standard VAT rate in percent (2026)
VAT_RATES: dict[str, str] = {
    "AT": "20", "BE": "21", "BG": "20", "HR": "25", "CY": "19", "CZ": "21", "DK": "25",
    "EE": "24", "FI": "25.5", "FR": "20", "DE": "19", "GR": "24", "HU": "27", "IE": "23",
    "IT": "22", "LV": "21", "LT": "21", "LU": "17", "MT": "18", "NL": "21", "PL": "23",
    "PT": "23", "RO": "21", "SK": "23", "SI": "22", "ES": "21", "SE": "25", "IS": "24",
    "LI": "8.1", "NO": "25", "CH": "8.1", "GB": "20",
}

# United States: the state's base sales tax in percent, no local taxes.
US_STATE_RATES: dict[str, str] = {
    "AL": "4", "AK": "0", "AZ": "5.6", "AR": "6.5", "CA": "7.25", "CO": "2.9", "CT": "6.35",
    "DE": "0", "DC": "6", "FL": "6", "GA": "4", "HI": "4", "ID": "6", "IL": "6.25", "IN": "7",
    "IA": "6", "KS": "6.5", "KY": "6", "LA": "5", "ME": "5.5", "MD": "6", "MA": "6.25",
    "MI": "6", "MN": "6.875", "MS": "7", "MO": "4.225", "MT": "0", "NE": "5.5", "NV": "6.85",
    "NH": "0", "NJ": "6.625", "NM": "4.875", "NY": "4", "NC": "4.75", "ND": "5", "OH": "5.75",
    "OK": "4.5", "OR": "0", "PA": "6", "RI": "7", "SC": "6", "SD": "4.2", "TN": "7",
    "TX": "6.25", "UT": "6.1", "VT": "6", "VA": "5.3", "WA": "6.5", "WV": "6", "WI": "5",
    "WY": "4",
}

# Canada: GST/HST, plus the province's PST/QST where it has one, in percent.
CA_PROVINCE_RATES: dict[str, str] = {
    "AB": "5", "BC": "12", "MB": "12", "NB": "15", "NL": "15", "NS": "14", "NT": "5",
    "NU": "5", "ON": "13", "PE": "15", "QC": "14.975", "SK": "11", "YT": "5",
}

HUNDRED = Decimal("100")


def standard_rates() -> list[tuple[str, str, Decimal, str, str]]:
    """(country, region, rate as a fraction, kind, name) for every row the shop starts with."""
    rows = [(country, "", Decimal(rate) / HUNDRED, VAT, "VAT") for country, rate in
            VAT_RATES.items()]
    rows.append(("US", "", Decimal("0"), SALES_TAX, "Sales tax"))
    rows += [("US", state, Decimal(rate) / HUNDRED, SALES_TAX, "Sales tax")
             for state, rate in US_STATE_RATES.items()]
    rows.append(("CA", "", Decimal("5") / HUNDRED, SALES_TAX, "GST"))
    rows += [("CA", province, Decimal(rate) / HUNDRED, SALES_TAX, "GST/HST/PST")
             for province, rate in CA_PROVINCE_RATES.items()]
    return rows
