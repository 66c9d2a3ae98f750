"""`make bench`: the production stack with 100,000 products, measured with wrk in one run.

    make bench                      # about 5 minutes; writes bench/results/latest.md
    BENCH_QUICK=1 make bench        # 3-second runs, for checking that everything works

Steps: PostgreSQL databases `bench` (BENCH_PRODUCTS, 100,000) and `bench_1k` (1,000) when
PostgreSQL answers on 127.0.0.1:5432, else SQLite files in var/bench/; Redis db 2 when Redis
answers. Seed both once (kept between runs), probe queries and server time in process, start
nginx + granian (tooling/stack.py, the same configuration as `make serve`) on BENCH_PORT (8090)
and BENCH_APP_PORT (8001), then run each scenario with wrk for a fixed time, to 127.0.0.1 only.
The processes are stopped at the end, on Ctrl-C and on errors.

Knobs: BENCH_DURATION (seconds per scenario, 10; 3 with BENCH_QUICK), BENCH_THREADS (wrk
threads, 2), BENCH_CONNECTIONS (32), BENCH_WORKERS (granian workers, CPU count),
BENCH_BLOCKING_THREADS (2), BENCH_CACHED_ROUNDS (rounds of the cached-vs-static pairs, best
kept: 2; 1 with BENCH_QUICK), BENCH_OUTPUT (bench/results/latest.md).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import pageviews, report, wrk
from tooling.stack import (
    PG_HOST,
    PG_PORT,
    Backends,
    Stack,
    cpu_count,
    ensure_postgres_database,
    manage,
    postgres_cpu_seconds,
    postgres_ready,
    redis_ready,
    stop_on_signals,
)

ROOT = Path(__file__).resolve().parent.parent

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DURATION = int(os.environ.get("BENCH_DURATION") or (3 if QUICK else 10))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS") or 100_000)
SMALL = 1_000
THREADS = int(os.environ.get("BENCH_THREADS") or 2)
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or 32)
PORT = int(os.environ.get("BENCH_PORT") or 8090)
APP_PORT = int(os.environ.get("BENCH_APP_PORT") or 8001)
WORKERS = int(os.environ.get("BENCH_WORKERS") or cpu_count())
BLOCKING_THREADS = int(os.environ.get("BENCH_BLOCKING_THREADS") or 2)
CACHED_ROUNDS = int(os.environ.get("BENCH_CACHED_ROUNDS") or (1 if QUICK else 2))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT") or ROOT / "bench" / "results" / "latest.md")
WORK = ROOT / "var" / "bench"
REDIS_DB = 2
GZIP = {"Accept-Encoding": "gzip"}
VISIT_VIEWS = 5  # page views per visit in the browse mix
CHECKOUT_BODY = {
    "shipping_address": {"name": "Bench Buyer", "line1": "1 Bench Street", "line2": "",
                         "city": "Berlin", "postal_code": "10115", "country": "DE"},
    "shipping_method": "standard",
    "payment": {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030,
                "cvc": "123"},
}


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


# --- databases and environment


def databases() -> tuple[Backends, Backends]:
    """(the 100k database, the 1k database), PostgreSQL when it answers, else SQLite."""
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}" if redis_ready() else ""
    if postgres_ready():
        return (Backends(ensure_postgres_database("bench"), redis_url),
                Backends(ensure_postgres_database("bench_1k"), redis_url))
    return (Backends("", redis_url, WORK / "bench.sqlite3"),
            Backends("", redis_url, WORK / "bench_1k.sqlite3"))


def recreate(backends: Backends) -> None:
    if backends.postgres:
        name = backends.database_url.rsplit("/", 1)[-1]
        subprocess.run(["dropdb", "-h", PG_HOST, "-p", str(PG_PORT), "-U", "postgres",
                        "--if-exists", name], check=True)
        ensure_postgres_database(name)
    elif backends.sqlite_path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{backends.sqlite_path}{suffix}").unlink(missing_ok=True)


def secret_key() -> str:
    path = WORK / "secret_key"
    if not path.exists():
        path.write_text(uuid.uuid4().hex + uuid.uuid4().hex)
    return path.read_text().strip()


def bench_env(backends: Backends) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        **backends.env(),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": secret_key(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",  # nginx speaks plain HTTP here
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
    }


def task(env: dict[str, str], *args: str, timeout: float = 3600) -> dict:
    """Run `python -m bench.tasks ...` and return the JSON of its last output line."""
    python = str(ROOT / ".venv" / "bin" / "python")
    completed = subprocess.run(
        [python if Path(python).exists() else sys.executable, "-m", "bench.tasks", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    lines = completed.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line, flush=True)
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"bench.tasks {args[0]} failed:\n{completed.stdout[-2000:]}"
                           f"{completed.stderr[-3000:]}")
    return json.loads(lines[-1])


def prepare(backends: Backends, products: int) -> dict:
    env = bench_env(backends)
    manage("migrate", "--noinput", "-v0", env=env)
    try:
        return task(env, "seed", "--products", str(products))
    except RuntimeError as error:
        if "recreate it" not in str(error):
            raise
    say(f"the {products:,}-product database holds something else: recreating it")
    recreate(backends)
    manage("migrate", "--noinput", "-v0", env=env)
    return task(env, "seed", "--products", str(products))


# --- small HTTP helpers (to 127.0.0.1 only)


def http_request(port: int, method: str, path: str, *, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload else {}
        # No Accept-Encoding unless asked, like wrk: http.client would send "identity", which
        # is another variant for a cache that honours Vary: Accept-Encoding.
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {**all_headers, **(headers or {})}.items():
            connection.putheader(name, value)
        if payload is not None:
            connection.putheader("Content-Length", str(len(payload)))
        connection.endheaders(payload)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def endpoint_exists(port: int, method: str, path: str) -> bool:
    """An API route exists when it answers anything but 404/405 without credentials."""
    status, _, _ = http_request(port, method, path, body={} if method == "POST" else None)
    return status not in (404, 405)


def fill_carts(port: int, buyers: list[dict]) -> int:
    def add(buyer: dict) -> bool:
        status, _, _ = http_request(
            port, "POST", "/api/v1/cart/items",
            headers={"Authorization": f"Bearer {buyer['token']}"},
            body={"sku": buyer["sku"], "quantity": 1},
        )
        return status in (200, 201)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(add, buyers))


def checkout_once(port: int, token: str, key: str) -> int:
    status, _, _ = http_request(
        port, "POST", "/api/v1/checkout",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        body=CHECKOUT_BODY,
    )
    return status


# --- wrk scripts


def browse_mix_script(
    info: dict, cookies: list[str], *, size: int = 10_000
) -> tuple[str, list[str]]:
    """Visitors (half signed in) open catalog pages picked by popularity (Zipf over products),
    in visits of VISIT_VIEWS page views. A page view is the page alone: the header's private
    sections live in the browser's sessionStorage (shop/web/static/shop/private.js), so a
    signed-in visitor asks for them once per visit (a new tab: sessionStorage is per tab) and
    an anonymous one never (no version cookie). Counters: page_views, private."""
    rng = random.Random(2026)
    products = info["products"]
    zipf = [1 / (rank + 1) for rank in range(len(products))]
    listing = ["/", "/products/", "/products/?sort=price", "/products/?sort=-price",
               "/products/?sort=name", f"/products/?q={info['words']['common']['word']}"]
    listing += [f"/c/{slug}/" for slug in info["categories"]]
    api = ["/api/v1/products", "/api/v1/categories"]
    api += [f"/api/v1/products?category={slug}" for slug in info["top_categories"]]
    pages = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.30:
            pages.append(rng.choice(listing))
        elif roll < 0.90:
            pages.append(f"/products/{rng.choices(products, weights=zipf)[0]}/")
        elif roll < 0.95:
            pages.append(rng.choice(api))
        else:
            pages.append(f"/api/v1/products/{rng.choices(products, weights=zipf)[0]}")
    visitors = [""] * len(cookies) + cookies  # half anonymous, half signed in
    script = f"""
