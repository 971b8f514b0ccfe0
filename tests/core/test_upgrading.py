"""Code written for the 1.x client: what still works, and clear errors for what is spelled anew."""

from __future__ import annotations

from typing import Any

import pytest

import replicate
from replicate import AsyncReplicate, Replicate

from .scripted_server import Reply, ScriptedServer

ACCOUNT = '{"type": "user", "username": "acme"}'


def test_a_base_url_without_a_path_reaches_the_api_under_v1(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = server.base_url.removesuffix("/v1")
    server.queue(Reply(200, ACCOUNT), Reply(200, ACCOUNT))
    monkeypatch.setenv("REPLICATE_BASE_URL", origin)  # the 1.x form
    assert Replicate(bearer_token="r8_test").account.get().username == "acme"
    assert Replicate(bearer_token="r8_test", base_url=origin + "/").get("/account")["username"] == "acme"
    assert [r.path for r in server.requests] == ["/v1/account", "/v1/account"]
    # a base URL with a path is taken as it is
    assert str(Replicate(bearer_token="r8_test", base_url=origin + "/api").base_url) == origin + "/api"


@pytest.mark.anyio
async def test_async_a_base_url_without_a_path_reaches_the_api_under_v1(server: ScriptedServer) -> None:
    server.queue(Reply(200, ACCOUNT))
    origin = server.base_url.removesuffix("/v1")
    async with AsyncReplicate(bearer_token="r8_test", base_url=origin) as client:
        assert (await client.account.get()).username == "acme"
    assert server.requests[0].path == "/v1/account"


@pytest.mark.parametrize("cls", [replicate.Client, replicate.AsyncClient])
@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (
            (),
            {"api_token": "r8_secret0"},
            r"\(api_token=\.\.\.\) is the 1\.x spelling of \w+\(bearer_token=\.\.\.\)",
        ),
        (("r8_secret0",), {}, r"keyword arguments only: \w+\(bearer_token=\.\.\.\)"),
        ((), {"headers": {"X": "r8_secret0"}}, r"default_headers="),
        ((), {"proxies": "r8_secret0"}, r"takes no proxies="),
    ],
)
def test_1x_constructor_arguments_name_the_new_spelling(
    cls: Any, args: Any, kwargs: Any, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_env")
    with pytest.raises(TypeError, match=expected) as info:
        cls(*args, **kwargs)
    assert "UPGRADING.md" in str(info.value)
    assert "r8_secret0" not in str(info.value)


def test_positional_arguments_name_the_keywords_before_any_request(server: ScriptedServer) -> None:
    client = Replicate(bearer_token="r8_test", base_url=server.base_url)
    with pytest.raises(TypeError, match=r"models\.get\(model_owner='acme', model_name='echo'\)") as info:
        client.models.get("acme/echo")  # type: ignore[misc]  # pyright: ignore[reportCallIssue]
    assert "UPGRADING.md" in str(info.value)
    with pytest.raises(TypeError, match=r"predictions\.get\(prediction_id=\.\.\.\)"):
        client.predictions.get("abc")  # type: ignore[misc]  # pyright: ignore[reportCallIssue]
    with pytest.raises(TypeError, match=r"predictions\.wait\(prediction_id=\.\.\.\)"):
        client.predictions.wait("abc")  # type: ignore[misc]  # pyright: ignore[reportCallIssue]
    assert server.requests == []


@pytest.mark.anyio
async def test_async_positional_arguments_name_the_keywords(server: ScriptedServer) -> None:
    async with AsyncReplicate(bearer_token="r8_test", base_url=server.base_url) as client:
        with pytest.raises(TypeError, match=r"models\.get\(model_owner='acme', model_name='echo'\)"):
            await client.models.get("acme/echo")  # type: ignore[misc]  # pyright: ignore[reportCallIssue]
    assert server.requests == []
