"""axe-core in the browser, for the accessibility checks of tests/e2e.

axe-core comes inside the `axe-playwright-python` wheel (pinned in pyproject.toml and
constraints.txt): nothing is fetched from a CDN at test time. `serious_violations(page)` runs
every WCAG 2.x A/AA rule and best practice on the page as it is and returns the serious and
critical ones, each with the elements it found, in words a failing test can print."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
BLOCKING = ("serious", "critical")


def serious_violations(page) -> list[str]:
    results = _AXE.run(page, options=OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
        found.append(f"{page.url}: {violation['id']} ({violation['impact']}): "
                     f"{violation['help']} -> {targets}")
    return found
