"""Signal receivers of the privacy app, connected in PrivacyConfig.ready."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from .models import UserSession


@receiver(user_logged_in, dispatch_uid="shop.privacy.register_signed_in_session")
def register_signed_in_session(sender, request, user, **kwargs) -> None:
    """Note which session this sign-in made (sessions.py keeps the note up to date)."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    if session.session_key is None:
        session.save()  # login() flushed the previous session: the new key is made here
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user_id": user.pk, "signed_in_at": timezone.now()},
    )
