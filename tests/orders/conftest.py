from tests.orders.fixtures import (  # noqa: F401
    alice,
    alice_api,
    alice_web,
    bob,
    bob_api,
    bob_web,
    shipping_methods,
)
