"""Running the shop on a laptop (`make run`): SQLite and the shared file cache unless told
otherwise.

DEBUG stays off unless DEBUG=1 is set explicitly; the secret key is generated once and kept
in var/secret_key, which git ignores.
"""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", False)


def _local_secret_key() -> str:
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()  # noqa: F405
