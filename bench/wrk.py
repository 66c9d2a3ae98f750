"""Running wrk (Debian's wrk 4) with a generated Lua script, and reading its numbers back.

Every script ends with the same `done()` that prints one line `BENCH_JSON {...}`: requests,
duration, errors, latency percentiles, and any counters the threads kept.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

WRK = shutil.which("wrk") or "/usr/bin/wrk"

REPORT_LUA = r"""
-- common epilogue (bench/wrk.py) ------------------------------------------------------------
local bench_threads = {}
function setup(thread)
  thread:set("id", #bench_threads)
  table.insert(bench_threads, thread)
end

local function bench_json(value)
  if type(value) == "table" then
    local parts = {}
    for k, v in pairs(value) do
      table.insert(parts, string.format("%q:%s", tostring(k), bench_json(v)))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif type(value) == "string" then
    return string.format("%q", value)
  end
  return tostring(value)
end

function done(summary, latency, requests)
  local counters = {}
  for _, thread in ipairs(bench_threads) do
    local kept = thread:get("counters")
    if kept then
      for k, v in pairs(kept) do counters[k] = (counters[k] or 0) + v end
    end
  end
  local e = summary.errors
  io.write("BENCH_JSON ", bench_json({
    requests = summary.requests, duration_us = summary.duration, bytes = summary.bytes,
    errors = {connect = e.connect, read = e.read, write = e.write, status = e.status,
              timeout = e.timeout},
    latency_us = {p50 = latency:percentile(50), p90 = latency:percentile(90),
                  p99 = latency:percentile(99), max = latency.max, mean = latency.mean},
    counters = counters,
  }), "\n")
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def lua_list(values: list[str]) -> str:
    return "{" + ",".join(lua_string(v) for v in values) + "}"


def static_script(headers: dict[str, str] | None = None, delay_ms: float | None = None) -> str:
    lines = [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in (headers or {}).items()]
    if delay_ms is not None:
        lines.append(f"function delay() return {max(0, round(delay_ms))} end")
    return "\n".join(lines)


@dataclass
class Result:
    name: str
    command: str
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    errors: dict = field(default_factory=dict)
    counters: dict = field(default_factory=dict)
    output: str = ""
    failed: str = ""

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def run(
    name: str,
    url: str,
    *,
    workdir: Path,
    duration: int,
    threads: int,
    connections: int,
    script: str = "",
    timeout: int = 10,
) -> Result:
    """Run wrk against url (always 127.0.0.1) and return its numbers."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"the benchmark only sends traffic to 127.0.0.1, not {url}")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    script_path = workdir / f"wrk-{slug}.lua"
    script_path.write_text(script + "\n" + REPORT_LUA)
    command = [
        WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s",
        "--latency", "-s", str(script_path), url,
    ]
    shown = shlex.join(["wrk", *command[1:-3], "-s", f"var/bench/{script_path.name}", url])
    result = Result(name=name, command=shown)
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    except subprocess.TimeoutExpired:
        result.failed = "wrk did not finish"
        return result
    result.output = completed.stdout + completed.stderr
    match = re.search(r"^BENCH_JSON (.*)$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or match is None:
        result.failed = f"wrk exited {completed.returncode}: {result.output[-500:]}"
        return result
    data = json.loads(re.sub(r"-?\b(nan|inf)\b", "0", match.group(1)))
    result.requests = int(data["requests"])
    result.seconds = data["duration_us"] / 1e6
    result.rps = result.requests / result.seconds if result.seconds else 0.0
    latency = data["latency_us"]
    result.p50_ms = latency["p50"] / 1000
    result.p90_ms = latency["p90"] / 1000
    result.p99_ms = latency["p99"] / 1000
    result.errors = {k: int(v) for k, v in data["errors"].items() if int(v)}
    result.counters = {k: int(v) for k, v in (data.get("counters") or {}).items()}
    return result
