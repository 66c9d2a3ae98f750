"""Property tests of the money arithmetic (shop/core/money.py, issue 14): for any basket,
discount, delivery and tax rule, total = subtotal - discount + shipping (+ tax when not
included), never negative, every amount in whole cents, the lines' discounts and taxes add up
to the order's exactly. Pure: no database."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shop.core.money import CENT, TaxRule, allocate, cents, percent_of, price_basket

money = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99999.99"), places=2,
                    allow_nan=False, allow_infinity=False)
unit_prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2,
                          allow_nan=False, allow_infinity=False)
lines = st.lists(st.tuples(unit_prices, st.integers(min_value=1, max_value=99)), min_size=1,
                 max_size=12)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.5"), places=5,
                    allow_nan=False, allow_infinity=False)
rules = st.builds(TaxRule, rate=rates, included=st.booleans())


def line_totals(basket):
    return [price * quantity for price, quantity in basket]


def is_cents(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT)


@settings(max_examples=400, deadline=None)
@given(basket=lines, discount=money, shipping=money, rule=rules)
def test_total_is_subtotal_minus_discount_plus_shipping_plus_added_tax(basket, discount,
                                                                       shipping, rule):
    priced = price_basket(line_totals(basket), discount=discount, shipping=shipping, tax=rule)
    expected = priced.subtotal - priced.discount + priced.shipping
    if not rule.included:
        expected += priced.tax
    assert priced.total == expected
    assert priced.total >= 0
    assert priced.subtotal == sum(line_totals(basket))
    assert Decimal("0") <= priced.discount <= priced.subtotal
    assert priced.tax_included is rule.included
    for amount in (priced.subtotal, priced.discount, priced.shipping, priced.tax,
                   priced.total, *priced.line_discounts, *priced.line_taxes):
        assert is_cents(amount), amount


@settings(max_examples=400, deadline=None)
@given(basket=lines, discount=money, shipping=money, rule=rules)
def test_lines_add_up_to_the_order_to_the_cent(basket, discount, shipping, rule):
    totals = line_totals(basket)
    priced = price_basket(totals, discount=discount, shipping=shipping, tax=rule)
    assert sum(priced.line_discounts) == priced.discount
    assert sum(priced.line_taxes) + priced.shipping_tax == priced.tax
    for total, share in zip(totals, priced.line_discounts, strict=True):
        assert Decimal("0") <= share <= total  # no line is discounted below zero
    # tax rounded per line: each line's tax is its own rounding, nothing else
    for total, share, tax in zip(totals, priced.line_discounts, priced.line_taxes,
                                 strict=True):
        assert tax == rule.tax_of(total - share)


@settings(max_examples=300, deadline=None)
@given(basket=lines, shipping=money, rule=rules)
def test_included_tax_is_never_more_than_what_is_paid(basket, shipping, rule):
    priced = price_basket(line_totals(basket), shipping=shipping,
                          tax=TaxRule(rate=rule.rate, included=True))
    assert priced.tax <= priced.total
    # a tax rounded per line is within half a cent per line of the exact included part
    exact = priced.total * rule.rate / (1 + rule.rate)
    assert abs(priced.tax - exact) <= Decimal("0.005") * (len(basket) + 1)


@settings(max_examples=300, deadline=None)
@given(amount=money, weights=st.lists(money, min_size=1, max_size=15))
def test_allocate_spreads_every_cent_and_no_more(amount, weights):
    shares = allocate(amount, weights)
    if sum(weights) == 0:
        assert all(share == 0 for share in shares)
        return
    assert sum(shares) == amount
    assert all(share >= 0 and is_cents(share) for share in shares)
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):  # within a cent of its due
        assert abs(share - amount * weight / total) < CENT


@settings(max_examples=300, deadline=None)
@given(amount=money, percent=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"),
                                          places=2, allow_nan=False, allow_infinity=False))
def test_a_percentage_is_rounded_half_up_and_never_more_than_the_amount(amount, percent):
    off = percent_of(amount, percent)
    assert is_cents(off)
    assert Decimal("0") <= off <= amount
    assert abs(off - amount * percent / 100) <= Decimal("0.005")


def test_known_values():
    # 19 % German VAT included in 119.00: 19.00; 20 % added to 10.00: 2.00
    assert TaxRule(rate=Decimal("0.19"), included=True).tax_of(Decimal("119.00")) == Decimal(
        "19.00")
    assert TaxRule(rate=Decimal("0.2"), included=False).tax_of(Decimal("10.00")) == Decimal(
        "2.00")
    assert cents(Decimal("0.005")) == Decimal("0.01")  # half up, not banker's rounding
    # 10 % off 3 x 33.33: 10.00 off, spread 3.34 / 3.33 / 3.33
    priced = price_basket([Decimal("33.33")] * 3, discount=Decimal("10.00"))
    assert priced.line_discounts == (Decimal("3.34"), Decimal("3.33"), Decimal("3.33"))
    # a fixed discount larger than the basket stops at the basket: total is the delivery
    priced = price_basket([Decimal("3.00")], discount=Decimal("5.00"), shipping=Decimal("4.95"))
    assert (priced.discount, priced.total) == (Decimal("3.00"), Decimal("4.95"))
