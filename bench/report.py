"""bench/results/latest.md from the numbers bench/run.py collected."""

from __future__ import annotations

from bench import pageviews


def _scenario(results: dict, key: str) -> dict | None:
    found = next((s for s in results["scenarios"] if s.get("key") == key), None)
    return found if found and not found.get("failed") and found.get("rps") else None


def _ratio(results: dict, top: str, bottom: str) -> float | None:
    a, b = _scenario(results, top), _scenario(results, bottom)
    return a["rps"] / b["rps"] if a and b else None


LIMITS = {
    "cached": (
        "**Cached vs static.** A cache hit costs nginx 1.3-1.7x the CPU of a static file of the "
        "same size (CPU column): it looks the key up in the shared zone, reads the cached header "
        "block, parses the app's 11 stored headers again, checks the `Vary: Accept-Encoding` "
        "variant (2-4 µs: an experiment ignoring Vary, never shipped, ran hits at 0.8x a static "
        "file's CPU instead of 0.65x) and adds `X-Cache-Status`. wrk shares the 2 cores, so the "
        "req/s ratio swings with other load (0.46x to 0.98x over the runs of the day); the CPU "
        "ratio stayed between 0.6x and 0.8x. The Vary check is the price of compressing once."
    ),
    "history": (
        "**Order history** (issue 4's code): `GET /api/v1/orders` returns all 50 orders with "
        "their lines and address (11.9 KB) in 3 queries; about 8 ms of CPU per request in "
        "process, of which Ninja's per-field schema resolution over ~100 nested objects "
        "(`ninja/schema.py` `_run_root_validator`, `DjangoGetter.__getattr__`) is the largest "
        "part, then waiting on the queries. A hello world costs 0.6 ms, so 0.1x needs the "
        "history under ~6 ms: paginate (20 per page, keyset) and build the answer from plain "
        "rows, as the product list now does (that change took the list from 2.26 to 1.89 ms). "
        "The p99 at half rate is measured on 2 cores shared with wrk, PostgreSQL and the other "
        "suites running on this machine; it is queueing behind 8-15 ms requests."
    ),
    "search": (
        "**Search at 100k** (issue 15, docs/search.md): full-text on a stored, GIN-indexed "
        "`search_vector` plus trigram word similarity, relevance as tiers (every word in the "
        "name, then anywhere, then a typo), each newest first. A common word walks the "
        "`created_at` index and stops after a page (0.6-0.8 ms of SQL at 100k); a word in "
        "~1% of names is a bitmap over its ~1,000 matches and a top-24 sort (3-10 ms at 100k, "
        "0.1 ms at 1k): that one grows with the catalog. A score per row (ts_rank + "
        "similarity, the first version) cost 70 ms for a word in 9% of the names. Facets and "
        "counts of a whole result are cached 60 s (shop/catalog/aggregates.py), so repeated "
        "storefront searches run no aggregate. The machine was shared (load 6+ during the "
        "run): rows whose code did not change (API list, page 21) moved by 2x between runs."
    ),
    "checkout": (
        "**Checkout** (issues 12 and 16): each checkout is two short transactions (take stock, "
        "create the order with its payment attempt and claim the idempotency key; mark it paid "
        "and queue the confirmation e-mail as an outbox row, which `db_worker` renders and "
        "sends, not the request's worker) plus the test gateway's own record of the charge (one "
        "autocommit insert): 19 statements, 23 round trips, measured in process by "
        "`scripts/measure_checkout.py` (was 22 statements, 30 round trips, 4 commits). The CPU "
        "column is the limit: ~14 ms of app CPU and ~4.6 ms of PostgreSQL CPU per checkout on "
        "2 cores that wrk also uses is a ceiling near 2,000 / 18.6 = ~107/s, and the run "
        "reached 102/s (27/s in the previous committed run, at load 13). 200/s on these 2 cores "
        "needs under ~10 ms of CPU per checkout in all; the app's part is spread over Django's "
        "query building and Ninja's validation of the body and the answer (no single hotspot "
        "in the profile). Next: claim the key in the guest and hosted paths' transaction too, "
        "read the shipping method, tax rate and discount once per process per version, or add "
        "cores (the app tier scales out: docs/scaling.md). Zero oversell holds."
    ),
    "hello": (
        "**Hello world through the middleware stack** (issue 16: ≤ 0.3 ms of app CPU). A trivial "
        "WSGI app under the same granian costs 0.03 ms per request: the rest is Django's stack "
        "and the access log. Done in issue 16: the CSP header built once per policy, the route "
        "remembered per path, the proxy networks parsed once, orjson log lines; then the "
        "security, frame and CSP headers as one precomputed set set by one middleware instead "
        "of three (shop/core/security_headers.py), no session read for a request that brings no "
        "session key, the client address, probe classification and Prometheus children "
        "remembered per distinct input, the access line's time formatted once per second. "
        "Measured side by side through granian (2 workers x 2 threads, wrk -c32, CPU from "
        "/proc, bench database): 0.56-0.58 ms before this pass, 0.40 ms after; 0.33 ms with the "
        "JSON access line off (LOG_LEVEL=WARNING): the access line costs ~0.07 ms. In process "
        "(test client, no log handler) 0.28-0.31 ms. What is left is Django's own: the request "
        "signals (close_old_connections, reset_queries), the session, CSRF, auth and messages "
        "middleware wrappers, URL resolution, and Python logging of the access line (granian's "
        "own access log, in Rust, would take most of that 0.07 ms)."
    ),
    "list": (
        "**Uncached storefront list** (issue 16: ≤ 5 ms of app CPU). Two queries (~0.5 ms of "
        "database CPU); the rest is Django template rendering. Done: the 24 cards rendered in "
        "one loop from precomputed values (no include per card), the header and footer links "
        "and assets resolved once per process (shop/core/site_links.py), the cards' texts "
        "escaped once in the presenter (34,100 -> 28,200 Python calls per render, 740 -> 661 "
        "variable lookups, 0 failed lookups). 16.2 ms in the previous committed run (load 13), "
        "7.5 ms here, at saturation on 2 cores shared with wrk and PostgreSQL. What is left: "
        "Django's template engine resolving ~660 variables and the base template's blocks, "
        "and ~1 ms of garbage collection. Under 5 ms needs a cheaper renderer for the grid "
        "(Jinja2 for the card grid) or per-card fragments cached by product version. The page "
        "itself is served from the cache: a miss costs this once per URL per 5 minutes."
    ),
}


