"""Servers that misbehave: every call ends, in bounded time and memory, with a typed error.

Each test talks to a small loopback server written for the misbehaviour (a 429 loop, a body
dripped a byte at a time, a gzip bomb, a redirect loop...).
"""

from __future__ import annotations

import email.utils
import socket
import time
import zlib
from http.server import BaseHTTPRequestHandler

import pytest
from misbehaving_server import MisbehavingServer, answer

import replicate
from replicate._http.retry import MAX_RATE_LIMIT_RETRIES


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("replicate._http.retry.INITIAL_RETRY_DELAY", 0.001)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- 429 loops ------------------------------------------------------------------------------------

PAST = email.utils.formatdate(time.time() - 3600, usegmt=True)


@pytest.mark.parametrize("retry_after", ["0", "-5", PAST])
def test_a_429_naming_no_wait_is_retried_max_retries_times_only(retry_after: str) -> None:
    def throttle(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 429, b'{"detail": "slow down"}', Retry_After=retry_after)

    with MisbehavingServer(throttle) as server:
        with pytest.raises(replicate.RateLimitError):
            server.client(max_retries=1).account.get()
    assert len(server.requests) == 2


def test_a_429_naming_a_tiny_wait_forever_is_retried_a_bounded_number_of_times() -> None:
    def throttle(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 429, b'{"detail": "slow down"}', Retry_After_Ms="1")

    with MisbehavingServer(throttle) as server:
        with pytest.raises(replicate.RateLimitError):
            server.client(max_retries=1).account.get()
    assert len(server.requests) == MAX_RATE_LIMIT_RETRIES + 1


@pytest.mark.anyio
async def test_the_async_client_ends_a_429_loop_too() -> None:
    def throttle(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 429, b'{"detail": "slow down", "retry_after": 0}')

    with MisbehavingServer(throttle) as server:
        async with server.async_client(max_retries=2) as client:
            with pytest.raises(replicate.RateLimitError):
                await client.account.get()
    assert len(server.requests) == 3


# -- slow bodies -----------------------------------------------------------------------------------


def drip(handler: BaseHTTPRequestHandler) -> None:
    """A JSON body of 40 bytes, one byte every 0.25 s: each read is quick, the whole takes 10 s."""
    body = b'{"type": "user", "username": "' + b"x" * 8 + b'", "n": 0}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.25)


def test_timeout_bounds_the_whole_body_not_each_read() -> None:
    with MisbehavingServer(drip) as server:
        started = time.monotonic()
        with pytest.raises(replicate.APITimeoutError):
            server.client(timeout=1, max_retries=0).account.get()
        assert time.monotonic() - started < 4  # 10 s without the bound


def test_a_dripping_body_is_retried_each_attempt_bounded() -> None:
    with MisbehavingServer(drip) as server:
        started = time.monotonic()
        with pytest.raises(replicate.APITimeoutError):
            server.client(timeout=1, max_retries=1).account.get()
        assert time.monotonic() - started < 7
    assert len(server.requests) == 2


@pytest.mark.anyio
async def test_async_timeout_bounds_the_whole_body() -> None:
    with MisbehavingServer(drip) as server:
        started = time.monotonic()
        async with server.async_client(timeout=1, max_retries=0) as client:
            with pytest.raises(replicate.APITimeoutError):
                await client.account.get()
        assert time.monotonic() - started < 4


def drip_headers(handler: BaseHTTPRequestHandler) -> None:
    """Headers of 40 bytes, one byte every 0.25 s: each read is quick, the whole takes 10 s."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: " + b"x" * 14 + b"\r\n\r\n"
    for byte in head:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.25)
    handler.wfile.write(b"{}")


def test_timeout_bounds_dripping_headers_too() -> None:
    with MisbehavingServer(drip_headers) as server:
        started = time.monotonic()
        with pytest.raises(replicate.APITimeoutError):
            server.client(timeout=1, max_retries=0).account.get()
        assert time.monotonic() - started < 4  # 10 s without the bound


@pytest.mark.anyio
async def test_async_timeout_bounds_dripping_headers_too() -> None:
    # Run on httpx's transport and on aiohttp's (tests/conftest.py).
    with MisbehavingServer(drip_headers) as server:
        started = time.monotonic()
        async with server.async_client(timeout=1, max_retries=0) as client:
            with pytest.raises(replicate.APITimeoutError):
                await client.account.get()
        assert time.monotonic() - started < 4


# -- bodies that inflate ---------------------------------------------------------------------------


def gzip_bomb(decoded_mib: int) -> bytes:
    """`decoded_mib` MiB of zeros, gzipped (about a thousandth of that)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(2**20)
    return b"".join(compressor.compress(block) for _ in range(decoded_mib)) + compressor.flush()


BOMB = gzip_bomb(80)  # 80 KiB that inflate to 80 MiB, beyond the 64 MiB read


def test_a_gzip_bomb_is_refused_with_a_typed_error() -> None:
    def bomb(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 200, BOMB, Content_Type="application/json", Content_Encoding="gzip")

    with MisbehavingServer(bomb) as server:
        with pytest.raises(replicate.ResponseTooLargeError) as info:
            server.client(max_retries=0).account.get()
    assert isinstance(info.value, replicate.APIResponseValidationError)
    assert "64 MiB" in str(info.value)


