"""core/signed_urls.py: what a signature binds, when it expires, and its redaction (API.md M2)."""

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from loguru import logger

from intowork.core.config import Environment, Settings
from intowork.core.observability.logging import InterceptHandler
from intowork.core.signed_urls import LinkExpiredOrInvalid, UrlSigner, redact_signatures
from tests.fixtures.settings import TEST_JWT_SECRET

PATH = "/api/candidates/7/cv"
NOW = 1_800_000_000.5


def settings_with(secret: str, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        jwt_secret=secret,
        data_dir=data_dir,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """No database: these tests only sign and verify."""
    return settings_with(TEST_JWT_SECRET, tmp_path)


@pytest.fixture
def signer(settings: Settings) -> UrlSigner:
    return UrlSigner.from_settings(settings)


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


class TestSign:
    def test_shape(self, signer: UrlSigner) -> None:
        url = signer.sign(PATH, 42, NOW)
        assert url.startswith(f"{PATH}?exp=")
        query = query_of(url)
        assert list(query) == ["exp", "sig"]
        viewer, mac = query["sig"].split(".")
        assert viewer == "42"
        assert len(mac) == 43

    def test_expiry_is_the_ttl_rounded_up_to_the_minute(self, signer: UrlSigner) -> None:
        exp = int(query_of(signer.sign(PATH, 42, NOW))["exp"])
        assert exp % 60 == 0
        assert NOW + signer.ttl_seconds <= exp < NOW + signer.ttl_seconds + 60

    def test_same_link_within_the_minute(self, signer: UrlSigner) -> None:
        """A list carrying links keeps its ETag (API.md M4) between two reads."""
        start = (NOW // 60) * 60
        assert signer.sign(PATH, 42, start + 1) == signer.sign(PATH, 42, start + 59)

    def test_short_ttl_rounds_by_itself(self, signer: UrlSigner) -> None:
        short = UrlSigner(key=signer.key, ttl_seconds=10)
        exp = int(query_of(short.sign(PATH, 42, NOW))["exp"])
        assert NOW + 10 <= exp < NOW + 20

    def test_default_ttl(self, settings: Settings) -> None:
        assert settings.signed_url_ttl_seconds == 15 * 60


class TestVerify:
    def test_round_trip(self, signer: UrlSigner) -> None:
        query = query_of(signer.sign(PATH, 42, NOW))
        assert signer.verify(PATH, query["exp"], query["sig"], NOW) == 42

    def test_valid_until_exp(self, signer: UrlSigner) -> None:
        query = query_of(signer.sign(PATH, 42, NOW))
        exp = int(query["exp"])
        assert signer.verify(PATH, query["exp"], query["sig"], exp - 1) == 42
        with pytest.raises(LinkExpiredOrInvalid):
            signer.verify(PATH, query["exp"], query["sig"], exp)

    def test_bound_to_the_path(self, signer: UrlSigner) -> None:
        query = query_of(signer.sign(PATH, 42, NOW))
        for other in ("/api/candidates/8/cv", f"{PATH}/", PATH.upper()):
            with pytest.raises(LinkExpiredOrInvalid):
                signer.verify(other, query["exp"], query["sig"], NOW)

    def test_bound_to_the_viewer(self, signer: UrlSigner) -> None:
        query = query_of(signer.sign(PATH, 42, NOW))
        mac = query["sig"].split(".")[1]
        with pytest.raises(LinkExpiredOrInvalid):
            signer.verify(PATH, query["exp"], f"43.{mac}", NOW)

    def test_bound_to_the_secret(self, signer: UrlSigner, tmp_path: Path) -> None:
        query = query_of(signer.sign(PATH, 42, NOW))
        other = UrlSigner.from_settings(settings_with(TEST_JWT_SECRET[::-1], tmp_path))
        with pytest.raises(LinkExpiredOrInvalid):
            other.verify(PATH, query["exp"], query["sig"], NOW)

    def test_key_derived_not_the_secret(self, signer: UrlSigner, settings: Settings) -> None:
        raw = UrlSigner(key=settings.jwt_secret_value.encode(), ttl_seconds=signer.ttl_seconds)
        query = query_of(raw.sign(PATH, 42, NOW))
        with pytest.raises(LinkExpiredOrInvalid):
            signer.verify(PATH, query["exp"], query["sig"], NOW)

    @pytest.mark.parametrize(
        ("exp", "sig"),
        [(None, None), ("1", None), (None, "1.x"), ("", ""), ("x", "y"), ("-1", "1.abc")],
    )
    def test_malformed(self, signer: UrlSigner, exp: str | None, sig: str | None) -> None:
        with pytest.raises(LinkExpiredOrInvalid):
            signer.verify(PATH, exp, sig, NOW)

    def test_error_is_a_403_with_the_contract_detail(self) -> None:
        error = LinkExpiredOrInvalid()
        assert (error.status_code, error.detail) == (403, "Link expired or invalid")


class TestRedaction:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("GET /x?exp=1&sig=12.abc HTTP/1.1", "GET /x?exp=1&sig=[redacted] HTTP/1.1"),
            ("/x?sig=12.abc&exp=1", "/x?sig=[redacted]&exp=1"),
            ("'/x?exp=1&sig=12.abc'", "'/x?exp=1&sig=[redacted]'"),
            ("no signature here", "no signature here"),
            ("design=1", "design=1"),
        ],
    )
    def test_redact(self, text: str, expected: str) -> None:
        assert redact_signatures(text) == expected

    @pytest.fixture
    def captured(self) -> Iterator[list[str]]:
        lines: list[str] = []
        sink = logger.add(lambda message: lines.append(str(message)), format="{message}")
        yield lines
        logger.remove(sink)

    def test_stdlib_lines_are_redacted(self, captured: list[str]) -> None:
        stdlib = logging.getLogger("tests.signed_urls")
        handler = InterceptHandler()
        stdlib.addHandler(handler)
        try:
            stdlib.warning('127.0.0.1 - "GET /api/x?exp=1&sig=%s HTTP/1.1" 200', "12.secretmac")
        finally:
            stdlib.removeHandler(handler)
        assert any("sig=[redacted]" in line for line in captured)
        assert not any("secretmac" in line for line in captured)
