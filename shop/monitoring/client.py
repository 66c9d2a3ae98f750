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
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return ""
    proxies = _networks(getattr(settings, "TRUSTED_PROXY", "") or "")
    if not proxies or not _trusted(remote, proxies):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")[-10:]):
        address = _parse(hop)
        if address is None:
            break  # a malformed hop: trust nothing to its left
        if not _trusted(address, proxies):
            return str(address)
    return str(remote)
