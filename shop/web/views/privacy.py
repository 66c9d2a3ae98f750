"""Storefront privacy pages: the shopper's data (download, marketing emails, deleting the
account), the one-click unsubscribe link, and the public privacy notice.

Everything but the notice is private, no-store (shop/policy/cache.py). The download needs a
fresh password confirmation: a POST of the password marks the session for
SHOP_PRIVACY_CONFIRM_SECONDS, and only then does the download link work. Deleting the account
asks for the password in the same form. The rules are in shop/privacy/services.py.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.accounts.errors import Throttled
from shop.privacy import consent, export, services
from shop.privacy.errors import OrdersOpen, PasswordIncorrect, StaffAccountKept

from .accounts import CLEAR_SITE_DATA, signin_required, throttled_page


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AccountDeleteForm(PasswordConfirmForm):
    confirm = forms.BooleanField(
        label="I understand that my account, addresses and cart are deleted for good.",
        required=True,
        error_messages={"required": "Tick the box to confirm."},
    )


class MarketingForm(forms.Form):
    subscribe = forms.BooleanField(required=False)


@signin_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    user = request.principal.user
    return render(request, "web/privacy/privacy.html", {
        "marketing": consent.marketing_consent_get(user=user),
        "marketing_wording": consent.marketing_wording(),
    })


@signin_required
@require_POST
def marketing_preferences(request: HttpRequest) -> HttpResponse:
    form = MarketingForm(request.POST)
    user = request.principal.user
    if form.is_valid() and form.cleaned_data["subscribe"]:
        consent.marketing_consent_give(user=user, via="storefront")
        messages.success(request, "Thank you: we will email you about new products and offers.")
    else:
        consent.marketing_consent_withdraw(user_id=user.pk, via="storefront")
        messages.success(request, "Done: we will not send you marketing emails.")
    return redirect("web:privacy")


# --- download my data


@signin_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def privacy_export(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_confirm(
                request=request,
                user=request.principal.user,
                password=form.cleaned_data["password"],
            )
        except Throttled as error:
            return throttled_page(request, error)
        except PasswordIncorrect as error:
            form.add_error("password", error.message)
        else:
            services.session_mark_confirmed(session=request.session)
            return redirect("web:privacy_export")
    ready = request.method == "GET" and services.session_recently_confirmed(
        session=request.session
    )
    return render(request, "web/privacy/export.html", {"form": form, "ready": ready})


@signin_required
@require_GET
def privacy_export_download(request: HttpRequest) -> HttpResponse:
    if not services.session_recently_confirmed(session=request.session):
        messages.info(request, "Please confirm your password to download your data.")
        return redirect("web:privacy_export")
    try:
        chunks = export.account_export_begin(
            request=request, user=request.principal.user, via="storefront"
        )
    except Throttled as error:
        return throttled_page(request, error)
    response = StreamingHttpResponse(chunks, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{export.export_filename()}"'
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]


# --- delete my account


@signin_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_erase(
                request=request,
                user=request.principal.user,
                password=form.cleaned_data["password"],
                via="storefront",
            )
        except Throttled as error:
            return throttled_page(request, error)
        except (PasswordIncorrect, StaffAccountKept, OrdersOpen) as error:
            form.add_error("password" if isinstance(error, PasswordIncorrect) else None,
                           error.message)
        else:
            logout(request)
            response = render(request, "web/privacy/deleted.html")
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
            return response
    return render(request, "web/privacy/delete.html", {"form": form})


# --- the one-click unsubscribe link of marketing emails (no sign-in)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET (a person, or a mail scanner, opening the link): a page with one button, nothing
    changed. POST (that button, or the mail client's RFC 8058 one-click POST): the marketing
    consent the signed token names is withdrawn at once. The pages are the same for every
    valid link: they name nobody and do not tell whether the account exists."""
    if request.method == "POST":
        valid = consent.unsubscribe_by_token(token=token)
        template = "web/privacy/unsubscribed.html"
    else:
        valid = consent.unsubscribe_token_valid(token=token)
        template = "web/privacy/unsubscribe.html"
    return render(request, template, {"valid": valid}, status=200 if valid else 400)


# --- the privacy notice (public, the same for everyone)


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy/notice.html", {
        "ip_retention_days": settings.SHOP_IP_RETENTION_DAYS,
        "marketing_wording": consent.marketing_wording(),
    })
