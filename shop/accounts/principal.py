"""Who is asking: one principal per request, whether it came by session or by bearer token.

shop.accounts.middleware.PrincipalMiddleware sets `request.principal` for every request.
Views, services and the access layer (shop/policy/access.py) use the principal and never read
cookies, sessions or Authorization headers themselves.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from .models import User

Kind = Literal["anonymous", "customer", "staff"]
Via = Literal["none", "session", "token"]


@dataclass(frozen=True)
class Principal:
    user: User | None
    via: Via = "none"
    token_id: str = ""  # the access token's jti when via == "token"
    token_expires_at: datetime | None = None  # the access token's exp when via == "token"
    token_family: UUID | None = None  # the sign-in (refresh family) of the access token
    # Why a credential that was presented was refused ("expired", "signature", ...), for the
    # security log only; the principal is then anonymous and the API answers a generic 401.
    credential_error: str = ""

    @property
    def kind(self) -> Kind:
        if self.user is None:
            return "anonymous"
        return "staff" if self.user.is_staff else "customer"

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


ANONYMOUS = Principal(user=None)
