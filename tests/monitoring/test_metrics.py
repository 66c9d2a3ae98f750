"""The Prometheus endpoint: what it exports, who may scrape it (loopback without a proxy, or
the bearer token), and several app-server processes summed in multiprocess mode."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.urls import reverse
from prometheus_client import REGISTRY

from shop.monitoring import alerts
from tests.factories import DECLINED_CARD, checkout_body
from tests.support.api import api_headers, web_client

ROOT = Path(__file__).resolve().parents[2]


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client, **extra):
    return client.get("/metrics", **extra)


def test_requests_latency_and_cache_policy_are_counted(shop, client):
    before = sample("shop_http_requests_total", route="web:product_list", method="GET",
                    status="200")
    public = sample("shop_http_responses_by_cache_policy_total", policy="public-catalog")
    client.get("/products/")
    client.get("/no-such-page/")
    assert sample("shop_http_requests_total", route="web:product_list", method="GET",
                  status="200") == before + 1
    assert sample("shop_http_requests_total", route="unmatched", method="GET",
                  status="404") >= 1
    assert sample("shop_http_request_duration_seconds_count", route="web:product_list",
                  method="GET") >= 1
    assert sample("shop_http_responses_by_cache_policy_total", policy="public-catalog") \
        == public + 1


def test_the_exposition_has_every_family(shop, client):
    alerts.observe(kind="refresh_replay", user_id=shop.customer.pk)
    web_client(shop.support).get(reverse("dashboard:order_detail", args=[shop.order.number]))
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode()
    for family in (
        "shop_http_requests_total", "shop_http_request_duration_seconds_bucket",
        "shop_http_responses_by_cache_policy_total", "shop_security_events_total",
        "shop_security_alerts_total", "shop_audit_events_total", "shop_orders",
        "shop_open_alerts", "shop_low_stock_variants",
    ):
        assert f"\n{family}" in text, family
    assert 'shop_orders{status="paid"} 2.0' in text
    assert 'shop_security_alerts_total{rule="refresh_token_replay"}' in text
    assert "shop_open_alerts 1.0" in text
    assert 'shop_audit_events_total{action="order.read"}' in text
    # no label carries a path, an email or an order number
    assert shop.customer.email not in text
    assert shop.order.number not in text


def test_checkout_outcomes_are_counted(shop, client):
    declined = sample("shop_checkouts_total", interface="api", outcome="declined")
    headers = api_headers(shop.other)
    sku = shop.catalog.mug.variants.first().sku
    client.post("/api/v1/cart/items", {"sku": sku, "quantity": 1},
                content_type="application/json", **headers)
    response = client.post("/api/v1/checkout", checkout_body(card=DECLINED_CARD),
                           content_type="application/json", **headers)
    assert response.status_code == 402
    assert sample("shop_checkouts_total", interface="api", outcome="declined") == declined + 1


def test_not_for_the_public(shop, client, settings):
    assert scrape(client, REMOTE_ADDR="203.0.113.9").status_code == 404
    # through a proxy on the same machine: refused even though the socket is loopback
    assert scrape(client, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    response = scrape(client, HTTP_X_REAL_IP="203.0.113.9")
    assert response.status_code == 404
    assert "shop_http" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_with_a_token_only_the_token_scrapes(shop, client, settings):
    settings.SHOP_METRICS_TOKEN = "scrape-token-" + "x" * 20
    assert scrape(client).status_code == 404  # loopback is no longer enough
    assert scrape(client, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    ok = scrape(client, HTTP_AUTHORIZATION=f"Bearer {settings.SHOP_METRICS_TOKEN}",
                REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert ok.status_code == 200


def test_multiprocess_mode_sums_every_worker(tmp_path):
    """Two "workers" count requests into PROMETHEUS_MULTIPROC_DIR; a scrape from a third
    process sees both."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    worker = textwrap.dedent("""
        from shop.monitoring import metrics
        metrics.request_observe(route="web:home", method="GET", status=200, seconds=0.01,
                                cache_policy="public-catalog")
    """)
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, cwd=ROOT, check=True)
    scraper = textwrap.dedent("""
        from prometheus_client import generate_latest
        from shop.monitoring import metrics
        print(generate_latest(metrics.counters_registry()).decode())
    """)
    out = subprocess.run([sys.executable, "-c", scraper], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert 'shop_http_requests_total{method="GET",route="web:home",status="200"} 2.0' in out