def _cpu_ratio(results: dict, top: str, bottom: str) -> float | None:
    """The same ratio from CPU per request (nginx + app + database) instead of req/s: what
    the ratio would be on a machine with nothing else running, as long as the CPU is the
    limit."""
    a, b = _scenario(results, top), _scenario(results, bottom)
    if not (a and b and a.get("cpu_ms") and b.get("cpu_ms")):
        return None
    cost_a, cost_b = sum(a["cpu_ms"].values()), sum(b["cpu_ms"].values())
    return cost_b / cost_a if cost_a else None


def _both(results: dict, top: str, bottom: str, pattern: str = "{:.2f}") -> str:
    by_rate = _ratio(results, top, bottom)
    by_cpu = _cpu_ratio(results, top, bottom)
    return f"{_fmt(by_rate, pattern)}x (by CPU: {_fmt(by_cpu, pattern)}x)"


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int | float) else "?"


def _share(verdicts: dict) -> str:
    total = sum(verdicts.values())
    return f"{verdicts.get('HIT', 0) / total * 100:.1f}%" if total else "n/a"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def _hit_ratio(results: dict) -> tuple[float | None, dict, dict]:
    verdicts = results.get("mix_verdicts") or {}
    public = verdicts.get("public", {})
    total = sum(public.values())
    hits = public.get("HIT", 0)
    return (hits / total if total else None), public, verdicts.get("private", {})


def _checkout(results: dict) -> tuple[float | None, bool | None, str]:
    scenario = _scenario(results, "checkout")
    stock = results.get("checkout_stock")
    if not scenario or not stock:
        return None, None, "not measured"
    created = scenario["counters"].get("status_201", 0)
    rate = created / scenario["seconds"] if scenario["seconds"] else 0.0
    each = stock["stock_each"]
    left = stock["after"]["left"]
    in_orders = stock["after"]["in_orders"]
    problems = []
    for sku, units_left in left.items():
        live = sum(units for status, units in in_orders.get(sku, {}).items()
                   if status not in ("cancelled", "refunded"))
        if units_left < 0 or units_left + live != each:
            problems.append(f"{sku}: {units_left} left + {live} in orders != {each}")
    race = results.get("race") or {}
    race_left = (race.get("after") or {}).get("left", {})
    race_orders = (race.get("after") or {}).get("in_orders", {})
    for sku, units_left in race_left.items():
        live = sum(units for status, units in race_orders.get(sku, {}).items()
                   if status not in ("cancelled", "refunded"))
        if units_left < 0 or units_left + live != race["stock"] or live > race["stock"]:
            problems.append(f"race {sku}: {units_left} left + {live} sold != {race['stock']}")
    statuses = ", ".join(f"{k.removeprefix('status_')}: {v}"
                         for k, v in sorted(scenario["counters"].items()))
    detail = f"{created} orders created ({statuses}); " + (
        "; ".join(problems) if problems else "stock + units in orders = initial stock for "
        "every SKU, nothing below zero")
    return rate, not problems, detail


