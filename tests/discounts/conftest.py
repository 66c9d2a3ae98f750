"""Every test here may check out: the shipping methods are there."""

import pytest


@pytest.fixture(autouse=True)
def _shipping(shipping_methods):
    return shipping_methods
