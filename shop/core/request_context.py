"""The identity of the request being served, for log lines only.

A ContextVar is per thread and per task, never shared between two requests, unlike a module
global (which tests/security bans for request state).
"""

import secrets
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    request_id: str
    route: str = ""
    user_id: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


_current: ContextVar[RequestContext | None] = ContextVar("bfm_request_context", default=None)


def new_request_id() -> str:
    return secrets.token_hex(16)


def begin(request_id: str) -> tuple[RequestContext, object]:
    context = RequestContext(request_id=request_id)
    token = _current.set(context)
    return context, token


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current() -> RequestContext | None:
    return _current.get()


def current_request_id() -> str:
    context = _current.get()
    return context.request_id if context else ""
