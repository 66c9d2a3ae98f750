from django.urls import path

from .views import accounts, catalog, fragments, health

app_name = "web"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("c/<slug:slug>/", catalog.category, name="category"),
    path("products/", catalog.product_list, name="product_list"),
    path("products/<slug:slug>/", catalog.product_detail, name="product_detail"),
    path("fragments/header", fragments.header, name="header_fragment"),
    path("healthz", health.healthz, name="healthz"),
    # accounts (shop/web/views/accounts.py): all private, no-store
    path("account/", accounts.account, name="account"),
    path("account/register/", accounts.register, name="register"),
    path("account/sign-in/", accounts.sign_in, name="sign_in"),
    path("account/sign-out/", accounts.sign_out, name="sign_out"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("account/verify-email/", accounts.email_verify_send, name="email_verify_send"),
    path(
        "account/verify-email/<str:uidb64>/<str:token>/",
        accounts.email_verify,
        name="email_verify",
    ),
    path("account/addresses/", accounts.address_list, name="address_list"),
    path("account/addresses/new/", accounts.address_create, name="address_create"),
    path("account/addresses/<int:address_id>/", accounts.address_edit, name="address_edit"),
    path(
        "account/addresses/<int:address_id>/delete/",
        accounts.address_delete,
        name="address_delete",
    ),
    path(
        "account/password-reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<str:uidb64>/<str:token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
