from tests.dashboard.fixtures import _clean_cache, roles, shop  # noqa: F401
from tests.orders.fixtures import shipping_methods  # noqa: F401
