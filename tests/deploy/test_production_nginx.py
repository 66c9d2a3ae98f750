"""The nginx configuration we ship (deploy/nginx, rendered exactly as `make serve` and
`make bench` render it) in front of the live server.

It must cache what the app marks public and nothing else, share the public bytes between
anonymous and signed-in visitors, never keep a response that sets a cookie (even one marked
public), and keep the gzip variant the app compressed once instead of compressing hits.
"""

import gzip
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from django.conf import settings

from tests.conftest import require
from tests.factories import create_user
from tests.support.http import session_cookie_for
from tests.support.nginx import stateless_client
from tooling.stack import free_port, nginx_binary, render_nginx_config

pytestmark = pytest.mark.nginx

ROOT = Path(__file__).resolve().parent.parent.parent


class ShippedNginx:
    """nginx with deploy/nginx/{http,shop}.conf in front of `upstream` (host:port)."""

    def __init__(self, upstream: str, workdir: Path, static_root: Path | None = None) -> None:
        self.binary = nginx_binary()
        self.workdir = workdir
        self.port = free_port()
        self.config = render_nginx_config(
            workdir,
            host="127.0.0.1",
            port=self.port,
            app_address=upstream,
            static_root=static_root or Path(settings.STATIC_ROOT),
            media_root=Path(settings.MEDIA_ROOT),
            workers=1,
        )
        self.process = None

    def command(self, *extra: str) -> list[str]:
        return [self.binary, *extra, "-p", str(self.workdir), "-c", str(self.config),
                "-e", str(self.workdir / "error.log")]

    def start(self) -> "ShippedNginx":
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/nginx-probe", timeout=0.5)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError((self.workdir / "error.log").read_text(errors="replace"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self, **kwargs) -> httpx.Client:
        return stateless_client(f"http://127.0.0.1:{self.port}", **kwargs)


@pytest.fixture
def shipped_nginx(live_server, tmp_path):
    require(nginx_binary() is not None, "nginx")
    parts = urlsplit(live_server.url)
    host = "127.0.0.1" if parts.hostname in ("localhost", None) else parts.hostname
    nginx = ShippedNginx(f"{host}:{parts.port}", tmp_path).start()
    yield nginx
    nginx.stop()


def test_the_rendered_configuration_passes_nginx_t(tmp_path):
    require(nginx_binary() is not None, "nginx")
    nginx = ShippedNginx("127.0.0.1:9", tmp_path)
    checked = subprocess.run(nginx.command("-t"), capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_the_shipped_config_caches_by_the_apps_headers_only():
    """No blanket caching rule, no ignored headers: what is stored is the app's decision."""
    shop = (ROOT / "deploy" / "nginx" / "shop.conf").read_text()
    directives = [line.split("#")[0].strip() for line in shop.splitlines()]
    assert "proxy_cache_key $scheme$request_method$host$request_uri;" in directives
    forbidden = ("proxy_cache_valid", "proxy_ignore_headers")
    assert not [d for d in directives if d.startswith(forbidden)]
    assert "proxy_no_cache $upstream_http_set_cookie;" in directives
    assert "proxy_cache_lock on;" in directives
    assert "proxy_cache_background_update on;" in directives


def test_public_pages_are_shared_and_private_ones_never_stored(shipped_nginx, catalog):
    shopper = create_user("nginx-shopper@example.com", name="Nina Shopper")
    signed_in = {"Cookie": session_cookie_for(shopper)}
    with shipped_nginx.client() as client:
        first = client.get("/products/", headers={"Accept-Encoding": "identity"})
        second = client.get("/products/", headers={"Accept-Encoding": "identity", **signed_in})
        assert first.headers["x-cache-status"] == "MISS"
        assert second.headers["x-cache-status"] == "HIT"
        assert second.content == first.content
        assert "set-cookie" not in second.headers
        for _ in range(2):
            private = client.get("/fragments/header", headers=signed_in)
            assert private.status_code == 200
            assert private.headers["x-cache-status"] != "HIT"
            assert "no-store" in private.headers["cache-control"]
            assert "Nina" in private.text


def test_hashed_static_files_are_immutable_for_a_year_and_compressed_once(tmp_path):
    """collectstatic writes shop.<12 hex>.css and its .gz (WhiteNoise's manifest storage):
    nginx serves the .gz as it is (gzip_static) with a year-long immutable cache; a name
    without a hash is kept an hour only, since its bytes may change under it."""
    require(nginx_binary() is not None, "nginx")
    static = tmp_path / "static"
    (static / "shop").mkdir(parents=True)
    body = b"body { color: #123; }\n" * 200
    for name in ("shop.0123456789ab.css", "shop.css"):
        (static / "shop" / name).write_bytes(body)
        (static / "shop" / (name + ".gz")).write_bytes(gzip.compress(body, mtime=0))
    nginx = ShippedNginx("127.0.0.1:9", tmp_path / "nginx", static_root=static).start()
    try:
        with nginx.client() as client:
            hashed = client.get("/static/shop/shop.0123456789ab.css",
                                headers={"Accept-Encoding": "gzip"})
            plain = client.get("/static/shop/shop.css")
    finally:
        nginx.stop()
    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["content-encoding"] == "gzip"
    assert hashed.content == body
    assert hashed.headers["content-type"].startswith("text/css")
    assert plain.headers["cache-control"] == "public, max-age=3600"


def test_gzip_is_done_once_by_the_app_and_kept_per_variant(shipped_nginx, catalog):
    with shipped_nginx.client() as client:
        zipped = [client.get("/products/", headers={"Accept-Encoding": "gzip"}) for _ in "ab"]
        plain = [client.get("/products/", headers={"Accept-Encoding": "identity"}) for _ in "ab"]
    assert [r.headers["x-cache-status"] for r in zipped] == ["MISS", "HIT"]
    assert [r.headers["x-cache-status"] for r in plain] == ["MISS", "HIT"]
    assert zipped[1].headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain[1].headers
    assert "accept-encoding" in zipped[1].headers["vary"].lower()
    assert zipped[1].content == plain[1].content  # httpx decoded the gzip variant
    assert zipped[1].headers["etag"] != plain[1].headers["etag"]  # two representations


class _PublicWithCookie(BaseHTTPRequestHandler):
    """An upstream that marks a response public and sets a cookie in it."""

    def do_GET(self):  # the name http.server calls
        body = b"public bytes with a cookie"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Cache-Control", "public, max-age=60, s-maxage=60")
        self.send_header("Set-Cookie", "session=abc")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_response_that_sets_a_cookie_is_never_stored(tmp_path):
    require(nginx_binary() is not None, "nginx")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PublicWithCookie)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    nginx = ShippedNginx(f"127.0.0.1:{server.server_address[1]}", tmp_path).start()
    try:
        with nginx.client() as client:
            statuses = [client.get("/page").headers["x-cache-status"] for _ in range(3)]
        assert "HIT" not in statuses
    finally:
        nginx.stop()
        server.shutdown()
        server.server_close()


def test_compression_is_deterministic(client, catalog):
    """The same page compresses to the same bytes, so its ETag is stable."""
    first = client.get("/products/", HTTP_ACCEPT_ENCODING="gzip")
    second = client.get("/products/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    refused = client.get("/products/", HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert first["Content-Encoding"] == "gzip"
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert gzip.decompress(first.content) == refused.content
    assert not refused.has_header("Content-Encoding")
