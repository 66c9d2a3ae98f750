"""Every route has a declared cache policy (docs/threats.md case 1, docs/contract.md §5.1).

The walk covers every URL pattern of config.urls, through every include (the API's
`api.urls` and the admin are included URL confs too), and names each route the way the
middleware does (`resolve(path).view_name`), so what is checked is what is applied.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from shop.policy.cache import PRIVATE, ROUTE_POLICIES, is_declared, policy_for

# Making a route public is a deliberate change: it changes this list too.
EXPECTED_PUBLIC = {
    "web:home",
    "web:category",
    "web:product_list",
    "web:product_detail",
    "web:privacy_notice",
    "api:category_list",
    "api:product_list",
    "api:product_detail",
    "api:shipping_method_list",
    "api:openapi-json",
    "api:openapi-view",
}

# Routes that Django itself declares without a name, inside a namespace that is declared
# private as a whole. Anything else without a name fails.
UNNAMED_ALLOWED = {
    ("admin", "django.views.generic.base.RedirectView"),  # ModelAdmin's legacy <id>/ redirect
    ("admin", "django.contrib.admin.sites.AdminSite.catch_all_view"),
}


@dataclass(frozen=True)
class Route:
    pattern: str
    namespace: str
    url_name: str | None
    lookup_str: str

    @property
    def view_name(self) -> str:
        """What ResolverMatch.view_name (and so the middleware) calls this route."""
        last = self.url_name or self.lookup_str
        return f"{self.namespace}:{last}" if self.namespace else last


def walk(patterns, prefix: str = "", namespaces: tuple[str, ...] = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield Route(
                prefix + str(entry.pattern), ":".join(namespaces), entry.name, entry.lookup_str
            )


def all_routes() -> list[Route]:
    return list(walk(get_resolver("config.urls").url_patterns))


def undeclared(routes) -> list[str]:
    return [f"{r.pattern} ({r.view_name})" for r in routes if not is_declared(r.view_name)]


def unnamed(routes) -> list[str]:
    return [
        f"{r.pattern} ({r.lookup_str})"
        for r in routes
        if not r.url_name and (r.namespace, r.lookup_str) not in UNNAMED_ALLOWED
    ]


def test_the_walk_reaches_every_interface():
    names = {route.view_name for route in all_routes()}
    # storefront include, Ninja's api.urls, and the admin's nested ModelAdmin includes
    assert {"web:home", "api:product_detail", "api:openapi-json", "admin:index"} <= names
    assert "admin:catalog_product_changelist" in names


def test_every_route_declares_a_cache_policy():
    missing = undeclared(all_routes())
    assert not missing, (
        "routes without a cache policy in shop/policy/cache.py ROUTE_POLICIES "
        f"(declare them, private unless they are the same for everyone): {missing}"
    )


def test_every_route_has_a_name():
    missing = unnamed(all_routes())
    assert not missing, f"routes without a URL name (the policy map is keyed by name): {missing}"


def view():
    return HttpResponse()


def test_the_checks_catch_a_forgotten_route():
    """The checks above can fail: a route nobody declared, and one without a name."""
    patterns = [
        path("", include(([path("new-page/", view, name="new_page")], "web"))),
        path("orphan/", view),
    ]
    routes = list(walk(patterns))
    assert undeclared(routes) == [
        "new-page/ (web:new_page)",
        "orphan/ (tests.policy.test_route_policies.view)",
    ]
    assert unnamed(routes) == ["orphan/ (tests.policy.test_route_policies.view)"]


def test_the_public_routes_are_exactly_the_expected_ones():
    public_routes = {r.view_name for r in all_routes() if policy_for(r.view_name).public}
    assert public_routes == EXPECTED_PUBLIC
    # ...and nothing else in the map is public, so a future route can't inherit it by name.
    declared_public = {name for name, policy in ROUTE_POLICIES.items() if policy.public}
    assert declared_public == EXPECTED_PUBLIC


def test_every_public_declaration_names_a_route_that_exists():
    """A public entry with no route behind it is a trap: the next route given that name is
    public without anyone deciding. (Private entries may come before their routes.)"""
    routes = all_routes()
    names = {r.view_name for r in routes}
    stale = [name for name, policy in ROUTE_POLICIES.items() if policy.public and name not in names]
    assert not stale, f"public policies for routes that do not exist: {stale}"


def test_no_public_namespace_wildcard():
    """A whole namespace may be declared private, never public: new routes in it would be
    public without anyone deciding."""
    wildcards = {name: p for name, p in ROUTE_POLICIES.items() if name.endswith(":*")}
    assert all(not policy.public for policy in wildcards.values()), wildcards


def test_unknown_and_unnamed_routes_are_private():
    for name in (
        None,
        "",
        "web:no_such_route",
        "api:no_such_route",
        "nonsense",
        "admin:anything_at_all",
        "admin:django.contrib.admin.sites.catch_all_view",
    ):
        assert policy_for(name) == PRIVATE, name
    assert PRIVATE.header == "private, no-store"


def test_public_policies_say_public_with_ages():
    for name in EXPECTED_PUBLIC:
        header = policy_for(name).header
        directives = [part.strip() for part in header.split(",")]
        assert directives[0] == "public", (name, header)
        assert any(d.startswith("max-age=") and int(d[8:]) > 0 for d in directives), header
        assert any(d.startswith("s-maxage=") and int(d[9:]) > 0 for d in directives), header
        assert not {"private", "no-store", "no-cache"} & set(directives), header
