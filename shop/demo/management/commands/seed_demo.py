"""Load the demo data once: the catalog (with images) and one account per staff role.

The accounts' password is DEMO_PASSWORD when set (existing demo accounts are reset to it);
otherwise one is generated on the first run, kept in var/demo_password (mode 600) and reused.
Running it again changes nothing and takes a moment.
"""

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from shop.catalog.models import Product
from shop.demo.loader import seed_products
from shop.discounts.demo import demo_codes_seed
from shop.staff.roles import role_bootstrap
from shop.taxes.services import tax_rates_seed

DEMO_PRODUCTS = 320
DEMO_SEED = 2024
DEMO_ACCOUNTS = (
    # email, name, role, is_staff, is_superuser
    ("shopper@example.com", "Sam Shopper", "shopper", False, False),
    ("support@example.com", "Sue Support", "support", True, False),
    ("manager@example.com", "Max Manager", "manager", True, False),
    ("admin@example.com", "Ada Admin", "admin", True, True),
)


def password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo_password"


def demo_password() -> tuple[str, str]:
    """(password, where it came from): DEMO_PASSWORD, the kept file, or newly generated."""
    from_env = os.environ.get("DEMO_PASSWORD", "")
    if from_env:
        return from_env, "env"
    path = password_file()
    if path.exists():
        kept = path.read_text().strip()
        if kept:
            return kept, "file"
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)
    return password, "new"


class Command(BaseCommand):
    help = "Load the demo catalog and demo accounts (once; later runs change nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--products", type=int, default=DEMO_PRODUCTS)

    def handle(self, *args, products: int, **options) -> None:
        if Product.objects.exists():
            self.stdout.write("Catalog: products already exist, skipping the demo catalog.")
        else:
            result = seed_products(products, seed=DEMO_SEED, images=True, batch_size=1000)
            self.stdout.write(
                f"Catalog: created {result.products} products, {result.variants} variants and "
                f"{result.images} images in {result.seconds:.1f} s."
            )

        # SPEC §4.1: VAT rates for every destination, WELCOME10 and ONCE5
        rates, codes = tax_rates_seed(), demo_codes_seed()
        self.stdout.write(f"Taxes and discounts: {rates} tax rates and {codes} codes added.")
        password, source = demo_password()
        statuses = self.ensure_accounts(password, reset=source == "env")
        # Customers and orders of the last 30 days, for the staff dashboard (shop/demo/orders.py)
        call_command("seed_demo_orders", stdout=self.stdout)
        self.report(password, source, statuses)

    def ensure_accounts(self, password: str, *, reset: bool) -> list[str]:
        """Create the missing demo accounts; with reset, give the others the password."""
        User = get_user_model()
        emails = [account[0] for account in DEMO_ACCOUNTS]
        existing = {user.email: user for user in User.objects.filter(email__in=emails)}
        # Argon2 is slow on purpose and releases the GIL: hash and check side by side.
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            matches = dict(
                zip(
                    existing,
                    pool.map(
                        lambda user: check_password(password, user.password), existing.values()
                    ),
                    strict=True,
                )
            )
            needed = len(emails) - len(existing)
            if reset:
                needed += sum(not match for match in matches.values())
            hashes = iter(list(pool.map(lambda _: make_password(password), range(needed))))

        statuses = []
        with transaction.atomic():
            for email, name, role, is_staff, is_superuser in DEMO_ACCOUNTS:
                user = existing.get(email)
                if user is None:
                    user = User.objects.create_user(
                        email=email,
                        password=None,
                        name=name,
                        is_staff=is_staff,
                        is_superuser=is_superuser,
                    )
                    user.password = next(hashes)
                    user.save(update_fields=["password"])
                    statuses.append("created")
                elif matches[email]:
                    statuses.append("exists")
                elif reset:
                    user.password = next(hashes)
                    user.save(update_fields=["password"])
                    statuses.append("password reset")
                else:
                    statuses.append("exists, other password")
                if is_staff:  # the role's group (shop/staff/roles.py)
                    role_bootstrap(user=user, role=role)
        return statuses

    def report(self, password: str, source: str, statuses: list[str]) -> None:
        where = {
            "env": "from DEMO_PASSWORD",
            "file": f"kept in {password_file()}",
            "new": f"generated, kept in {password_file()}",
        }[source]
        rule = "-" * 64
        lines = [rule, "Demo accounts", rule]
        for (email, _name, role, _staff, _super), status in zip(
            DEMO_ACCOUNTS, statuses, strict=True
        ):
            lines.append(f"  {email:<24} {role:<8} ({status})")
        lines += [f"  password: {password}   ({where})"]
        if "exists, other password" in statuses:
            lines.append(
                "  note: some accounts existed already with another password, left unchanged;"
                " set DEMO_PASSWORD to reset them."
            )
        lines.append(rule)
        self.stdout.write("\n".join(lines))
