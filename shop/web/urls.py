from django.urls import path, register_converter

from .views import (
    accounts,
    cart,
    catalog,
    checkout,
    checkout_address,
    fragments,
    guest,
    guest_privacy,
    health,
    orders,
    privacy,
)

register_converter(orders.OrderNumberConverter, "order_number")

app_name = "web"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("c/<slug:slug>/", catalog.category, name="category"),
    path("products/", catalog.product_list, name="product_list"),
    path("products/<slug:slug>/", catalog.product_detail, name="product_detail"),
    path("fragments/private", fragments.private_sections, name="private_sections"),
    path("fragments/header", fragments.header, name="header_fragment"),
    path("healthz", health.healthz, name="healthz"),
    # cart, checkout, orders (shop/web/views/{cart,checkout,orders}.py): all private, no-store
    path("cart/", cart.cart_page, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/update/", cart.cart_update, name="cart_update"),
    path("cart/remove/", cart.cart_remove, name="cart_remove"),
    path("cart/discount/", cart.cart_discount_add, name="cart_discount"),
    path("cart/discount/remove/", cart.cart_discount_delete, name="cart_discount_remove"),
    path(
        "fragments/add-to-cart/<slug:slug>",
        cart.add_to_cart_fragment,
        name="add_to_cart_fragment",
    ),
    path("fragments/cart-count", cart.cart_count_fragment, name="cart_count_fragment"),
    path("checkout/", checkout.checkout_start, name="checkout"),
    path("checkout/address/", checkout_address.checkout_address, name="checkout_address"),
    # guest checkout and guest orders (shop/web/views/guest.py)
    path("checkout/guest/", guest.checkout_guest, name="checkout_guest"),
    path("checkout/guest/complete/", guest.guest_checkout_complete,
         name="guest_checkout_complete"),
    path("checkout/guest/paid/<order_number:number>/", guest.guest_checkout_paid,
         name="guest_checkout_paid"),
    path("checkout/guest/cancelled/<order_number:number>/", guest.guest_checkout_cancelled,
         name="guest_checkout_cancelled"),
    path("order/", guest.guest_order, name="guest_order"),
    path("order/erase/", guest_privacy.guest_order_erase, name="guest_order_erase"),
    path("account/orders/claim/send/", guest.guest_claim_send, name="guest_claim_send"),
    path("account/orders/claim/", guest.guest_claim, name="guest_claim"),
    path("checkout/delivery/", checkout.checkout_shipping, name="checkout_shipping"),
    path("checkout/payment/", checkout.checkout_payment, name="checkout_payment"),
    path("checkout/review/", checkout.checkout_review, name="checkout_review"),
    path("checkout/place/", checkout.checkout_place, name="checkout_place"),
    # back from the payment provider's hosted page (Stripe Checkout)
    path("checkout/paid/<order_number:number>/", checkout.checkout_paid, name="checkout_paid"),
    path("checkout/cancelled/<order_number:number>/", checkout.checkout_cancelled,
         name="checkout_cancelled"),
    path(
        "checkout/complete/<order_number:number>/",
        checkout.checkout_complete,
        name="checkout_complete",
    ),
    path("account/orders/", orders.order_list, name="order_list"),
    path("account/orders/<order_number:number>/", orders.order_detail, name="order_detail"),
    # accounts (shop/web/views/accounts.py): all private, no-store
    path("account/", accounts.account, name="account"),
    path("account/register/", accounts.register, name="register"),
    path("account/register/sent/", accounts.register_done, name="register_done"),
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
    # privacy (shop/web/views/privacy.py): private, no-store, except the public notice
    path("account/privacy/", privacy.privacy, name="privacy"),
    path(
        "account/privacy/marketing/",
        privacy.marketing_preferences,
        name="marketing_preferences",
    ),
    path("account/privacy/export/", privacy.privacy_export, name="privacy_export"),
    path(
        "account/privacy/export/download/",
        privacy.privacy_export_download,
        name="privacy_export_download",
    ),
    path("account/delete/", privacy.account_delete, name="account_delete"),
    path("unsubscribe/<str:token>/", privacy.unsubscribe, name="unsubscribe"),
    path("privacy/", privacy.privacy_notice, name="privacy_notice"),
]
