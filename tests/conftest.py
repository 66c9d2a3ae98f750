"""Shared fixtures. Services the suite may need (PostgreSQL, Redis, nginx, Chromium) are used
when present; with CI=true or REQUIRE_ALL=1 a missing one fails the test instead of skipping."""

import os
import shutil
from pathlib import Path

import pytest

REQUIRE_ALL = os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_ALL") == "1"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))


def require(available: bool, what: str) -> None:
    """Skip (or fail, in CI) a test whose service or tool is missing."""
    if available:
        return
    message = f"{what} is not available"
    if REQUIRE_ALL:
        pytest.fail(message + " (CI=true/REQUIRE_ALL=1: missing services fail)")
    pytest.skip(message)


def find_binary(name: str, *candidates: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return next((c for c in candidates if Path(c).exists()), None)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def catalog(db):
    """A small, known catalog: two top categories, a subcategory, products with variants."""
    from tests.factories import build_small_catalog

    return build_small_catalog()
