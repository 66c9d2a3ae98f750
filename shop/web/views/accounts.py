"""Storefront account pages: register, sign in and out, password change and reset, profile,
email verification, saved addresses.

Every route here is private, no-store (shop/policy/cache.py). Who is asking is
request.principal (the session); addresses are read only through shop/policy/access.py.
The views shape input and output; the rules are in shop/accounts/services.py.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shop.accounts import services
from shop.accounts.errors import (
    InvalidCredentials,
    InvalidField,
    InvalidPassword,
    Throttled,
)
from shop.accounts.throttle import throttle_check
from shop.core.errors import Conflict
from shop.policy.access import access_address, address_list_for

from ..forms_accounts import (
    AddressForm,
    ProfileForm,
    RegisterForm,
    ShopPasswordChangeForm,
    ShopPasswordResetForm,
    ShopSetPasswordForm,
    SignInForm,
)

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def throttled_page(request: HttpRequest, error: Throttled) -> HttpResponse:
    minutes = max(1, (error.retry_after + 59) // 60)
    response = render(request, "web/accounts/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def signin_required(view):
    """Anonymous visitors are sent to the sign-in page, and back here afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.principal.is_authenticated:
            query = urlencode({"next": request.path})
            return redirect(f"{reverse('web:sign_in')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in or registering: `next` when it is a path on this site,
    else the account page. A path, never a URL name or another host: a bare word, a scheme,
    `//host` or a backslash trick all fall back to the account page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse("web:account")


# --- sign-up, sign-in, sign-out


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.principal.is_authenticated:
        return redirect("web:account")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_register(
                request=request, email=data["email"], password=data["password"], name=data["name"]
            )
        except Throttled as error:
            return throttled_page(request, error)
        except InvalidPassword as error:
            form.add_error("password", error.messages)
        except InvalidField as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            # The same answer whether the address was new (an account and a confirmation link)
            # or had an account (a note to its owner): nobody learns which. Not signed in:
            # that would tell.
            return redirect("web:register_done")
    return render(request, "web/accounts/register.html", {"form": form, "next": _next_url(request)})


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accounts/register_done.html")


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.principal.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except Throttled as error:
            return throttled_page(request, error)
        except InvalidCredentials as error:
            form.add_error(None, error.message)
        else:
            # login() cycles the session key (no fixation) and rotates the CSRF token. The
            # session's data (a guest cart) is kept for the cart to merge.
            login(request, user)
            return HttpResponseRedirect(_next_url(request))
    return render(request, "web/accounts/sign_in.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST ends the session (flushed: a new, empty one), and asks the browser to forget
    everything of this shopper: cache, cookies and storage. GET (a typed or bookmarked
    address) changes nothing: it shows the sign-out button, a form that POSTs here."""
    if request.method != "POST":
        return render(request, "web/accounts/sign_out.html")
    logout(request)
    response = render(request, "web/accounts/signed_out.html")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.delete_cookie(settings.CSRF_COOKIE_NAME, samesite=settings.CSRF_COOKIE_SAMESITE)  # type: ignore[arg-type]
    return response


# --- the account itself


@signin_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.principal.user
    form = ProfileForm(request.POST or None, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, name=form.cleaned_data["name"])
        except InvalidField as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("web:account")
    return render(request, "web/accounts/account.html", {"form": form, "account": user})


@signin_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.principal.user
    form = ShopPasswordChangeForm(user, request.POST or None)
    if request.method == "POST":
        try:
            throttle_check(request=request, scope="password_change", account=user.email)
        except Throttled as error:
            return throttled_page(request, error)
        if form.is_valid():
            try:
                services.user_password_set(user=user, password=form.cleaned_data["new_password1"])
            except InvalidPassword as error:
                form.add_error("new_password1", error.messages)
            else:
                # This browser stays signed in; every other session and token ends.
                update_session_auth_hash(request, user)
                messages.success(
                    request,
                    "Your password is changed. Other devices have been signed out.",
                )
                return redirect("web:account")
    return render(request, "web/accounts/password_change.html", {"form": form})


# --- email verification


@signin_required
@require_POST
def email_verify_send(request: HttpRequest) -> HttpResponse:
    try:
        services.email_verification_request(request=request, user=request.principal.user)
    except Throttled:
        messages.error(request, "We have sent several links already. Please try again later.")
    else:
        messages.success(request, "We have sent you a new confirmation link.")
    return redirect("web:account")


@require_http_methods(["GET"])
def email_verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = services.email_verification_confirm(uidb64=uidb64, token=token)
    return render(
        request,
        "web/accounts/email_verified.html",
        {"verified": user is not None},
        status=200 if user is not None else 400,
    )


# --- password reset by emailed link (Django's views, our templates and services)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = ShopPasswordResetForm
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form):
        # Throttled per address and per email. The answer is the same whether or not the
        # address has an account; only an existing, active account gets an email.
        try:
            throttle_check(
                request=self.request, scope="password_reset", account=form.cleaned_data["email"]
            )
        except Throttled as error:
            return throttled_page(self.request, error)
        base = services.site_base_url(self.request)
        scheme, _, domain = base.partition("://")
        form.save(
            domain_override=domain,
            use_https=scheme == "https",
            token_generator=self.token_generator,
            from_email=None,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            extra_email_context={"shop_name": settings.SHOP_NAME, "base_url": base},
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    form_class = ShopSetPasswordForm
    success_url = reverse_lazy("web:password_reset_complete")

    def form_valid(self, form):
        try:
            services.user_password_reset_complete(
                user=form.user, password=form.cleaned_data["new_password1"]
            )
        except InvalidPassword as error:
            form.add_error("new_password1", ValidationError(error.messages))
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/accounts/password_reset_complete.html"


# --- saved addresses (always through shop.policy.access)


@signin_required
@require_http_methods(["GET"])
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = address_list_for(viewer=request.principal)
    return render(request, "web/accounts/address_list.html", {"addresses": addresses})


def _address_form_page(request: HttpRequest, *, address=None) -> HttpResponse:
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            if address is None:
                services.address_create(user=request.principal.user, data=data)
            else:
                services.address_update(address=address, data=data)
        except Conflict as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Address saved.")
            return redirect("web:address_list")
    return render(request, "web/accounts/address_form.html", {"form": form, "address": address})


@signin_required
@require_http_methods(["GET", "POST"])
def address_create(request: HttpRequest) -> HttpResponse:
    return _address_form_page(request)


@signin_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    address = access_address(viewer=request.principal, address_id=address_id)
    return _address_form_page(request, address=address)


@signin_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address = access_address(viewer=request.principal, address_id=address_id)
    services.address_delete(address=address)
    messages.success(request, "Address deleted.")
    return redirect("web:address_list")
