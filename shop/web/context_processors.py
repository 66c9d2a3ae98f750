from django.conf import settings


def shop(request):
    # public values only: public pages are rendered once for everyone
    return {
        "shop_name": settings.SHOP_NAME,
        "private_version_cookie": settings.SHOP_PRIVATE_VERSION_COOKIE,
    }
