from django.contrib import admin

from .models import Category, Product, ProductImage, Variant
from .selectors import category_tree
from .services import product_refresh_summary


class CategoryTreeAdmin(admin.ModelAdmin):
    """The category dropdowns (a product's category, a category's parent) list the tree in
    order, each child indented under its own parent (shop/catalog/selectors.py)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.remote_field.model is Category and field is not None:
            empty: list[tuple[object, object]] = (
                [("", field.empty_label)] if field.empty_label is not None else []
            )
            tree: list[tuple[object, object]] = [
                (c.pk, c.tree_label) for c in category_tree()  # type: ignore[attr-defined]
            ]
            field.choices = empty + tree
        return field


class VariantInline(admin.TabularInline):
    """Prices are in the shop's currency (SHOP_CURRENCY); the product's list price follows
    them through database triggers (migration 0005)."""

    model = Variant
    extra = 0
    fields = ("sku", "options", "price", "stock", "position")


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0


@admin.register(Category)
class CategoryAdmin(CategoryTreeAdmin):
    list_display = ("name", "slug", "parent", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Product)
class ProductAdmin(CategoryTreeAdmin):
    list_display = ("name", "category", "price", "is_active", "is_featured", "created_at")
    list_filter = ("is_active", "is_featured", "category")
    search_fields = ("name", "slug")
    list_select_related = ("category",)
    inlines = [VariantInline, ImageInline]
    readonly_fields = ("price",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_refresh_summary(product=form.instance)  # the main image
