"""Where the request being served comes from, for records made without the request at hand
(shop/policy/access.py knows the viewer, not the request), and work deferred until its
response has left. Set by MonitoringMiddleware.

A ContextVar: per thread and per request, never shared between two requests.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

logger = logging.getLogger("shop.monitoring")


@dataclass(frozen=True)
class ClientContext:
    ip: str
    path: str
    # (context, function) pairs to run once the response has been sent
    deferred: list[tuple[contextvars.Context, Callable[[], object]]] = field(
        default_factory=list
    )


_current: ContextVar[ClientContext | None] = ContextVar("bfm_client_context", default=None)


def begin(*, ip: str, path: str) -> Token:
    return _current.set(ClientContext(ip=ip, path=path[:300]))


def end(token: Token) -> None:
    _current.reset(token)


def current() -> ClientContext | None:
    return _current.get()


def defer(function: Callable[[], object]) -> None:
    """Run `function` after this request's response has been sent (the WSGI server's close()),
    in the request's context (request id, client address); right away outside a request.
    For records whose cost must not show in the response time (a 404 that must look alike
    whether or not the object exists)."""
    where = _current.get()
    if where is None:
        run_one(function)
        return
    where.deferred.append((contextvars.copy_context(), function))


def run_one(function: Callable[[], object]) -> None:
    try:
        function()
    except Exception:
        logger.exception("deferred monitoring work failed")


def run_deferred(deferred: list[tuple[contextvars.Context, Callable[[], object]]]) -> None:
    for context, function in deferred:
        context.run(run_one, function)
