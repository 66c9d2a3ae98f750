"""Reads of the categories (public data): the list, the tree in order, one by slug, a
category with its descendants. shop/catalog/selectors.py re-exports them."""

from shop.core.errors import NotFound

from .models import Category


def category_list() -> list[Category]:
    return list(Category.objects.select_related("parent").order_by("position", "name"))


def category_tree(categories: list[Category] | None = None) -> list[Category]:
    """The categories in tree order: each parent, then its children (and theirs), siblings by
    position and name; each one gets a `depth` (0 at the top) and a `tree_label`, its name
    indented by that depth ("— Kitchen"). For
    every category dropdown (the storefront's filters, Django's admin, the product editor).

    A plain ORDER BY cannot give this order (a child's position counts among its siblings, not
    among the top categories: "Kitchen", second under Home, sorted under Clothing). A
    category whose parent is missing from `categories` is listed at the top level."""
    categories = category_list() if categories is None else categories
    known = {category.pk for category in categories}
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        parent = category.parent_id if category.parent_id in known else None
        children.setdefault(parent, []).append(category)
    ordered: list[Category] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for category in sorted(children.get(parent, []), key=lambda c: (c.position, c.name)):
            if category.pk in seen:  # a cycle made by hand in the admin: list it once
                continue
            seen.add(category.pk)
            category.depth = depth  # type: ignore[attr-defined]
            category.tree_label = "— " * depth + category.name  # type: ignore[attr-defined]
            ordered.append(category)
            walk(category.pk, depth + 1)

    walk(None, 0)
    return ordered


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.select_related("parent").get(slug=slug)
    except Category.DoesNotExist:
        raise NotFound("This category does not exist.") from None


def category_with_descendant_ids(*, slug: str, categories: list[Category]) -> list[int]:
    by_slug = {category.slug: category for category in categories}
    root = by_slug.get(slug)
    if root is None:
        raise NotFound("This category does not exist.")
    children: dict[int | None, list[int]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category.pk)
    ids, stack = [], [root.pk]
    while stack:
        current = stack.pop()
        ids.append(current)
        stack.extend(children.get(current, []))
    return ids


def category_tree_choices(categories: list[Category] | None = None) -> list[tuple[str, str]]:
    return [(c.slug, c.tree_label) for c in category_tree(categories)]  # type: ignore[attr-defined]
