"""Every test here may check out: the shipping methods are there. Stripe's fake (`fake`,
`stripe_shop`: the shop configured for it, with a mug in stock) for the tests of the hosted
page and the webhooks."""

import pytest

from tests.factories import create_category, create_product
from tests.support.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, StripeFake

STRIPE = "shop.orders.payments.stripe_gateway.StripeGateway"


@pytest.fixture(autouse=True)
def _shipping(shipping_methods):
    return shipping_methods


@pytest.fixture(scope="module")
def fake():
    server = StripeFake().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_shop(settings, fake, transactional_db):
    settings.SHOP_PAYMENT_GATEWAY = STRIPE
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_TIMEOUT = 5
    fake.reset()
    create_product("Stoneware Mug", category=create_category("Kitchen"),
                   variants=[{"price": "14.50", "stock": 30, "sku": "MUG-1"}])
    return fake
