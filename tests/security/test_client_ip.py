"""The client IP behind TRUSTED_PROXIES, and sign-in throttling per account across IPs."""

from httpx import AsyncClient, Response

from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.security.conftest import (
    PEER,
    SQLITE_ONLY,
    add_user,
    assert_counted,
    assert_limit,
    assert_refused,
    client_for,
    running,
)

pytestmark = SQLITE_ONLY

PROXY = "10.0.0.2"
PROXIES = ["10.0.0.0/8"]


def via(*hops: str) -> dict[str, str]:
    return {"X-Forwarded-For": ", ".join(hops)}


class TestUntrustedPeer:
    async def test_spoofed_forwarded_for_is_ignored(self, limited_settings) -> None:
        settings = limited_settings(rate_limit_listing="3/minute", trusted_proxies=PROXIES)
        async with running(settings) as app, client_for(app, PEER) as http:
            # A new "client" each time: were the header believed, no counter would fill up.
            await assert_limit(lambda n: http.get("/api/jobs", headers=via(f"192.0.2.{n}")), 3)

    async def test_without_trusted_proxies_no_peer_is_a_proxy(self, limited_settings) -> None:
        async with (
            running(limited_settings(rate_limit_listing="3/minute")) as app,
            client_for(app, PROXY) as http,
        ):
            await assert_limit(lambda n: http.get("/api/jobs", headers=via(f"192.0.2.{n}")), 3)


class TestTrustedProxy:
    async def test_forwarded_clients_have_their_own_counters(self, limited_settings) -> None:
        settings = limited_settings(rate_limit_listing="3/minute", trusted_proxies=PROXIES)
        async with running(settings) as app, client_for(app, PROXY) as http:
            await assert_limit(lambda _: http.get("/api/jobs", headers=via("198.51.100.1")), 3)
            assert_counted(await http.get("/api/jobs", headers=via("198.51.100.2")), 3, 2)
            # The proxy itself, sending no header, is one more client.
            assert_counted(await http.get("/api/jobs"), 3, 2)

    async def test_the_right_most_untrusted_entry_is_the_client(self, limited_settings) -> None:
        settings = limited_settings(rate_limit_listing="3/minute", trusted_proxies=PROXIES)
        async with running(settings) as app, client_for(app, PROXY) as http:
            # The client may write anything left of its own address; the proxies append theirs.
            chains = [
                via("192.0.2.1", "198.51.100.7"),
                via("192.0.2.2", "198.51.100.7", "10.0.0.9"),
                via("not-an-ip", "198.51.100.7", "10.1.2.3", "10.0.0.9"),
            ]
            await assert_limit(lambda n: http.get("/api/jobs", headers=chains[n % 3]), 3)
            assert_counted(await http.get("/api/jobs", headers=via("192.0.2.1")), 3, 2)


class TestSigninPerAccountAcrossIps:
    async def test_sixth_attempt_is_refused_whatever_the_ip_and_case(
        self, limited_settings
    ) -> None:
        # The contract's defaults: 5 per 15 minutes per account, 20 per 15 minutes per IP.
        settings = limited_settings(trusted_proxies=PROXIES)
        async with running(settings) as app, client_for(app, PROXY) as http:
            user = await add_user(app)
            local, domain = user.email.split("@")
            spellings = [
                user.email.upper(),
                f"{local.capitalize()}@{domain}",
                f"{local}@{domain.upper()}",
                user.email,
                f"{local.upper()}@{domain}",
                f"{local.title()}@{domain.title()}",
            ]

            async def attempt(index: int) -> Response:
                body = {"email": spellings[index], "password": "Wrong-password-1!"}
                return await signin(http, body, f"198.51.100.{index + 1}")

            await assert_limit(attempt, 5, seconds=15 * 60)
            # The right password, from yet another address, still waits.
            body = {"email": user.email, "password": DEFAULT_PASSWORD}
            assert_refused(await signin(http, body, "198.51.100.50"), 5, 15 * 60)
            # Someone else, from an address already used, is not held back.
            other = {"email": "someone-else@example.com", "password": DEFAULT_PASSWORD}
            assert (await signin(http, other, "198.51.100.1")).status_code == 401


async def signin(http: AsyncClient, body: dict[str, str], client: str) -> Response:
    return await http.post("/api/auth/signin", json=body, headers=via(client))
