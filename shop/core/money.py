"""The arithmetic of an order's money, in one place: Decimal only, cents, ROUND_HALF_UP.

Pure functions, no database: shop/orders/pricing.py feeds them the prices, the shipping
price, the discount and the tax rule of a destination, and every screen (cart, checkout,
order, e-mail, CSV) shows what `price_basket` returned, so they can never differ by a cent.

The rules (docs/orders.md, "Taxes, discounts and rounding"):

- subtotal  = the sum of the line totals (unit price x quantity, exact to the cent);
- discount  = a percentage of the subtotal (rounded half up) or a fixed amount, never more
  than the subtotal; spread over the lines in proportion to their totals, to the cent
  (largest remainder), so that the lines' discounts add up to the order's exactly;
- tax is rounded PER LINE: each line's taxable amount (its total less its share of the
  discount) and the shipping price are taxed separately and rounded half up to the cent; the
  order's tax is the sum of those roundings. Included tax (VAT in the shelf price) is the
  part `amount x rate / (1 + rate)`; added tax (US/CA sales tax) is `amount x rate`;
- total     = subtotal - discount + shipping (+ tax when it is not included), never below 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def cents(amount: Decimal) -> Decimal:
    """Rounded half up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return cents(amount * percent / HUNDRED)


@dataclass(frozen=True)
class TaxRule:
    """The tax of one destination: `rate` as a fraction (0.2000 is 20 %); `included`: the
    shelf prices already hold it (VAT in the EU and the UK), else it is added on top."""

    rate: Decimal = ZERO
    included: bool = False
    name: str = "Tax"

    def tax_of(self, amount: Decimal) -> Decimal:
        """The tax of one line's amount, rounded half up to the cent."""
        if amount <= 0 or self.rate <= 0:
            return ZERO
        if self.included:
            return cents(amount * self.rate / (1 + self.rate))
        return cents(amount * self.rate)


NO_TAX = TaxRule()


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` (whole cents) spread over `weights` in proportion, to the cent: each share is
    rounded down, and the cents left over go to the largest remainders (the first of equal
    ones). The shares add up to `amount` exactly."""
    total = sum(weights, ZERO)
    if amount == 0 or total <= 0:
        return [ZERO for _ in weights]
    exact = [amount * weight / total for weight in weights]
    shares = [share.quantize(CENT, rounding=ROUND_DOWN) for share in exact]
    left = int((amount - sum(shares, ZERO)) / CENT)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in order[:left]:
        shares[index] += CENT
    return shares


@dataclass(frozen=True)
class Priced:
    """What a basket costs. Per line: its discount and its tax (same order as the input)."""

    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    tax_included: bool
    total: Decimal
    line_discounts: tuple[Decimal, ...]
    line_taxes: tuple[Decimal, ...]
    shipping_tax: Decimal
    tax_rate: Decimal

    @property
    def net(self) -> Decimal:
        """The total without its tax."""
        return self.total - self.tax


def price_basket(
    line_totals: Sequence[Decimal], *, discount: Decimal = ZERO, shipping: Decimal = ZERO,
    tax: TaxRule = NO_TAX,
) -> Priced:
    """The one computation of an order's amounts (see the module docstring). `discount` is
    the amount the code is worth (clamped here to the subtotal), `shipping` the price of the
    delivery (shop/orders/pricing.py decides it, free shipping included)."""
    lines = [cents(total) for total in line_totals]
    subtotal = sum(lines, ZERO)
    discount = min(max(cents(discount), ZERO), subtotal)
    shipping = max(cents(shipping), ZERO)
    line_discounts = allocate(discount, lines)
    line_taxes = [tax.tax_of(total - share) for total, share in zip(lines, line_discounts,
                                                                  strict=True)]
    shipping_tax = tax.tax_of(shipping)
    tax_total = sum(line_taxes, ZERO) + shipping_tax
    total = subtotal - discount + shipping + (ZERO if tax.included else tax_total)
    return Priced(
        subtotal=subtotal, discount=discount, shipping=shipping, tax=tax_total,
        tax_included=tax.included, total=max(total, ZERO),
        line_discounts=tuple(line_discounts), line_taxes=tuple(line_taxes),
        shipping_tax=shipping_tax, tax_rate=tax.rate,
    )
