"""Page views as a browser makes them (issue 16), for `make bench`.

1. `observe`: Chromium (Playwright, Debian's /usr/bin/chromium) loads home, a list, a product
   and the cart through the bench's nginx, as an anonymous and as a signed-in visitor, once
   the cache is warm. What reached the app server is counted in nginx's access log: a line
   with an upstream response time went to granian; a cache hit or a file nginx served itself
   did not. Also kept: every request the browser made for each view (page, CSS, JS, images,
   the private sections), which the page-view mix replays.
2. `mix_script`: wrk replays those visits (each page plus what the browser asked on load), so
   that requests/s converts to page views/s; `ceiling_script` is the same visit with each
   cached HTML page replaced by a static file of the same bytes (the static ceiling).
"""

from __future__ import annotations

import http.client
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from bench import wrk

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _requests(log: Path, start: int) -> tuple[list[str], list[str]]:
    """Paths of the access-log lines after byte `start`: all of them (what reached nginx: the
    browser's own cache answered the rest) and those that went on to the app server."""
    seen, found = [], []
    with open(log, "rb") as handle:
        handle.seek(start)
        for raw in handle.read().splitlines():
            line = raw.decode(errors="replace")
            try:
                path = line.split('"', 2)[1].split(" ")[1]
                upstream = line.rsplit("urt=", 1)[1].strip()
            except IndexError:
                continue
            seen.append(path)
            if upstream not in ("", "-"):
                found.append(path)
    return seen, found


def observe(front: str, log: Path, flush: Callable[[], None], pages: list[str],
            session_cookie: str) -> dict:
    """Each page viewed by a fresh anonymous visitor and by a signed-in one (session cookie
    `name=value`), after a warm-up visit that fills the cache. Returns per view: the page,
    the browser's requests and the requests that reached the app."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed (make install-dev)"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"Chromium is not installed ({CHROMIUM})"}
    name, _, value = session_cookie.partition("=")
    results: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            warm = browser.new_context(base_url=front)
            page = warm.new_page()
            for path in pages:
                page.goto(path)
                page.wait_for_load_state("networkidle")
            warm.close()
            for who in ("anonymous", "signed in"):
                context = browser.new_context(base_url=front)
                if who == "signed in":
                    # domain + path (CDP refuses a Secure cookie given with an http URL)
                    context.add_cookies([{"name": name, "value": value,
                                          "domain": urlsplit(front).hostname or "127.0.0.1",
                                          "path": "/", "secure": name.startswith("__"),
                                          "httpOnly": True, "sameSite": "Lax"}])
                    # a private page first, as after signing in: it sets the version cookie
                    page = context.new_page()
                    page.goto("/account/")
                    page.wait_for_load_state("networkidle")
                else:
                    page = context.new_page()
                asked: list[str] = []  # by the page, whether the browser's cache answered
                page.on("request", lambda request, into=asked: into.append(_path_of(request.url)))
                views = []
                for round_ in ("first", "again"):
                    for path in pages:
                        flush()
                        start = log.stat().st_size
                        asked.clear()
                        page.goto(path)
                        page.wait_for_load_state("networkidle")
                        flush()
                        network, app = _requests(log, start)
                        views.append({"page": path, "round": round_, "browser": list(asked),
                                      "network": network, "app": app})
                results[who] = views
                context.close()
        finally:
            browser.close()
    return results


def summary(observed: dict) -> dict:
    """App requests per page view, per visitor kind: public pages and the cart separately."""
    out = {}
    for who, views in observed.items():
        if not isinstance(views, list):
            continue
        public = [v for v in views if v["page"] != "/cart/"]
        cart = [v for v in views if v["page"] == "/cart/"]
        out[who] = {
            "public_views": len(public),
            "public_app_requests": sum(len(v["app"]) for v in public),
            "public_first_view_app_requests": len(public[0]["app"]) if public else 0,
            "cart_views": len(cart),
            "cart_app_requests": sum(len(v["app"]) for v in cart),
            "network_requests_first_visit": sum(len(v["network"]) for v in views
                                                if v["round"] == "first"),
            "app_paths": sorted({p for v in views for p in v["app"]}),
        }
    return out


def visit_requests(observed: dict, who: str) -> tuple[list[str], int]:
    """The requests of one visit of the public pages (first round: the assets are asked
    once, on the first page), and the number of page views they make."""
    views = [v for v in observed.get(who, []) if v["round"] == "first" and v["page"] != "/cart/"]
    requests = [path for view in views for path in view["network"]]
    return requests, len(views)


def mix_script(requests: list[str], cookie: str = "") -> str:
    headers = {"Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    lines = [f"wrk.headers[{wrk.lua_string(k)}] = {wrk.lua_string(v)}" for k, v in headers.items()]
    return "\n".join(lines) + f"""
local paths = {wrk.lua_list(requests)}
local n = 0
function init(args)
  n = tonumber(wrk.thread:get("id")) * 7
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


