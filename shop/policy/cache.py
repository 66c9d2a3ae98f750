"""The caching contract (docs/contract.md §5) in one place: which route may be cached by whom.

Every route is looked up here by its URL name. A route that is not listed is private and
no-store: a route is never public by accident. tests/policy/test_route_policies.py walks every
URL pattern and fails for a route that is not declared here, so adding a route means deciding.

A public route is rendered as an anonymous visitor (the middleware strips cookies and
credentials before the view runs), sets no cookie, and carries an ETag.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CachePolicy:
    name: str
    public: bool
    max_age: int = 0
    s_maxage: int = 0
    stale_while_revalidate: int = 0

    @property
    def header(self) -> str:
        if not self.public:
            return "private, no-store"
        parts = ["public", f"max-age={self.max_age}", f"s-maxage={self.s_maxage}"]
        if self.stale_while_revalidate:
            parts.append(f"stale-while-revalidate={self.stale_while_revalidate}")
        return ", ".join(parts)


PRIVATE = CachePolicy("private", public=False)
# Catalog pages and API: the same bytes for everyone; shared caches keep them for 5 minutes,
# browsers revalidate after one (ETag makes that a 304).
PUBLIC_CATALOG = CachePolicy(
    "public-catalog", public=True, max_age=60, s_maxage=300, stale_while_revalidate=60
)
# Rarely changing reference data (category tree, shipping methods, API schema).
PUBLIC_REFERENCE = CachePolicy(
    "public-reference", public=True, max_age=300, s_maxage=3600, stale_while_revalidate=300
)

# URL name -> policy. "namespace:*" covers a whole namespace. Private routes are listed too,
# so that the test can tell "decided private" from "forgotten".
ROUTE_POLICIES: dict[str, CachePolicy] = {
    # storefront
    "web:home": PUBLIC_CATALOG,
    "web:category": PUBLIC_CATALOG,
    "web:product_list": PUBLIC_CATALOG,
    "web:product_detail": PUBLIC_CATALOG,
    "web:header_fragment": PRIVATE,
    # who is signed in, the cart count and a CSRF token (shop/web/private.py)
    "web:private_sections": PRIVATE,
    "web:healthz": PRIVATE,
    # accounts: who is asking decides everything on these pages
    "web:account": PRIVATE,
    "web:register": PRIVATE,
    "web:register_done": PRIVATE,
    "web:sign_in": PRIVATE,
    "web:sign_out": PRIVATE,
    "web:password_change": PRIVATE,
    "web:email_verify_send": PRIVATE,
    "web:email_verify": PRIVATE,
    "web:address_list": PRIVATE,
    "web:address_create": PRIVATE,
    "web:address_edit": PRIVATE,
    "web:address_delete": PRIVATE,
    "web:password_reset": PRIVATE,
    "web:password_reset_done": PRIVATE,
    "web:password_reset_confirm": PRIVATE,
    "web:password_reset_complete": PRIVATE,
    # privacy (shop/web/views/privacy.py, shop/api/privacy.py): the shopper's data, the
    # signed unsubscribe link (whose it is must not be stored anywhere), the erasure
    "web:privacy": PRIVATE,
    "web:marketing_preferences": PRIVATE,
    "web:privacy_export": PRIVATE,
    "web:privacy_export_download": PRIVATE,
    "web:account_delete": PRIVATE,
    "web:unsubscribe": PRIVATE,
    # the privacy notice: the same words for everyone
    "web:privacy_notice": PUBLIC_REFERENCE,
    # public API
    "api:category_list": PUBLIC_REFERENCE,
    "api:product_list": PUBLIC_CATALOG,
    "api:product_detail": PUBLIC_CATALOG,
    "api:shipping_method_list": PUBLIC_REFERENCE,
    "api:openapi-json": PUBLIC_REFERENCE,
    "api:openapi-view": PUBLIC_REFERENCE,
    # accounts API: credentials in, credentials or personal data out
    "api:auth_register": PRIVATE,
    "api:auth_token": PRIVATE,
    "api:auth_refresh": PRIVATE,
    "api:auth_logout": PRIVATE,
    "api:me": PRIVATE,
    "api:me_erase": PRIVATE,  # DELETE /me (resolves as api:me: the same URL)
    "api:me_export": PRIVATE,
    "api:api-root": PRIVATE,  # Ninja's mount point: a 404 that only exists for reverse()
    # cart, checkout and orders: whose they are is the whole point; never stored anywhere
    "web:cart": PRIVATE,
    "web:cart_add": PRIVATE,
    "web:cart_update": PRIVATE,
    "web:cart_remove": PRIVATE,
    "web:cart_discount": PRIVATE,
    "web:cart_discount_remove": PRIVATE,
    "web:add_to_cart_fragment": PRIVATE,
    "web:cart_count_fragment": PRIVATE,
    "web:checkout": PRIVATE,
    "web:checkout_address": PRIVATE,
    "web:checkout_shipping": PRIVATE,
    "web:checkout_payment": PRIVATE,
    "web:checkout_review": PRIVATE,
    "web:checkout_place": PRIVATE,
    "web:checkout_complete": PRIVATE,
    "web:checkout_paid": PRIVATE,
    "web:checkout_cancelled": PRIVATE,
    "web:order_list": PRIVATE,
    "web:order_detail": PRIVATE,
    "api:cart": PRIVATE,
    "api:cart_items": PRIVATE,
    "api:cart_item_update": PRIVATE,
    "api:cart_item_delete": PRIVATE,
    "api:cart_discount": PRIVATE,
    "api:checkout": PRIVATE,
    "api:order_list": PRIVATE,
    "api:order_detail": PRIVATE,
    # guest checkout: the guest's order and its token (shop/api/guest.py,
    # shop/web/views/guest.py)
    "api:guest_checkout": PRIVATE,
    "api:guest_order_detail": PRIVATE,
    "api:guest_order_erase": PRIVATE,
    "web:checkout_guest": PRIVATE,
    "web:guest_checkout_complete": PRIVATE,
    "web:guest_checkout_paid": PRIVATE,
    "web:guest_checkout_cancelled": PRIVATE,
    "web:guest_order": PRIVATE,
    "web:guest_order_erase": PRIVATE,
    "web:guest_claim_send": PRIVATE,
    "web:guest_claim": PRIVATE,
    # Django's admin: staff only, never cached
    "admin:*": PRIVATE,
    # the staff dashboard (shop/dashboard/urls.py): every page, fragment and action
    "dashboard:index": PRIVATE,
    "dashboard:order_list": PRIVATE,
    "dashboard:order_export": PRIVATE,
    "dashboard:order_detail": PRIVATE,
    "dashboard:order_fulfil": PRIVATE,
    "dashboard:order_cancel": PRIVATE,
    "dashboard:order_refund": PRIVATE,
    "dashboard:customer_list": PRIVATE,
    "dashboard:customer_detail": PRIVATE,
    "dashboard:product_list": PRIVATE,
    "dashboard:product_detail": PRIVATE,
    "dashboard:product_create": PRIVATE,
    "dashboard:product_edit": PRIVATE,
    "dashboard:product_image": PRIVATE,
    "dashboard:stock_set": PRIVATE,
    "dashboard:variant_price": PRIVATE,
    "dashboard:stock_adjust": PRIVATE,
    "dashboard:discount_list": PRIVATE,
    "dashboard:discount_create": PRIVATE,
    "dashboard:discount_edit": PRIVATE,
    "dashboard:discount_deactivate": PRIVATE,
    "dashboard:tax_rates": PRIVATE,
    "dashboard:tax_rate_edit": PRIVATE,
    "dashboard:security": PRIVATE,
    "dashboard:security_alerts": PRIVATE,
    "dashboard:security_events": PRIVATE,
    "dashboard:audit_log": PRIVATE,
    "dashboard:alert_ack": PRIVATE,
    "dashboard:staff_list": PRIVATE,
    "dashboard:staff_role": PRIVATE,
    # the staff API (shop/api/admin.py)
    "api:admin_order_list": PRIVATE,
    "api:admin_order_detail": PRIVATE,
    "api:admin_audit_events": PRIVATE,
    "api:admin_security_events": PRIVATE,
    # staff order actions (shop/api/admin_orders.py)
    "api:admin_order_fulfil": PRIVATE,
    "api:admin_order_cancel": PRIVATE,
    "api:admin_order_refund": PRIVATE,
    # the payment provider's webhooks (shop/api/webhooks.py): never cached
    "webhooks:stripe": PRIVATE,
    "api:admin_alerts": PRIVATE,
    "api:admin_alert_acknowledge": PRIVATE,
    # staff catalog API (shop/api/admin_catalog.py)
    "api:admin_product_create": PRIVATE,
    "api:admin_product_update": PRIVATE,
    "api:admin_product_image": PRIVATE,
    # Prometheus metrics: operators only (shop/monitoring/views.py)
    "monitoring:metrics": PRIVATE,
}


def _declared(route_name: str) -> CachePolicy | None:
    """The policy declared for a URL name, directly or through its namespace, else None."""
    policy = ROUTE_POLICIES.get(route_name)
    namespace, _, _ = route_name.rpartition(":")
    while policy is None and namespace:
        policy = ROUTE_POLICIES.get(f"{namespace}:*")
        namespace, _, _ = namespace.rpartition(":")
    return policy


def policy_for(route_name: str | None) -> CachePolicy:
    """The policy of a route by URL name; unknown or unnamed routes are private."""
    return (_declared(route_name) if route_name else None) or PRIVATE


def is_declared(route_name: str) -> bool:
    return _declared(route_name) is not None
