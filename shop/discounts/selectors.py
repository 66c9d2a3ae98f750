"""Reads of discount codes for staff (codes hold no customer data: not audited as reads)."""

from __future__ import annotations

from shop.core.errors import NotFound

from .models import DiscountCode

PAGE = 100


def discount_code_list(*, q: str = "") -> list[DiscountCode]:
    codes = DiscountCode.objects.all()
    if q:
        codes = codes.filter(code__icontains=q.strip()[:32])
    return list(codes.order_by("-is_active", "code")[:PAGE])


def discount_code_get(*, code_id: int) -> DiscountCode:
    code = DiscountCode.objects.filter(pk=code_id).first()
    if code is None:
        raise NotFound("There is no such discount code.")
    return code