def write_ceiling(port: int, requests: list[str], pages: list[str], folder: Path) -> list[str]:
    """The same visit with every cached HTML page replaced by a static file holding the exact
    bytes the cache sends for it (the gzip variant, as browsers ask): what nginx alone would
    do for these page views."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for index, page in enumerate(pages):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", page, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        name = f"pv-{index}.html"
        (folder / name).write_bytes(body)
        mapping[page] = f"/__bench/ceiling/{name}"
    return [mapping.get(path, path) for path in requests]


# --- the report (bench/report.py calls these)


def _scenario(results: dict, key: str) -> dict | None:
    found = next((s for s in results["scenarios"] if s.get("key") == key), None)
    return found if found and not found.get("failed") and found.get("rps") else None


def views_per_second(results: dict, key: str) -> float | None:
    scenario = _scenario(results, key)
    if not scenario:
        return None
    if key == "mix":
        counters = scenario.get("counters") or {}
        views, private = counters.get("page_views", 0), counters.get("private", 0)
        return scenario["rps"] * views / (views + private) if views else None
    return scenario["rps"] * scenario.get("views_per_request", 0) or None


def app_cpu_ms(results: dict, key: str) -> float | None:
    scenario = _scenario(results, key)
    return (scenario.get("cpu_ms") or {}).get("granian") if scenario else None


def target_rows(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for issue 16's targets."""
    summary = (results.get("pageviews") or {}).get("summary") or {}
    anonymous, signed = summary.get("anonymous"), summary.get("signed in")
    rows: list[tuple[str, str, bool | None]] = []
    if anonymous:
        rows.append((
            "anonymous page views (home, list, product; warm cache) reach the app 0 times",
            f"{anonymous['public_app_requests']} app requests in {anonymous['public_views']} "
            f"views ({anonymous.get('network_requests_first_visit', '?')} requests reached "
            "nginx in the first visit, none went on)", anonymous["public_app_requests"] == 0))
        rows.append((
            "anonymous cart page (private): the page itself only",
            f"{anonymous['cart_app_requests']} app requests in {anonymous['cart_views']} views",
            anonymous["cart_app_requests"] == anonymous["cart_views"]))
    if signed:
        rows.append((
            "signed-in page views ≤ 1 app request, 0 when nothing changed",
            f"{signed['public_app_requests']} app requests in {signed['public_views']} public "
            f"views; cart page {signed['cart_app_requests']} in {signed['cart_views']}",
            signed["public_app_requests"] == 0 and signed["cart_app_requests"]
            == signed["cart_views"]))
    mix, ceiling = views_per_second(results, "pv_anonymous"), views_per_second(
        results, "pv_ceiling")
    if mix and ceiling:
        rows.append(("anonymous page-view mix ≥ 0.5x the static ceiling (page views/s)",
                     f"{mix:,.0f} vs {ceiling:,.0f} page views/s = {mix / ceiling:.2f}x",
                     mix / ceiling >= 0.5))
    hello = app_cpu_ms(results, "hello")
    if hello is not None:
        rows.append(("hello world through the middleware stack ≤ 0.3 ms app CPU",
                     f"{hello:.3f} ms", hello <= 0.3))
    listing = app_cpu_ms(results, "uncached_page")
    if listing is not None:
        rows.append(("uncached storefront list /products/ ≤ 5 ms app CPU",
                     f"{listing:.2f} ms", listing <= 5))
    return rows


def section(results: dict) -> list[str]:
    """## Page views: what the browser asked, what reached the app, page views/s."""
    data = results.get("pageviews") or {}
    observed = data.get("observed") or {}
    if not observed or "skipped" in observed:
        return []
    lines = [
        "", "## Page views (Chromium through nginx)", "",
        "Chromium (Playwright) loads " + ", ".join(f"`{p}`" for p in data.get("pages", []))
        + " twice each, after a warm-up visit filled the cache, as a new anonymous visitor and "
        "as a signed-in one (a real session; a private page first, as after signing in). "
        "Requests that reached nginx are its access-log lines during the view (the browser's "
        "own cache answered the others the page asked for); those that reached the app are "
        "the lines with an upstream time.",
        "", "| visitor | round | page | asked by the page | reached nginx | reached the app |",
        "|---|---|---|---:|---:|---|",
    ]
    for who, views in observed.items():
        for view in views:
            paths = ", ".join(f"`{path}`" for path in view["app"])
            lines.append(f"| {who} | {view['round']} | `{view['page']}` | "
                         f"{len(view['browser'])} | {len(view.get('network', []))} | "
                         f"{len(view['app'])}"
                         f"{f' ({paths})' if paths else ''} |")
    rows = [(key, label) for key, label in (
        ("pv_ceiling", "static ceiling: the same visit with the pages as nginx files"),
        ("pv_anonymous", "anonymous visit: cached pages + assets"),
        ("pv_signed_in", "signed-in visit (nothing changed): cached pages + assets"),
        ("mix", "browse mix, half signed in (pages only; signed in: sections once a visit)"),
    ) if _scenario(results, key)]
    lines += ["", "Page-view mix: wrk replays the requests that reached nginx in the first "
              "visit (home, list, product: each page plus what the browser asked on load and "
              "did not have yet), so that requests/s converts to page views/s.", "",
              "| mix | req/s | page views/s | p99 ms |", "|---|---:|---:|---:|"]
    for key, label in rows:
        scenario = _scenario(results, key) or {}
        lines.append(f"| {label} | {scenario['rps']:,.0f} | "
                     f"{views_per_second(results, key) or 0:,.0f} | {scenario['p99_ms']:.2f} |")
    return lines
