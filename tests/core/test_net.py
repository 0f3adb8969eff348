"""Client IP behind trusted proxies (ARCHITECTURE.md: the right-most untrusted X-Forwarded-For)."""

from ipaddress import ip_network

import pytest
from starlette.requests import Request

from intowork.core.config import Network
from intowork.core.net import client_ip

PROXIES: list[Network] = [ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32")]


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.7", None, "203.0.113.7"),
        # An untrusted peer's header is ignored: anyone can write one.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ("10.1.2.3", "198.51.100.1", "198.51.100.1"),
        # The client wrote the left-most entry; the right-most untrusted one is what our proxy saw.
        ("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1,10.0.0.5", "198.51.100.1"),
        ("10.1.2.3", None, "10.1.2.3"),
        ("10.1.2.3", "not-an-ip", "10.1.2.3"),
        ("10.1.2.3", "10.0.0.9, 10.0.0.8", "10.0.0.9"),
        ("10.1.2.3", "2001:db8::1", "2001:db8::1"),
        # Canonical form, so one client is one rate-limit key.
        ("10.1.2.3", "2001:DB8:0:0::1", "2001:db8::1"),
        # A zone id can be varied at will and made arbitrarily long: not a client address.
        ("10.1.2.3", "fe80::1%" + "x" * 80, "10.1.2.3"),
        ("10.1.2.3", "fe80::1%eth0, 10.0.0.9", "10.1.2.3"),
    ],
)
def test_client_ip(peer: str, forwarded: str | None, expected: str) -> None:
    assert client_ip(request_from(peer, forwarded), PROXIES) == expected


def test_no_trusted_proxies_means_the_peer() -> None:
    assert client_ip(request_from("10.1.2.3", "198.51.100.1"), []) == "10.1.2.3"