def _probe_rows(results: dict) -> list[str]:
    probe = results.get("probe") or {}
    big = {r["label"]: r for r in (probe.get("big") or {}).get("results", [])}
    small = {r["label"]: r for r in (probe.get("small") or {}).get("results", [])}
    rows = []
    for label, row in big.items():
        other = small.get(label)
        ratio = _probe_ratio(row, other)
        rows.append(
            f"| {label} | `{row['url'][:70]}` | {row['status']} | {row['queries']} | "
            f"{_fmt(other and other.get('min_ms'))} / {_fmt(other and other['median_ms'])} | "
            f"{_fmt(row.get('min_ms'))} / {row['median_ms']:.2f} | {_fmt(ratio)}x |"
        )
    return rows


def _probe_ratio(big: dict, small: dict | None) -> float | None:
    """100k over 1k, on the fastest of the repeated requests: the request's own cost, which
    other load on the machine inflates least (medians are shown next to it)."""
    if not small or not small.get("min_ms") or big.get("min_ms") is None:
        return None
    return big["min_ms"] / small["min_ms"]


def _scaling(results: dict) -> tuple[float | None, float | None, list[str]]:
    """Worst 100k/1k ratio of list and search, and the worst query count of the lists."""
    probe = results.get("probe") or {}
    big = {r["label"]: r for r in (probe.get("big") or {}).get("results", [])}
    small = {r["label"]: r for r in (probe.get("small") or {}).get("results", [])}
    worst, worst_queries, offenders = None, None, []
    for label, row in big.items():
        if not label.startswith("API list") and not label.startswith("API search"):
            continue
        queries = row["queries"]
        worst_queries = queries if worst_queries is None else max(worst_queries, queries)
        ratio = _probe_ratio(row, small.get(label))
        if ratio is not None:
            worst = ratio if worst is None else max(worst, ratio)
            if ratio > 1.5:
                offenders.append(f"{label} {ratio:.2f}x")
    return worst, worst_queries, offenders


def _intro(results: dict) -> list[str]:
    """The run: machine, stack, data, load, and its notes."""
    facts = results["facts"]
    seed = results.get("seed") or {}
    lines = [
        "# Benchmark results",
        "",
        f"Run of `make bench` on {facts['date']}, commit {facts['git']}"
        + (" — **quick mode (BENCH_QUICK=1): 3-second runs, indicative only**"
           if results["quick"] else "") + ".",
        "",
        f"- Machine: **{facts['cores']} cores** ({facts['cpu']}), {facts['memory']} RAM; "
        f"load average before {facts['load_before'][0]:.2f}, after "
        f"{facts.get('load_after', [0])[0]:.2f}. wrk runs on the same cores as nginx, granian "
        "and the database.",
        f"- Stack: nginx (`deploy/nginx`, worker_processes auto) → granian "
        f"(`deploy/granian.sh`, {results['workers']} workers x {results['blocking_threads']} "
        f"blocking thread, WSGI) → Django (`bench.settings` = production settings + bench-only "
        f"baseline URLs); {results['backends']}.",
        f"- Data: {_n(seed.get('big', {}).get('products', '?'))} products "
        f"(`bench` database) and {_n(seed.get('small', {}).get('products', '?'))} "
        "(`bench_1k`), generated by `shop.demo` with a fixed seed.",
        f"- Versions: Python {facts['python']}, {facts['nginx']}, {facts['wrk']}, "
        f"{facts['postgres']}, {facts['redis']}.",
        f"- Load: wrk `-t{results['threads']} -c{results['connections']} "
        f"-d{results['duration']}s --latency`, to 127.0.0.1 only; every run takes its fixed "
        "time and stops.",
    ]
    if facts["load_before"][0] > 0.7:
        lines += ["", f"> **Noisy machine**: the load average was {facts['load_before'][0]:.2f} "
                  "before the run (other processes were using the CPU). Ratios measured in "
                  "the same run are more trustworthy than absolute numbers; rerun "
                  "`make bench` on a quiet machine for final figures."]
    for note in results.get("notes", []):
        lines += ["", f"> {note}"]
    return lines


