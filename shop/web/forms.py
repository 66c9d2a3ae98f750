from django import forms

from shop.catalog.selectors import MAX_OPTION_LENGTH, MAX_QUERY_LENGTH, MAX_RESULTS, SORTS

SORT_LABELS = {
    "relevance": "Best match",
    "newest": "Newest",
    "price": "Price: low to high",
    "-price": "Price: high to low",
    "name": "Name: A to Z",
    "-name": "Name: Z to A",
}


class ProductFilterForm(forms.Form):
    """The storefront's search and filter form; the catalog selectors validate the values."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, label="Search")
    category = forms.SlugField(required=False, max_length=140, label="Category")
    min_price = forms.DecimalField(
        required=False, min_value=0, max_digits=10, decimal_places=2, label="Min price"
    )
    max_price = forms.DecimalField(
        required=False, min_value=0, max_digits=10, decimal_places=2, label="Max price"
    )
    in_stock = forms.BooleanField(required=False, label="In stock only")
    sort = forms.ChoiceField(
        required=False, choices=[(key, SORT_LABELS[key]) for key in SORTS], label="Sort by"
    )
    size = forms.CharField(required=False, max_length=MAX_OPTION_LENGTH, label="Size")
    colour = forms.CharField(required=False, max_length=MAX_OPTION_LENGTH, label="Colour")
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_RESULTS, label="Page")
