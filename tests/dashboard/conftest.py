"""Every test here starts with an empty cache, and may check out."""

import pytest


@pytest.fixture(autouse=True)
def _clean(empty_cache, shipping_methods):
    return shipping_methods