local pages = {wrk.lua_list(pages)}
local visitors = {wrk.lua_list(visitors)}
local views_left = 0
local visitor = ""
local sections_due = false
counters = {{}}
function init(args)
  math.randomseed(1000 + tonumber(wrk.thread:get("id")))
end
function request()
  local headers = {{}}
  if views_left == 0 then
    views_left = {VISIT_VIEWS}
    visitor = visitors[math.random(#visitors)]
    sections_due = visitor ~= ""
  end
  if visitor ~= "" then headers["Cookie"] = visitor end
  if sections_due then
    sections_due = false
    counters["private"] = (counters["private"] or 0) + 1
    return wrk.format("GET", "/fragments/private", headers)
  end
  views_left = views_left - 1
  counters["page_views"] = (counters["page_views"] or 0) + 1
  return wrk.format("GET", pages[math.random(#pages)], headers)
end
"""
    return script, sorted(set(pages))


def checkout_script(tokens: list[str], run_id: str) -> str:
    return f"""
local tokens = {wrk.lua_list(tokens)}
local body = {wrk.lua_string(json.dumps(CHECKOUT_BODY))}
local index = 0
counters = {{}}
function init(args)
  index = tonumber(wrk.thread:get("id")) + 1
end
function request()
  local token = tokens[index]
  if token == nil then
    wrk.thread:stop()
    token = "spent"
  end
  local key = "{run_id}-" .. index
  index = index + {THREADS}
  return wrk.format("POST", "/api/v1/checkout", {{
    ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key}}, body)
end
function response(status, headers, body)
  local key = "status_" .. status
  counters[key] = (counters[key] or 0) + 1
end
"""


# --- nginx access log


def cache_verdicts(log: Path, start: int, end: int | None = None) -> dict[str, dict[str, int]]:
    """Cache verdicts per kind of request ("public" pages, "private" fragments, and public
    pages asked for "signed-in" or "anonymous") from nginx's access log lines between byte
    offsets `start` and `end`."""
    verdicts: dict[str, dict[str, int]] = {
        "public": {}, "private": {}, "signed-in": {}, "anonymous": {}}
    with open(log, "rb") as handle:
        handle.seek(start)
        data = handle.read() if end is None else handle.read(end - start)
        for raw in data.splitlines():
            line = raw.decode(errors="replace")
            try:
                path = line.split('"', 2)[1].split(" ")[1]
                verdict = line.rsplit("cache=", 1)[1].split(" ", 1)[0]
            except IndexError:
                continue
            kind = "private" if path.startswith("/fragments/") else "public"
            verdicts[kind][verdict] = verdicts[kind].get(verdict, 0) + 1
            if kind == "public":
                who = "signed-in" if " cookie=1 " in line else "anonymous"
                verdicts[who][verdict] = verdicts[who].get(verdict, 0) + 1
    return verdicts


# --- the run


def machine() -> dict:
    def version(command: list[str]) -> str:
        if shutil.which(command[0]) is None:
            return "not installed"
        out = subprocess.run(command, capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) \
            else "?"

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": cpu_count(),
        "cpu": model or platform.processor(),
        "memory": memory,
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "nginx": version(["nginx", "-v"]),
        "wrk": version(["wrk", "-v"]).split(" [")[0],
        "postgres": version(["psql", "--version"]),
        "redis": version(["redis-server", "--version"]),
        "git": git + (" (with uncommitted changes)" if dirty else ""),
    }


class Bench:
    """One run: the stack, the results so far, and one method per scenario."""

    def __init__(self) -> None:
        self.run_id = uuid.uuid4().hex[:8]
        facts = machine()
        self.results: dict = {
            "facts": facts, "quick": QUICK, "duration": DURATION, "threads": THREADS,
            "connections": CONNECTIONS, "workers": WORKERS, "blocking_threads": BLOCKING_THREADS,
            "scenarios": [], "notes": [],
        }
        self.big, self.small = databases()
        self.results["backends"] = self.big.describe()
        say(f"{facts['cores']} cores, load {facts['load_before'][0]:.2f}; {self.big.describe()}")
        self.env = bench_env(self.big)
        self.ceiling_dir = WORK / "ceiling"
        self.stack = Stack(
            env=self.env, workdir=WORK / "stack", port=PORT, app_port=APP_PORT, workers=WORKERS,
            blocking_threads=BLOCKING_THREADS, fresh_cache=True,
            extra_locations=(
                "# bench only: static files of the same sizes as the cached responses "
                "(the ceiling)\n"
                "location /__bench/ceiling/ {\n"
                f"    alias {self.ceiling_dir}/;\n"
                "}\n"
            ),
        )
        self.info: dict = {}
        self.history_token = ""

    def prepare(self) -> None:
        say(f"preparing the {PRODUCTS:,}-product and {SMALL:,}-product databases")
        self.results["seed"] = {"big": prepare(self.big, PRODUCTS),
                                "small": prepare(self.small, SMALL)}
        manage("collectstatic", "--noinput", "-v0", env=self.env)
        self.info = task(self.env, "catalog-info")
        # chosen by their share at 100k; the 1k probe searches the same
        self.results["words"] = self.info["words"]
        self.ceiling_dir.mkdir(exist_ok=True)

    def database_cpu(self) -> float:
        if not self.big.postgres:
            return 0.0
        return postgres_cpu_seconds(self.big.database_url.rsplit("/", 1)[-1])

    def measure(self, name: str, url: str, *, script: str = "", connections: int = CONNECTIONS,
                duration: int = DURATION, **extra) -> wrk.Result:
        say(f"wrk: {name} ({duration}s)")
        before = {**self.stack.cpu_seconds(), "postgres": self.database_cpu()}
        result = wrk.run(name, url, workdir=WORK, duration=duration, threads=THREADS,
                         connections=connections, script=script)
        after = {**self.stack.cpu_seconds(), "postgres": self.database_cpu()}
        entry = {**result.__dict__, **extra}
        entry.pop("output")
        if result.requests:  # CPU milliseconds per request, per part of the stack
            entry["cpu_ms"] = {part: round((after[part] - before[part]) * 1000 / result.requests,
                                           3) for part in before}
        self._keep(entry, result)
        if result.failed:
            say(f"  failed: {result.failed}")
        else:
            say(f"  {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f}"
                f" ms{', errors ' + str(result.errors) if result.errors else ''}")
        return result

    def _keep(self, entry: dict, result: wrk.Result) -> None:
        scenarios = self.results["scenarios"]
        earlier = next((e for e in scenarios if e.get("key") == entry.get("key")), None)
        if earlier is None:
            entry["rounds"] = [round(result.rps)]
            scenarios.append(entry)
        else:  # a repeated round: keep the better one, remember them all
            entry["rounds"] = [*earlier["rounds"], round(result.rps)]
            if result.rps > earlier["rps"]:
                scenarios[scenarios.index(earlier)] = entry
            else:
                earlier["rounds"] = entry["rounds"]

    def orders_ready(self) -> bool:
        """Availability of the parts other issues deliver."""
        return all([
            endpoint_exists(APP_PORT, "POST", "/api/v1/auth/token"),
            endpoint_exists(APP_PORT, "POST", "/api/v1/cart/items"),
            endpoint_exists(APP_PORT, "POST", "/api/v1/checkout"),
            endpoint_exists(APP_PORT, "GET", "/api/v1/orders"),
        ])

    def history_shopper(self) -> None:
        say("creating a shopper with 50 orders (through the API)")
        shopper = task(self.env, "buyers", "--prefix", f"history-{self.run_id}", "--count", "1",
                       "--skus", "3", "--offset", "0", "--stock", "100000")
        buyer = shopper["buyers"][0]
        self.history_token = buyer["token"]
        statuses = []
        for number in range(50):
            fill_carts(APP_PORT, [buyer])
            statuses.append(
                checkout_once(APP_PORT, self.history_token, f"{self.run_id}-h{number}"))
        made = sum(1 for status in statuses if status == 201)
        self.results["history_orders"] = made
        if made != 50:
            self.results["notes"].append(f"only {made} of 50 history orders were created "
                                         f"(statuses {sorted(set(statuses))})")

    def probe(self) -> None:
        say("probing queries and server time in process (1k and 100k products)")
        words = self.info["words"]
        probe_args = ["probe", "--words", json.dumps({k: v["word"] for k, v in words.items()}),
                      "--repeat", "30" if QUICK else "100"]
        token = ["--token", self.history_token] if self.history_token else []
        self.results["probe"] = {
            "small": task(bench_env(self.small), *probe_args),
            "big": task(self.env, *probe_args, *token),
        }

    def ceiling_files(self) -> None:
        """The ceiling: the cached page's and the cached API answer's exact bytes as files."""
        for name, path in (("page", "/products/"), ("api", "/api/v1/products")):
            http_request(PORT, "GET", path)  # fills the cache
            _, headers, body = http_request(PORT, "GET", path)
            if headers.get("X-Cache-Status") != "HIT":
                self.results["notes"].append(
                    f"{path} was not a cache hit on the second request "
                    f"(X-Cache-Status {headers.get('X-Cache-Status')})")
            (self.ceiling_dir / f"{name}.html").write_bytes(body)
            self.results[f"{name}_bytes"] = len(body)
        # The gzip variant the app compressed once; its ceiling is a file of the same bytes.
        http_request(PORT, "GET", "/products/", headers=GZIP)
        _, headers, body = http_request(PORT, "GET", "/products/", headers=GZIP)
        (self.ceiling_dir / "page-gz.html").write_bytes(body)
        self.results["page_gz_bytes"] = len(body)

    def cached(self) -> None:
        """Each cached response right after its ceiling, in CACHED_ROUNDS alternating rounds
        (best of each kept): a burst of other load then hurts both sides alike."""
        front, measure = self.stack.url, self.measure
        for _ in range(CACHED_ROUNDS):
            measure("nginx static file, catalog-page size (ceiling)",
                    f"{front}/__bench/ceiling/page.html", group="cached", key="ceiling_page")
            measure("cached catalog page /products/ via nginx", f"{front}/products/",
                    group="cached", key="cached_page")
            measure("nginx static file, catalog-API size (ceiling)",
                    f"{front}/__bench/ceiling/api.html", group="cached", key="ceiling_api")
            measure("cached catalog API /api/v1/products via nginx",
                    f"{front}/api/v1/products", group="cached", key="cached_api")
            measure("nginx static file, gzipped catalog-page size (ceiling)",
                    f"{front}/__bench/ceiling/page-gz.html", group="cached",
                    key="ceiling_page_gz")
            measure("cached catalog page /products/, gzip variant, via nginx",
                    f"{front}/products/", script=wrk.static_script(GZIP),
                    group="cached", key="cached_page_gz")

    def browse_mix(self) -> None:
        front, stack = self.stack.url, self.stack
        cookies = task(self.env, "sessions", "--count", "100")["cookies"]
        script, pages = browse_mix_script(self.info, cookies)
        log = stack.workdir / "access.log"
        stack.reopen_nginx_logs()
        warm_from = log.stat().st_size if log.exists() else 0
        say(f"wrk: browse mix from a cold cache, not counted ({DURATION}s)")
        wrk.run("browse mix warm-up", f"{front}/", workdir=WORK, duration=DURATION,
                threads=THREADS, connections=CONNECTIONS, script=script)
        stack.reopen_nginx_logs()
        self.results["mix_warmup_verdicts"] = cache_verdicts(log, warm_from, log.stat().st_size)
        # Steady state: as after a few minutes of traffic, every page of the mix has been asked
        # for once (they stay fresh for s-maxage=300 s, longer than this run).
        say(f"requesting the {len(pages)} pages of the mix once (steady state)")
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda page: http_request(PORT, "GET", page), pages))
        stack.reopen_nginx_logs()
        offset = log.stat().st_size
        self.measure("browse mix via nginx (half signed in, visits of 5 page views)",
                     f"{front}/", script=script, group="mix", key="mix", distinct_urls=len(pages))
        stack.reopen_nginx_logs()
        self.results["mix_verdicts"] = cache_verdicts(log, offset)

    def page_views(self) -> None:
        """The browser-level measure and the page-view mix (bench/pageviews.py)."""
        front = self.stack.url
        product = f"/products/{self.info['products'][0]}/"
        pages = ["/", "/products/", product, "/cart/"]
        cookie = task(self.env, "sessions", "--count", "1")["cookies"][0]
        say("Chromium: page views as an anonymous and a signed-in visitor")
        try:
            observed = pageviews.observe(front, self.stack.workdir / "access.log",
                                         self.stack.reopen_nginx_logs, pages, cookie)
        except Exception as error:  # the browser's trouble must not cost the other scenarios
            observed = {"skipped": f"the browser failed: {type(error).__name__}: {error}"}
        self.results["pageviews"] = {"pages": pages, "observed": observed,
                                     "summary": pageviews.summary(observed)}
        if "skipped" in observed:
            self.results["notes"].append(f"page views: {observed['skipped']}")
            return
        visit, views = pageviews.visit_requests(observed, "anonymous")
        signed_visit, signed_views = pageviews.visit_requests(observed, "signed in")
        ceiling = pageviews.write_ceiling(PORT, visit, pages[:3], self.ceiling_dir)
        for _ in range(CACHED_ROUNDS):
            self.measure("page-view mix, static ceiling (the visit's pages as nginx files)",
                         f"{front}/", script=pageviews.mix_script(ceiling), group="pageviews",
                         key="pv_ceiling", views_per_request=views / len(ceiling))
            self.measure("page-view mix, anonymous (page + what the browser asks on load)",
                         f"{front}/", script=pageviews.mix_script(visit), group="pageviews",
                         key="pv_anonymous", views_per_request=views / len(visit))
        self.measure("page-view mix, signed in (page + what the browser asks on load)",
                     f"{front}/", script=pageviews.mix_script(signed_visit, cookie),
                     group="pageviews", key="pv_signed_in",
                     views_per_request=signed_views / max(1, len(signed_visit)))

    def uncached(self) -> None:
        app, measure = self.stack.app_url, self.measure
        measure("uncached product list /api/v1/products, granian direct",
                f"{app}/api/v1/products", group="app", key="uncached_api")
        measure("bare Django view, same rows (bench only), granian direct",
                f"{app}/__bench/products", group="app", key="bare")
        measure("uncached storefront list /products/, granian direct", f"{app}/products/",
                group="app", key="uncached_page")
        measure("Django hello world (bench only), granian direct", f"{app}/__bench/hello",
                group="app", key="hello")

    def order_history(self) -> None:
        app = self.stack.app_url
        auth = {"Authorization": f"Bearer {self.history_token}"}
        saturated = self.measure("order history /api/v1/orders (50 orders), granian direct",
                                 f"{app}/api/v1/orders", script=wrk.static_script(auth),
                                 group="orders", key="history")
        if saturated.rps > 0:
            # wrk has no fixed-rate mode: each of 8 connections waits `delay` between
            # requests; at half load a request takes about its service time, i.e. the
            # cores' time per request at saturation.
            connections = 8
            target = saturated.rps / 2
            service_ms = 1000 * WORKERS / saturated.rps
            delay = connections * 1000 / target - service_ms
            self.measure("order history at half its saturated rate", f"{app}/api/v1/orders",
                         script=wrk.static_script(auth, delay_ms=delay), connections=connections,
                         group="orders", key="history_half", target_rps=round(target))

    def checkout(self) -> None:
        count = max(1500, 400 * DURATION)
        say(f"checkout: {count} buyers with a cart each")
        prefix = f"buyer-{self.run_id}"
        buyers = task(self.env, "buyers", "--prefix", prefix, "--count", str(count),
                      "--skus", "10", "--offset", "3", "--stock", "1000000")
        filled = fill_carts(APP_PORT, buyers["buyers"])
        result = self.measure(
            "checkout POST /api/v1/checkout, granian direct",
            f"{self.stack.app_url}/api/v1/checkout",
            script=checkout_script([b["token"] for b in buyers["buyers"]], self.run_id),
            group="orders", key="checkout", carts=filled)
        after = task(self.env, "stock", "--skus", json.dumps(buyers["skus"]), "--prefix", prefix)
        self.results["checkout_stock"] = {"stock_each": buyers["stock"], "after": after,
                                          "created": result.counters}

    def race(self) -> None:
        say("oversell race: 100 buyers, 20 units")
        prefix = f"race-{self.run_id}"
        race = task(self.env, "buyers", "--prefix", prefix, "--count", "100",
                    "--skus", "1", "--offset", "13", "--stock", "20")
        fill_carts(APP_PORT, race["buyers"])
        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = list(pool.map(
                lambda pair: checkout_once(APP_PORT, pair[1]["token"],
                                           f"{self.run_id}-r{pair[0]}"),
                enumerate(race["buyers"])))
        self.results["race"] = {
            "buyers": 100, "stock": 20,
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
            "after": task(self.env, "stock", "--skus", json.dumps(race["skus"]),
                          "--prefix", prefix),
        }

    def scenarios(self) -> None:
        say(f"starting nginx :{PORT} -> granian :{APP_PORT} ({WORKERS} workers)")
        self.stack.start()
        orders_ready = self.orders_ready()
        if orders_ready:
            self.history_shopper()
        else:
            self.results["notes"].append("order history and checkout: not available yet (the "
                                         "auth/cart/checkout/orders endpoints do not answer)")
        self.probe()
        self.ceiling_files()
        self.cached()
        self.browse_mix()
        self.page_views()
        self.uncached()
        if orders_ready and self.history_token:
            self.order_history()
            self.checkout()
            self.race()

    def write(self, started: float) -> None:
        self.results["facts"]["load_after"] = os.getloadavg()
        self.results["seconds"] = round(time.monotonic() - started)
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.with_suffix(".json").write_text(json.dumps(self.results, indent=1, default=str))
        OUTPUT.write_text(report.markdown(self.results))
        say(f"wrote {OUTPUT} in {self.results['seconds']}s")


def main() -> int:
    if not Path(wrk.WRK).exists():
        say("wrk is not installed (apt-get install wrk)")
        return 1
    stop_on_signals()
    WORK.mkdir(parents=True, exist_ok=True)
    bench = Bench()
    started = time.monotonic()
    bench.prepare()
    say(f"prepared in {time.monotonic() - started:.0f}s; search words: {bench.info['words']}")
    try:
        bench.scenarios()
    except KeyboardInterrupt:
        say("interrupted: stopping")
        return 130
    except Exception as error:
        bench.results["notes"].append(f"the run stopped early: {type(error).__name__}: {error}")
        say(f"failed: {error}")
        for process in bench.stack.processes:
            print(f"--- {process.name} log tail:\n{process.tail(15)}", file=sys.stderr)
        bench.results["failed"] = True
    finally:
        bench.stack.stop()
    bench.write(started)
    return 1 if bench.results.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
