"""pip-audit on the locked dependencies (constraints.txt), honest about what it could check.

pip-audit asks a vulnerability service (PyPI's JSON API, then OSV) about each pinned package.
When the service cannot be reached, pip-audit marks every package "not found on PyPI and could
not be audited", prints "No known vulnerabilities found" and exits 0: a green step that checked
nothing. This wrapper reads its JSON report instead:

- a known vulnerability in any package: exit 1 (CI fails);
- some or all packages not audited (service unreachable, package unknown): a loud warning
  naming them, and exit 0, or exit 2 with AUDIT_STRICT=1 (for CI machines that do have the
  network: there, not auditing is a failure);
- everything audited and clean: exit 0, saying how many packages were checked.

Usage: python -m tooling.audit_dependencies [requirements file, default constraints.txt]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANNER = "!" * 78


def audit(requirements: Path, service: str) -> dict | None:
    """pip-audit's JSON report for `requirements` against `service`, or None if it failed."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "audit.json"
        command = [
            str(pip_audit), "--requirement", str(requirements), "--no-deps", "--disable-pip",
            "--vulnerability-service", service, "--format", "json", "--output", str(output),
            "--progress-spinner", "off", "--timeout", os.environ.get("AUDIT_TIMEOUT", "15"),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)  # noqa: S603 - our own argv
        if not output.exists():
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            print(f"pip-audit ({service}) produced no report (exit {result.returncode}): "
                  f"{last[-500:]}")
            return None
        return json.loads(output.read_text())


def main() -> int:
    requirements = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "constraints.txt"
    strict = os.environ.get("AUDIT_STRICT") == "1"
    report, audited, skipped, service = None, [], [], "pypi"
    for service in ("pypi", "osv"):
        report = audit(requirements, service)
        if report is None:
            continue
        dependencies = report.get("dependencies", [])
        audited = [d for d in dependencies if not d.get("skip_reason")]
        skipped = [d for d in dependencies if d.get("skip_reason")]
        if audited:
            break

    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dependency['name']} {dependency.get('version')}: {vuln['id']} "
                  f"(fixed in {fixes})")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable package(s) in {requirements.name}")
        return 1

    if not audited:
        print(BANNER)
        print("!! DEPENDENCY AUDIT DID NOT RUN: no package could be checked against PyPI or OSV")
        print("!! (the vulnerability services are unreachable from this machine?).")
        if skipped:
            print(f"!! pip-audit skipped all {len(skipped)} packages, e.g.: "
                  f"{skipped[0]['skip_reason']}")
        print("!! This is NOT a pass: run `make audit` where PyPI or OSV can be reached.")
        print(BANNER)
        return 2 if strict else 0
    if skipped:
        print(BANNER)
        print(f"!! {len(skipped)} of {len(audited) + len(skipped)} packages were NOT audited:")
        for dependency in skipped:
            print(f"!!   {dependency['skip_reason']}")
        print(BANNER)
    print(f"pip-audit ({service}): {len(audited)} packages audited, no known vulnerabilities.")
    return 2 if strict and skipped else 0


if __name__ == "__main__":
    sys.exit(main())