def _targets(results: dict) -> list[str]:
    """The issue's targets, as ratios measured in this run, with the verdicts."""
    hit, _public, _private = _hit_ratio(results)
    cached = _ratio(results, "cached_page", "ceiling_page")
    cached_api = _ratio(results, "cached_api", "ceiling_api")
    cached_gz = _ratio(results, "cached_page_gz", "ceiling_page_gz")
    uncached = _ratio(results, "uncached_api", "bare")
    history = _ratio(results, "history", "hello")
    half = _scenario(results, "history_half")
    worst, worst_queries, offenders = _scaling(results)
    probe_big = {r["label"]: r for r in ((results.get("probe") or {}).get("big") or {}).get(
        "results", [])}
    history_queries = (probe_big.get("API order history (50 orders)") or {}).get("queries")
    checkout_rate, oversell_ok, checkout_detail = _checkout(results)
    postgres = "PostgreSQL" in results["backends"]
    lines = [
        "",
        "## Targets (issues 8 and 16), as measured in this run",
        "",
        "Verdicts use requests/s as the issue does; \"by CPU\" is the same ratio from the CPU "
        "each request cost nginx, granian and PostgreSQL, which other load on the machine "
        "disturbs much less.",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| cached catalog page ≥ 0.7x nginx static file of the same size | "
        f"{_both(results, 'cached_page', 'ceiling_page')} | "
        f"{_verdict(cached and cached >= 0.7)} |",
        f"| (same for the cached catalog API answer) | "
        f"{_both(results, 'cached_api', 'ceiling_api')} | "
        f"{_verdict(cached_api and cached_api >= 0.7)} |",
        f"| (same for the page's gzip variant, compressed once by the app) | "
        f"{_both(results, 'cached_page_gz', 'ceiling_page_gz')} | "
        f"{_verdict(cached_gz and cached_gz >= 0.7)} |",
        f"| browse mix, half signed in: ≥ 95% cache hits on public pages | "
        f"{_fmt(hit and hit * 100, '{:.1f}')}% | {_verdict(hit and hit >= 0.95)} |",
        f"| uncached product list ≥ 0.8x bare Django view of the same rows | "
        f"{_both(results, 'uncached_api', 'bare')} | "
        f"{_verdict(uncached and uncached >= 0.8)} |",
        f"| order history ≥ 0.1x Django hello world | "
        f"{_both(results, 'history', 'hello', '{:.3f}')} | "
        f"{_verdict(history and history >= 0.1)} |",
        f"| order history p99 < 50 ms at half its saturated rate | "
        f"{_fmt(half and half['p99_ms'])} ms at {_fmt(half and half['rps'], '{:,.0f}')} req/s | "
        f"{_verdict(half and half['p99_ms'] < 50)} |",
        f"| product list: ≤ 4 queries whatever the page size | {_fmt(worst_queries, '{}')} | "
        f"{_verdict(worst_queries is not None and worst_queries <= 4)} |",
        f"| order history: ≤ 4 queries | {_fmt(history_queries, '{}')} | "
        f"{_verdict(history_queries is not None and history_queries <= 4)} |",
        f"| list and search at 100k within 1.5x of 1k (server time, in process) | worst "
        f"{_fmt(worst)}x{' (' + ', '.join(offenders) + ')' if offenders else ''} | "
        f"{_verdict(worst and worst <= 1.5)} |",
        f"| ≥ 200 checkouts/s on PostgreSQL | {_fmt(checkout_rate, '{:,.0f}')}/s"
        f"{'' if postgres else ' (SQLite: target is for PostgreSQL)'} | "
        f"{_verdict(checkout_rate and checkout_rate >= 200 and postgres)} |",
        f"| zero oversell | {checkout_detail} | {_verdict(oversell_ok)} |",
        *[f"| {target} | {measured} | {_verdict(met)} |"
          for target, measured, met in pageviews.target_rows(results)],
    ]
    return lines + _limits(results, cached, cached_api, cached_gz, history, half, worst,
                           checkout_rate, postgres)


