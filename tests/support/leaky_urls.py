"""A URL conf for tests only (`@pytest.mark.urls("tests.support.leaky_urls")`): one view that
tries every way a view can learn who is asking, mounted under a public route name and under
a private one.

Mounted as `web:home` (public), the policy middleware must hide the visitor from it and drop
the cookies it sets; mounted as `web:header_fragment` (private), the same view sees the
visitor, which proves the probe can see what the public mount must not.
"""

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path


def who_is_asking(request: HttpRequest) -> HttpResponse:
    request.session["seen"] = True  # a modified session would set a cookie
    user = request.user
    lines = [
        f"user={user.email if user.is_authenticated else 'anonymous'}",
        f"session={request.session.session_key or ''}",
        f"authorization={request.headers.get('Authorization', '')}",
        f"cookies={','.join(sorted(request.COOKIES))}",
        f"csrf={get_token(request)}",  # sets the CSRF cookie
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


web_patterns = (
    [
        path("", who_is_asking, name="home"),
        path("fragments/header", who_is_asking, name="header_fragment"),
    ],
    "web",
)

urlpatterns = [path("", include(web_patterns))]
