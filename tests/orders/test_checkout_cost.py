"""What one checkout costs the database (issue 16: >= 200 checkouts/s on PostgreSQL).

A paid checkout commits twice: transaction 1 records the order with its key claimed, its
stock taken and its charge in flight; transaction 2 settles it (paid, the confirmation
e-mail in the outbox). The test gateway's own record of the charge is the provider's books,
written by the provider, not by the shop: it is one autocommit statement, counted apart.
Real commits (transactional test database), counted on the connection; statements and round
trips (BEGIN, COMMIT and savepoints included) after the bearer authentication's one query.
`scripts/measure_checkout.py` prints the same numbers for the bench's database.
"""

import contextlib
from dataclasses import dataclass, field

import pytest
from django.db import connection

from tests.factories import checkout_body, create_product

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENTS = 18  # after authentication; see docs/orders.md "Checkout: the order of events"
ROUND_TRIPS = STATEMENTS + 4  # + BEGIN and COMMIT of each of the two transactions
PROVIDER_BOOKS = "orders_testgateway"


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    begins: int = 0
    savepoints: int = 0
    commits: int = 0
    rollbacks: int = 0
    shop_autocommit_writes: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        # psycopg sends BEGIN on its own (unseen here); SQLite's BEGIN IMMEDIATE is a statement
        begins = self.begins if connection.vendor == "sqlite" else self.commits + self.rollbacks
        return len(self.statements) + self.savepoints + begins + self.commits + self.rollbacks


@contextlib.contextmanager
def counting():
    counted = Counted()

    def wrapper(execute, sql, params, many, context):
        head = sql.lstrip()[:20].upper()
        if head.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            counted.savepoints += 1
        elif head.startswith("BEGIN"):
            counted.begins += 1
        else:
            counted.statements.append(sql)
            if (head.startswith(("INSERT", "UPDATE", "DELETE")) and connection.get_autocommit()
                    and PROVIDER_BOOKS not in sql):
                counted.shop_autocommit_writes.append(sql)
        return execute(sql, params, many, context)

    commit, rollback = connection.commit, connection.rollback

    def counted_commit():
        counted.commits += 1
        commit()

    def counted_rollback():
        counted.rollbacks += 1
        rollback()

    connection.commit, connection.rollback = counted_commit, counted_rollback
    try:
        with connection.execute_wrapper(wrapper):
            yield counted
    finally:
        del connection.commit, connection.rollback


@pytest.fixture
def one_line_cart(catalog, alice_api):
    product = create_product("Costed thing", category=catalog.home,
                             variants=[{"price": "3.00", "stock": 50}])
    response = alice_api.post("/api/v1/cart/items", {"sku": product.variants.get().sku,
                                                     "quantity": 2},
                              content_type="application/json")
    assert response.status_code == 200
    return product.variants.get()


def _checkout(alice_api, key="cost-1"):
    with counting() as counted:
        response = alice_api.post("/api/v1/checkout", checkout_body(),
                                  content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 201, response.content
    return counted


def test_a_checkout_commits_twice(one_line_cart, alice_api):
    counted = _checkout(alice_api)
    assert counted.commits == 2
    assert counted.rollbacks == 0
    assert counted.shop_autocommit_writes == []
    one_line_cart.refresh_from_db()
    assert one_line_cart.stock == 48


def test_a_checkout_sends_at_most_so_many_statements(one_line_cart, alice_api):
    counted = _checkout(alice_api)
    after_auth = len(counted.statements) - 1
    assert after_auth <= STATEMENTS, "\n".join(counted.statements)
    assert counted.round_trips - 1 <= ROUND_TRIPS


def test_a_replay_commits_nothing(one_line_cart, alice_api):
    first = alice_api.post("/api/v1/checkout", checkout_body(), content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="cost-2")
    assert first.status_code == 201
    counted = _checkout(alice_api, key="cost-2")
    assert counted.shop_autocommit_writes == []
    one_line_cart.refresh_from_db()
    assert one_line_cart.stock == 48