def _limits(results: dict, cached, cached_api, cached_gz, history, half, worst,
            checkout_rate, postgres) -> list[str]:
    """What limits the targets this run missed."""
    lines: list[str] = []
    missed = {
        "cached": any(r is not None and r < 0.7 for r in (cached, cached_api, cached_gz)),
        "history": not (history and history >= 0.1) or not (half and half["p99_ms"] < 50),
        "search": not (worst and worst <= 1.5),
        "checkout": not (checkout_rate and checkout_rate >= 200 and postgres),
        "hello": (pageviews.app_cpu_ms(results, "hello") or 0) > 0.3,
        "list": (pageviews.app_cpu_ms(results, "uncached_page") or 0) > 5,
    }
    limits = [text for key, text in LIMITS.items() if missed.get(key)]
    if limits:
        lines += ["", "## What limits the targets missed here", "",
                  "From profiles taken on this machine (`python -m bench.profile_request PATH`, "
                  "cProfile in process against the bench database) and the CPU columns below.", ""]
        lines += [f"- {text}" for text in limits]
    return lines


def _throughput(results: dict) -> list[str]:
    """Every scenario: requests/s, latency, errors, CPU per request."""
    lines = [
        "",
        "## Throughput and latency",
        "",
        "| scenario | req/s | p50 ms | p90 ms | p99 ms | errors | CPU ms/req: nginx, app, db "
        "| rounds (req/s) |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for s in results["scenarios"]:
        if s.get("failed"):
            lines.append(f"| {s['name']} | failed: {s['failed'][:120]} | | | | | | |")
            continue
        errors = ", ".join(f"{k} {v}" for k, v in s["errors"].items()) or "0"
        cpu = s.get("cpu_ms") or {}
        cpu_text = " / ".join(f"{cpu.get(part, 0):.3f}" for part in ("nginx", "granian",
                                                                      "postgres"))
        rounds = ", ".join(f"{r:,}" for r in s.get("rounds", [])) if len(
            s.get("rounds", [])) > 1 else ""
        lines.append(f"| {s['name']} | {s['rps']:,.0f} | {s['p50_ms']:.2f} | {s['p90_ms']:.2f} "
                     f"| {s['p99_ms']:.2f} | {errors} | {cpu_text} | {rounds} |")
    lines += [
        "",
        f"Sizes: catalog page {_n(results.get('page_bytes', '?'))} bytes "
        f"({_n(results.get('page_gz_bytes', '?'))} gzipped), catalog API answer "
        f"{_n(results.get('api_bytes', '?'))} bytes (wrk sends no Accept-Encoding unless the "
        "scenario says gzip). Through nginx = port 8090; granian direct = port 8001.",
        "",
        "CPU ms/req: CPU time the nginx processes, the granian processes and the PostgreSQL "
        "backends of the bench database used during the run, divided by the requests served "
        "(read from /proc). Other load on the machine barely changes it, unlike req/s; wrk's "
        "own CPU is not included.",
    ]
    return lines


def _browse_mix(results: dict) -> list[str]:
    """The browse mix's cache hits, public and private."""
    lines: list[str] = []
    hit, public, private = _hit_ratio(results)
    mix = _scenario(results, "mix")
    if mix:
        lines += [
            "",
            "## Browse mix",
            "",
            f"{mix.get('distinct_urls', '?')} distinct catalog URLs (home, listings, sorts, "
            "categories, a popular search, API lists; product pages by Zipf popularity over "
            "the 2,000 newest and featured products), picked at random; 200 visitors, 100 "
            "signed in with real sessions (their Cookie header is sent with every request), in "
            "visits of 5 page views. A page view is the page alone: the header's private "
            "sections are kept in the browser's sessionStorage and asked for only when the "
            "version cookie changed (shop/web/private.py), so a signed-in visitor asks for "
            "`/fragments/private` once per visit (a new tab) and an anonymous one never. "
            f"Page views/s: **{_fmt(pageviews.views_per_second(results, 'mix'), '{:,.0f}')}**. "
            "Before issue 16 every page view also loaded two private fragments "
            "(`/fragments/header`, `/fragments/cart-count`): 594 req/s = 198 page views/s, "
            "p99 4.8 s (measured at load 0.5; compare with the load average above). wrk is "
            "closed-loop: each of its connections waits for its answer, so the one request in "
            "ten that reaches the app (queued behind everything else on a loaded machine: "
            "see the p99) holds its connection and paces the nine cached ones; the page-view "
            "mix below, without private requests, is what the cache itself sustains. "
            "Measured in steady "
            "state: the mix first runs from a cold cache (its hit ratio is shown below), then "
            "every page of the mix is requested once, as a few minutes of traffic would have "
            "done (pages stay fresh for s-maxage=300 s). A miss in the measured run therefore "
            "means a page that was not kept or not shared, e.g. because a visitor was signed "
            "in.",
            "",
            f"- public pages: {sum(public.values()):,} requests, cache verdicts "
            f"{dict(sorted(public.items()))}: **{_fmt(hit and hit * 100, '{:.1f}')}% hits**",
            *[f"- public pages asked by {who} visitors: "
              f"{_share(results['mix_verdicts'].get(who, {}))} hits "
              f"{dict(sorted(results['mix_verdicts'].get(who, {}).items()))}"
              for who in ("signed-in", "anonymous")],
            f"- private sections: {sum(private.values()):,} requests, verdicts "
            f"{dict(sorted(private.items()))} (never cached, by design)",
        ]
        warm = (results.get("mix_warmup_verdicts") or {}).get("public", {})
        if warm:
            warm_total = sum(warm.values())
            lines.append(
                f"- from a cold cache, the same mix for {results['duration']} s "
                f"(not counted above): {warm_total:,} page requests, "
                f"{warm.get('HIT', 0) / warm_total * 100:.1f}% hits {dict(sorted(warm.items()))}"
            )
    return lines


def _queries(results: dict) -> list[str]:
    """Queries per request and server time at 1k and 100k products."""
    words = results.get("words") or {}
    lines = [
        "",
        "## Queries per request and server time, 1k vs 100k products",
        "",
        "In process (`python -m bench.tasks probe`): Django's test client through the whole "
        "middleware stack, one thread, no HTTP; queries counted with "
        "`django.test.utils.CaptureQueriesContext`; times of "
        f"{'30' if results['quick'] else '100'} requests after a warm-up (fastest and median).",
        "",
        "| request | URL | status | queries | ms @1k (min / median) | ms @100k (min / median) "
        "| 100k / 1k (min) |",
        "|---|---|---:|---:|---:|---:|---:|",
        *_probe_rows(results),
        "",
        "Search words, picked by their share of the 100k product names: "
        + ", ".join(f"{kind} = `{w.get('word')}` ({w.get('share', 0) * 100:.2f}%)"
                    for kind, w in words.items()) + ".",
    ]
    return lines


def _checkout_section(results: dict) -> list[str]:
    """Checkout throughput and the race for the last units."""
    lines: list[str] = []
    checkout_rate, _oversell_ok, checkout_detail = _checkout(results)
    if results.get("checkout_stock"):
        race = results.get("race") or {}
        lines += [
            "",
            "## Checkout",
            "",
            f"Buyers with one item in their cart each (filled through `POST /api/v1/cart/items`"
            f"), 10 SKUs with {results['checkout_stock']['stock_each']:,} units each; wrk posts "
            "`/api/v1/checkout` with a fresh `Idempotency-Key`, each buyer once, test card "
            f"4242…: {checkout_detail}. Rate: **{_fmt(checkout_rate, '{:,.0f}')} checkouts/s**.",
            "",
            f"Race for the last units: {race.get('buyers')} buyers, {race.get('stock')} units of "
            f"one SKU, 32 at a time: answers {race.get('statuses')}; after: "
            f"{(race.get('after') or {}).get('left')} left, in orders "
            f"{(race.get('after') or {}).get('in_orders')}.",
        ]
    return lines


def _commands(results: dict) -> list[str]:
    """The exact commands of the run."""
    lines = [
        "",
        "## Exact commands",
        "",
        "```sh",
        "make bench            # = .venv/bin/python -m bench.run",
        f"# environment: BENCH_DURATION={results['duration']} BENCH_THREADS={results['threads']}"
        f" BENCH_CONNECTIONS={results['connections']} BENCH_WORKERS={results['workers']}"
        f"{' BENCH_QUICK=1' if results['quick'] else ''}",
        "# nginx config: var/bench/stack/nginx.conf (deploy/nginx/*.conf rendered by "
        "tooling/stack.py)",
        f"# granian: HOST=127.0.0.1 PORT=8001 WORKERS={results['workers']} BLOCKING_THREADS="
        f"{results['blocking_threads']} sh deploy/granian.sh   "
        "(DJANGO_SETTINGS_MODULE=bench.settings)",
    ]
    lines += [s["command"] for s in results["scenarios"]]
    lines += ["```", "", f"The whole run took {results.get('seconds', '?')} s. Raw numbers: "
              "`bench/results/latest.json`.", ""]
    return lines


def markdown(results: dict) -> str:
    sections = (_intro, _targets, _throughput, _browse_mix, pageviews.section, _queries,
                _checkout_section, _commands)
    return "\n".join(line for section in sections for line in section(results))
