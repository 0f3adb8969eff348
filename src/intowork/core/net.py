"""Who is calling: the client IP behind trusted proxies, the user agent."""

from ipaddress import ip_address

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
            return hop if _is_ip(hop) else peer
    return hops[0] if hops and _is_ip(hops[0]) else peer


def _is_ip(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(host: str, trusted_proxies: list[Network]) -> bool:
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxies)