@pytest.mark.anyio
async def test_an_async_gzip_bomb_is_refused_too() -> None:
    def bomb(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 200, BOMB, Content_Type="application/json", Content_Encoding="gzip")

    with MisbehavingServer(bomb) as server:
        async with server.async_client(max_retries=0) as client:
            with pytest.raises(replicate.ResponseTooLargeError):
                await client.account.get()


def test_a_gzip_bomb_as_an_error_body_still_gives_the_status_error() -> None:
    def bomb(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 500, BOMB, Content_Type="application/json", Content_Encoding="gzip")

    with MisbehavingServer(bomb) as server:
        with pytest.raises(replicate.InternalServerError) as info:
            server.client(max_retries=0).account.get()
    assert info.value.body is None


# -- transport failures are typed -------------------------------------------------------------------


def test_a_body_that_is_not_the_gzip_it_claims_is_an_api_connection_error() -> None:
    def bad_gzip(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 200, b"this is not gzip", Content_Type="application/json", Content_Encoding="gzip")

    with MisbehavingServer(bad_gzip) as server:
        with pytest.raises(replicate.APIConnectionError, match="could not be decoded"):
            server.client(max_retries=0).account.get()


def test_a_redirect_loop_is_an_api_connection_error() -> None:
    def loop(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 302, b"", Location="/v1/account")

    with MisbehavingServer(loop) as server:
        with pytest.raises(replicate.APIConnectionError, match="redirects"):
            server.client().account.get()
    assert len(server.requests) == 21  # httpx's limit of 20 redirects, not retried


@pytest.mark.anyio
async def test_async_transport_failures_are_typed_too() -> None:
    def loop(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 302, b"", Location="/v1/account")

    with MisbehavingServer(loop) as server:
        async with server.async_client() as client:
            with pytest.raises(replicate.APIConnectionError, match="redirects"):
                await client.account.get()


# -- error messages ----------------------------------------------------------------------------------


def test_a_huge_error_detail_is_capped_in_the_message_and_kept_whole_on_the_error() -> None:
    detail = "y" * 60_000

    def verbose(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 400, b'{"detail": "' + detail.encode() + b'"}', Content_Type="application/json")

    with MisbehavingServer(verbose) as server:
        with pytest.raises(replicate.BadRequestError) as info:
            server.client().account.get()
    assert len(str(info.value)) < 600
    assert str(info.value).endswith("(GET /v1/account)")
    assert info.value.detail == detail


def test_a_60_kb_html_error_page_gives_a_short_message_and_keeps_the_page() -> None:
    page = "<html><body><h1>Bad Gateway</h1>" + "<p>upstream trouble</p>" * 2700 + "</body></html>"

    def html(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 400, page.encode(), Content_Type="text/html")

    with MisbehavingServer(html) as server:
        with pytest.raises(replicate.BadRequestError) as info:
            server.client().account.get()
    assert str(info.value).startswith("400 Bad Request: Bad Gateway upstream trouble")
    assert len(str(info.value)) < 600
    assert info.value.body == page


# -- a dropped socket mid-body stays typed --------------------------------------------------------


def cut_body(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    handler.wfile.write(b'{"type": "us')
    handler.wfile.flush()
    handler.connection.shutdown(socket.SHUT_RDWR)


def test_a_connection_cut_mid_body_is_an_api_connection_error() -> None:
    with MisbehavingServer(cut_body) as server:
        with pytest.raises(replicate.APIConnectionError):
            server.client(max_retries=0).account.get()


@pytest.mark.parametrize("unit", ["<", "<script", "<style ", "<a "])
def test_reading_a_hostile_html_error_page_takes_linear_time(unit: str) -> None:
    page = unit * (600_000 // len(unit))  # minutes of work for a quadratic reader, ms for a linear one

    def html(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 502, page.encode(), Content_Type="text/html")

    with MisbehavingServer(html) as server:
        started = time.monotonic()
        with pytest.raises(replicate.InternalServerError) as info:
            server.client(max_retries=0).account.get()
        assert time.monotonic() - started < 3
    assert info.value.body == page


def test_a_streamed_response_cut_mid_body_is_an_api_connection_error() -> None:
    with MisbehavingServer(cut_body) as server:
        with server.client(max_retries=0).account.with_streaming_response.get() as response:
            with pytest.raises(replicate.APIConnectionError):
                response.read()


def test_a_streamed_response_with_bad_gzip_is_typed_while_iterating() -> None:
    def bad_gzip(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 200, b"not gzip at all", Content_Type="application/json", Content_Encoding="gzip")

    with MisbehavingServer(bad_gzip) as server:
        with server.client().account.with_streaming_response.get() as response:
            with pytest.raises(replicate.APIConnectionError, match="could not be decoded"):
                list(response.iter_bytes())


def test_a_file_output_download_cut_mid_body_is_an_api_connection_error() -> None:
    with MisbehavingServer(cut_body) as server:
        output = replicate.FileOutput(f"{server.base_url}/files/out.png", server.client(max_retries=0))
        with pytest.raises(replicate.APIConnectionError):
            output.read()


@pytest.mark.anyio
async def test_an_async_file_output_download_cut_mid_body_is_typed_too() -> None:
    with MisbehavingServer(cut_body) as server:
        async with server.async_client(max_retries=0) as client:
            output = replicate.AsyncFileOutput(f"{server.base_url}/files/out.png", client)
            with pytest.raises(replicate.APIConnectionError):
                await output.read()
