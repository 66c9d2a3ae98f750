"""Who may see which user-owned object: the one place that decides.

Every read of a user-owned object (address, cart, order) goes through a function here that
checks ownership as it fetches. "Does not exist" and "not yours" raise the same NotFound with
the same message, so a shopper cannot tell another shopper's object from a missing one.
Each function takes the viewer (a Principal) first and is keyword-only.

Sections: addresses (accounts), carts and orders (cart/orders). Add functions to the section
of your area; keep each one a scoped query, never "fetch, then compare owner".
"""

# --- addresses

# --- carts

# --- orders
