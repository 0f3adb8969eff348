"""Who is calling: the client IP behind trusted proxies, the user agent."""

from ipaddress import IPv6Address, ip_address

from starlette.requests import HTTPConnection

from intowork.core.config import Network


def client_ip(connection: HTTPConnection, trusted_proxies: list[Network]) -> str | None:
    """The socket peer, or, when the peer is a trusted proxy, the right-most untrusted
    X-Forwarded-For entry (entries left of it could have been written by the client)."""
    peer = connection.client.host if connection.client else None
    if peer is None or not _is_trusted(peer, trusted_proxies):
        return peer
    forwarded = connection.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted_proxies):
            return _canonical_ip(hop) or peer
    return (_canonical_ip(hops[0]) if hops else None) or peer


def _canonical_ip(value: str) -> str | None:
    """The address in its canonical form, or None for anything else. IPv6 zone ids
    ("fe80::1%eth0") are refused: a client could vary them at will (a fresh rate-limit key on
    every request) and make them arbitrarily long."""
    try:
        address = ip_address(value)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.scope_id is not None:
        return None
    return str(address)


def _is_trusted(host: str, trusted_proxies: list[Network]) -> bool:
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxies)
