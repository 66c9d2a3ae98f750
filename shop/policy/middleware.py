"""Applies the caching contract of shop/policy/cache.py to every response.

On the way in, a public route loses the request's cookies and Authorization header, so that
the session, CSRF and authentication layers see an anonymous visitor and the view renders the
same bytes for everyone. On the way out:
- public route, 200: `Cache-Control: public, ...`, an ETag, 304 on a matching If-None-Match,
  and no Set-Cookie (any cookie that appears anyway is dropped and logged as a bug); compressed
  here, once, for clients that accept gzip (`Vary: Accept-Encoding`), so that a shared cache
  keeps the compressed bytes and never compresses a hit again;
- anything else (private routes, unknown paths, redirects, every 4xx and 5xx):
  `Cache-Control: private, no-store`.
"""

import functools
import gzip
import hashlib
import logging

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.cookie import SimpleCookie
from django.urls import Resolver404, URLResolver, get_resolver
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from shop.core.http import GetResponse, ShopRequest

from .cache import PRIVATE, CachePolicy, policy_for

logger = logging.getLogger("shop.policy")

_CREDENTIAL_HEADERS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION")


def route_name_of(request: HttpRequest) -> str:
    """The URL name of the request's path ("" when nothing matches). Django resolves the path
    again to call the view; this lookup is remembered per resolver (a new URLconf, as in the
    tests' override_settings, is a new resolver) and path, so that most requests skip it."""
    resolver = get_resolver(getattr(request, "urlconf", None))
    path = request.path_info
    if len(path) > _REMEMBERED_PATH_LENGTH:  # bounded memory whatever clients send
        return _route_name.__wrapped__(resolver, path)
    return _route_name(resolver, path)


_REMEMBERED_PATH_LENGTH = 200


@functools.lru_cache(maxsize=2048)
def _route_name(resolver: URLResolver, path_info: str) -> str:
    try:
        return resolver.resolve(path_info).view_name
    except Resolver404:
        return ""


def anonymize(request: HttpRequest) -> None:
    """Forget who is asking, before any middleware or view can look."""
    for header in _CREDENTIAL_HEADERS:
        request.META.pop(header, None)
    request.COOKIES = {}


def etag_for(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
_MIN_COMPRESSED_SIZE = 1024


def accepts_gzip(request: HttpRequest) -> bool:
    """True when Accept-Encoding lists gzip with a quality above zero."""
    for coding in request.META.get("HTTP_ACCEPT_ENCODING", "").lower().split(","):
        name, _, params = coding.partition(";")
        if name.strip() != "gzip":
            continue
        try:
            return float(params.strip().removeprefix("q=").strip() or 1) > 0
        except ValueError:
            return False
    return False


def compress_public(request: HttpRequest, response: HttpResponse) -> None:
    """Gzip a public response once, deterministically (same bytes, same ETag, every time).

    nginx stores one variant per Accept-Encoding (the Vary header) and serves hits as they are:
    compressing in nginx instead would compress every hit again, which halved cached
    throughput when measured (docs/deploy.md). Public bytes are the same for everyone and hold
    no secret, so compression cannot leak one (BREACH needs a secret in the page); private
    responses are never compressed here.
    """
    patch_vary_headers(response, ("Accept-Encoding",))
    if (
        response.has_header("Content-Encoding")
        or len(response.content) < _MIN_COMPRESSED_SIZE
        or not response.get("Content-Type", "").startswith(_COMPRESSIBLE)
        or not accepts_gzip(request)
    ):
        return
    response.content = gzip.compress(response.content, compresslevel=6, mtime=0)
    response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))


class CachePolicyMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: ShopRequest) -> HttpResponse:
        request.route_name = route_name_of(request)
        policy = policy_for(request.route_name)
        if policy.public and request.method not in ("GET", "HEAD"):
            policy = PRIVATE
        if policy.public:
            anonymize(request)
        response = self.get_response(request)
        return self.apply(policy, request, response)  # type: ignore[no-any-return]

    def apply(self, policy: CachePolicy, request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
        if not policy.public or response.status_code != 200 or response.streaming:
            return self.make_private(response)
        if response.cookies:
            logger.error(
                "public route tried to set a cookie; dropped",
                extra={"cookies": sorted(response.cookies.keys())},
            )
            response.cookies = SimpleCookie()
        if response.has_header("Vary"):
            kept = [v for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
            if kept:
                response["Vary"] = ",".join(kept)
            else:
                del response["Vary"]
        response["Cache-Control"] = policy.header
        response.cache_policy_name = policy.name  # type: ignore[attr-defined]
        compress_public(request, response)
        etag = etag_for(response.content)
        response["ETag"] = etag
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
            if etag in tags or "*" in tags:
                not_modified = HttpResponseNotModified()
                for header in ("Cache-Control", "ETag", "Vary", "Content-Type"):
                    if response.has_header(header):
                        not_modified[header] = response[header]
                not_modified.cache_policy_name = policy.name  # type: ignore[attr-defined]
                return not_modified
        return response

    @staticmethod
    def make_private(response: HttpResponse) -> HttpResponse:
        response["Cache-Control"] = PRIVATE.header
        response.headers.pop("ETag", None)
        response.headers.pop("Expires", None)
        if "Vary" in response.headers:
            patch_vary_headers(response, ("Cookie", "Authorization"))
        else:
            response.headers["Vary"] = "Cookie, Authorization"
        response.cache_policy_name = PRIVATE.name  # type: ignore[attr-defined]
        return response
