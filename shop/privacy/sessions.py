"""The session engine (settings.SESSION_ENGINE): Django's cached_db sessions, plus a register
of which signed-in session belongs to whom (models.UserSession), so that an erasure (or any
"sign out everywhere") can end every session of a user at once, from the database and the cache,
without decoding every session row.

Same table, same cache keys and same behaviour as django.contrib.sessions.backends.cached_db;
the register follows the key: a sign-in adds it (receivers.py), a cycled key (sign-in of a
signed-in session, password change) moves it, a deleted session (sign-out, flush) removes it.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

from .models import UserSession


class SessionStore(CachedDbStore):
    def cycle_key(self) -> None:
        """Django's cycle_key, with the register moved to the new key before the old session
        is deleted (so the delete below does not drop it)."""
        data = self._session  # type: ignore[attr-defined]
        old_key = self.session_key
        self.create()
        self._session_cache = data
        if old_key:
            UserSession.objects.filter(session_key=old_key).update(session_key=self.session_key)
            super().delete(old_key)

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            UserSession.objects.filter(session_key=key).delete()


def session_keys_of(*, user_id: int) -> list[str]:
    return list(UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))


def sessions_end(*, keys: list[str]) -> int:
    """End these sessions: the database row, the cached copy and the register entry."""
    store = SessionStore()
    for key in keys:
        store.delete(key)
    return len(keys)


def sessions_end_for(*, user_id: int) -> int:
    """End every registered session of a user. Returns how many."""
    return sessions_end(keys=session_keys_of(user_id=user_id))
