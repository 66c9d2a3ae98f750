"""The category dropdowns list the tree in order, each child under its own parent (issue 15:
"— Kitchen" appeared under Clothing, in the storefront's filters and in Django's admin)."""

import html
import re

import pytest

from shop.catalog.selectors import category_tree
from tests.factories import create_category, create_product, create_user

EXPECTED = ["Clothing", "— T-Shirts", "— Jackets", "Home", "— Bedding", "— Kitchen",
            "— — Knives", "Outdoor"]


@pytest.fixture
def tree(db):
    """Positions count among siblings: sorting every category by (position, name) mixes the
    levels up ("Bedding, Clothing, T-Shirts, Home, Jackets, Kitchen...")."""
    clothing = create_category("Clothing", position=0)
    home = create_category("Home", position=1)
    create_category("Outdoor", position=2)
    create_category("Jackets", parent=clothing, position=1)
    create_category("T-Shirts", parent=clothing, position=0)
    create_category("Bedding", parent=home, position=0)
    kitchen = create_category("Kitchen", parent=home, position=1)
    create_category("Knives", parent=kitchen, position=0)
    create_product("Chef's Knife", category=kitchen)
    return kitchen


def options_of(body: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', body, re.S)
    assert select, select_id
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))
    return [html.unescape(label).strip() for label in labels]


def test_category_tree_puts_each_child_under_its_parent(tree):
    assert [c.tree_label for c in category_tree()] == EXPECTED
    assert [c.depth for c in category_tree()] == [0, 1, 1, 0, 1, 1, 2, 0]


def test_the_storefront_filter_lists_the_tree(client, tree):
    body = client.get("/products/").content.decode()
    assert options_of(body, "f-category") == ["All categories", *EXPECTED]


def test_the_admin_dropdowns_list_the_tree(client, tree):
    admin = create_user("root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    body = client.get("/admin/catalog/product/add/").content.decode()
    assert options_of(body, "id_category") == ["---------", *EXPECTED]
    body = client.get(f"/admin/catalog/category/{tree.pk}/change/").content.decode()
    assert options_of(body, "id_parent") == ["---------", *EXPECTED]
