"""The WSGI application granian serves. Static files and the generated product images are
served by WhiteNoise in front of Django (nginx serves them directly in production)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from whitenoise import WhiteNoise

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

django_application = get_wsgi_application()
application = WhiteNoise(
    django_application,
    root=str(settings.STATIC_ROOT),
    prefix=settings.STATIC_URL,
    max_age=settings.WHITENOISE_MAX_AGE,
)
if settings.MEDIA_ROOT.exists():
    application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)
