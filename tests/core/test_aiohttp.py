"""`DefaultAioHttpClient`: the aiohttp transport, loaded only when it is used.

Its behaviour (retries, timeouts, event streams, downloads, cancellation) is checked by every
async test of the suite, which runs once per transport (tests/conftest.py).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import replicate
from replicate import AsyncReplicate, DefaultAioHttpClient

from .scripted_server import Reply, ScriptedServer


def test_import_replicate_loads_no_aiohttp() -> None:
    code = (
        "import sys, replicate; replicate.AsyncReplicate; replicate.DefaultAioHttpClient;"
        " print(sorted(m for m in ('aiohttp', 'httpx_aiohttp') if m in sys.modules))"
    )
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "[]"


def test_without_the_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "replicate._http.aiohttp_transport", raising=False)
    with pytest.raises(ImportError, match=r"pip install 'replicate\[aiohttp\]'"):
        DefaultAioHttpClient()


@pytest.mark.anyio
async def test_async_replicate_sends_through_aiohttp(server: ScriptedServer) -> None:
    server.queue(Reply(200, '{"username": "acme"}'))
    http_client = replicate.DefaultAioHttpClient()
    async with AsyncReplicate(
        base_url=server.base_url, bearer_token="r8_test", http_client=http_client
    ) as client:
        assert (await client.get("/account"))["username"] == "acme"
        assert type(http_client._transport).__module__ == "replicate._http.aiohttp_transport"
    headers = {name.lower(): value for name, value in server.requests[0].headers.items()}
    assert headers["authorization"] == "Bearer r8_test"
    assert http_client.is_closed
