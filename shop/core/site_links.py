"""The shop's fixed links and asset URLs, for web/base.html and the pages that extend it.

Reversed and resolved once per process (per script prefix and language), not per page: the
header and footer reversed 15 URLs (each through i18n's get_language) and resolved 9 static
files on every render, a tenth of an uncached storefront list (issue 16). Public values only:
the same for every visitor, so cached pages stay free of anyone's data.
"""

from __future__ import annotations

from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

_ROUTES = ("home", "product_list", "cart", "account", "sign_in", "sign_out", "register",
           "privacy_notice", "private_sections")
_ASSETS = {
    "css": "shop/shop.css", "catalog_css": "shop/catalog.css", "favicon": "shop/favicon.svg",
    "htmx": "shop/vendor/htmx-2.0.11.min.js", "icons": "shop/icons.svg", "logo": "shop/logo.svg",
    "private_js": "shop/private.js", "filters_js": "shop/filters.js",
}


def site_links() -> dict[str, dict[str, str]]:
    """{"url": {route: path}, "static": {name: url}} for web/base.html (read only)."""
    return _links(get_script_prefix(), get_language())


@lru_cache(maxsize=16)
def _links(prefix: str, language: str | None) -> dict[str, dict[str, str]]:
    """Reversed under the current script prefix and language, which are the arguments."""
    return {"url": {name: reverse(f"web:{name}") for name in _ROUTES},
            "static": {name: static(path) for name, path in _ASSETS.items()}}
