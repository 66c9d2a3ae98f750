"""Discount codes (managers): list, create, edit, switch off; and the tax table (admins): the
rate of each destination. The rules and the audit records are in shop/discounts/actions.py
and shop/taxes/actions.py; the forms here only shape the input."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.core.errors import ShopError
from shop.discounts import actions, selectors
from shop.discounts.models import CODE_MAX_LENGTH, DiscountCode
from shop.taxes import actions as tax_actions
from shop.taxes.selectors import prices_include_tax, tax_rate_list

from .common import actor, render_page

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DiscountCodeForm(forms.Form):
    code = forms.CharField(max_length=CODE_MAX_LENGTH, required=False,
                           help_text="Letters, digits, - and _; shoppers may type it in any case")
    description = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(choices=DiscountCode.Kind.choices)
    value = forms.DecimalField(min_value=0.01, max_digits=10, decimal_places=2,
                               help_text="A percentage (1 to 100) or an amount in EUR")
    minimum_subtotal = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2,
                                          required=False)
    starts_at = forms.DateTimeField(required=False, widget=DATETIME)
    ends_at = forms.DateTimeField(required=False, widget=DATETIME)
    max_uses = forms.IntegerField(min_value=1, max_value=10_000_000, required=False,
                                  help_text="Empty: no limit")
    max_uses_per_customer = forms.IntegerField(min_value=1, max_value=1000, required=False,
                                               help_text="Empty: no limit")
    is_active = forms.BooleanField(required=False, initial=True)


def _initial(code: DiscountCode) -> dict:
    return {name: getattr(code, name) for name in DiscountCodeForm.base_fields}


@require_GET
def discount_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:CODE_MAX_LENGTH]
    return render_page(request, "dashboard/discounts/list.html", {
        "codes": selectors.discount_code_list(q=q), "q": q,
    }, section="discounts")


def _form_page(request: HttpRequest, form: DiscountCodeForm, code: DiscountCode | None,
               status: int = 200) -> HttpResponse:
    return render_page(request, "dashboard/discounts/form.html", {"form": form, "code": code},
                       section="discounts", status=status)


@require_http_methods(["GET", "POST"])
def discount_create(request: HttpRequest) -> HttpResponse:
    form = DiscountCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            code = actions.discount_code_create(actor=actor(request), code=data.pop("code"),
                                                fields=data)
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Code {code.code} created.")
            return redirect("dashboard:discount_list")
    return _form_page(request, form, None, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def discount_edit(request: HttpRequest, code_id: int) -> HttpResponse:
    code = selectors.discount_code_get(code_id=code_id)
    form = DiscountCodeForm(request.POST or None, initial=_initial(code))
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("code", None)
        try:
            actions.discount_code_update(actor=actor(request), code_id=code.pk, fields=data)
        except ShopError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Code {code.code} saved.")
            return redirect("dashboard:discount_list")
    return _form_page(request, form, code, status=422 if form.errors else 200)


@require_POST
def discount_deactivate(request: HttpRequest, code_id: int) -> HttpResponse:
    try:
        code = actions.discount_code_deactivate(actor=actor(request), code_id=code_id)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Code {code.code} switched off: it no longer applies.")
    return redirect("dashboard:discount_list")


@require_GET
def tax_rates(request: HttpRequest) -> HttpResponse:
    return render_page(request, "dashboard/discounts/taxes.html", {
        "rates": tax_rate_list(), "included": prices_include_tax(),
    }, section="taxes")


@require_POST
def tax_rate_edit(request: HttpRequest, rate_id: int) -> HttpResponse:
    try:
        row = tax_actions.tax_rate_change(actor=actor(request), rate_id=rate_id,
                                          percent=request.POST.get("percent", "")[:12])
    except ShopError as error:
        messages.error(request, error.message)
    else:
        where = f"{row.country}-{row.region}" if row.region else row.country
        messages.success(request, f"Rate for {where} saved: {row.percent} %.")
    return redirect("dashboard:tax_rates")
