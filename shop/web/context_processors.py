from django.conf import settings

from shop.core.site_links import site_links


def shop(request):
    # public values only: public pages are rendered once for everyone
    return {
        "shop_name": settings.SHOP_NAME,
        "private_version_cookie": settings.SHOP_PRIVATE_VERSION_COOKIE,
        "site": site_links(),
    }
