"""The client's network address, as logs, security events and throttles see it.

By default the address is REMOTE_ADDR: whatever a client writes in X-Forwarded-For is ignored,
so nobody can dodge a per-address throttle (or frame another address) by sending the header.

Behind a reverse proxy (nginx in deploy/), every request arrives from the proxy's address, so
per-address throttling would lump all shoppers together. Set TRUSTED_PROXY (environment or
settings) to the proxy's address(es) or networks, comma-separated, e.g. `127.0.0.1,10.0.0.0/8`.
Then, and only for requests that really come from one of them, the client is the right-most
X-Forwarded-For entry that is not itself a trusted proxy (nginx appends the address it saw with
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`).
"""

import functools
import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(value: str | Iterable[str]) -> tuple[Network, ...]:
    if isinstance(value, str):
        return _parsed_networks(value)  # the setting, parsed once
    return _parsed_networks(",".join(value))


@functools.lru_cache(maxsize=16)
def _parsed_networks(value: str) -> tuple[Network, ...]:
    items = value.split(",")
    networks = []
    for item in items:
        item = item.strip()
        if item:
            networks.append(ipaddress.ip_network(item, strict=False))
    return tuple(networks)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string ("" when the server did not say)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY", "") or ""
    if not isinstance(proxies, str):
        proxies = ",".join(proxies)
    address, via_proxy = _remembered(_remote_address, remote, proxies)
    if not via_proxy:
        return address
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return _remembered(_forwarded_client, forwarded, proxies) or address


# The answers below depend on their strings alone: each is computed once per distinct
# REMOTE_ADDR or X-Forwarded-For (and proxy setting), not parsed again on every request.
_REMEMBERED_LENGTH = 200


def _remembered(parse: Any, text: str, proxies: str) -> Any:
    """parse(text, proxies), from its cache when `text` is short: a longer one (whatever a
    client sends) is parsed without being kept, so the cache's memory stays bounded."""
    call = parse if len(text) <= _REMEMBERED_LENGTH else parse.__wrapped__
    return call(text, proxies)


@functools.lru_cache(maxsize=1024)
def _remote_address(remote: str, proxies: str) -> tuple[str, bool]:
    """(REMOTE_ADDR normalised, or "" when it is not an address; whether it is a trusted
    proxy, whose X-Forwarded-For then names the client)."""
    address = _parse(remote)
    if address is None:
        return "", False
    networks = _networks(proxies)
    return str(address), bool(networks) and _trusted(address, networks)


@functools.lru_cache(maxsize=1024)
def _forwarded_client(forwarded: str, proxies: str) -> str:
    """The right-most X-Forwarded-For hop that is not a trusted proxy ("" when none is)."""
    networks = _networks(proxies)
    for hop in reversed(forwarded.split(",")[-10:]):
        address = _parse(hop)
        if address is None:
            break  # a malformed hop: trust nothing to its left
        if not _trusted(address, networks):
            return str(address)
    return ""
