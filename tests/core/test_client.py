"""Client construction, options, headers, auth and errors, over real loopback HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

import replicate
from replicate import (
    APIResponseValidationError,
    AuthenticationError,
    InternalServerError,
    NotFoundError,
    ReplicateError,
)

from .scripted_server import Reply, ScriptedServer

ACCOUNT = '{"type": "user", "username": "alice"}'


def client_for(server: ScriptedServer, **kwargs: Any) -> replicate.Replicate:
    kwargs.setdefault("bearer_token", "r8_secret_token_value")
    return replicate.Replicate(base_url=server.base_url, **kwargs)


def test_missing_token_names_both_ways_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    with pytest.raises(ReplicateError) as info:
        replicate.Replicate()
    assert "REPLICATE_API_TOKEN" in str(info.value)
    assert "bearer_token=" in str(info.value)


def test_token_and_base_url_come_from_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_from_env")
    monkeypatch.setenv("REPLICATE_BASE_URL", server.base_url)
    client = replicate.Replicate()
    client.get("/account")
    assert server.requests[0].headers["Authorization"] == "Bearer r8_from_env"
    assert server.requests[0].path == "/v1/account"


def test_every_request_carries_auth_user_agent_and_accept(server: ScriptedServer) -> None:
    client_for(server).get("/account")
    headers = server.requests[0].headers
    assert headers["Authorization"] == "Bearer r8_secret_token_value"
    assert headers["User-Agent"].startswith(f"replicate-python/{replicate.__version__} (")
    assert headers["Accept"] == "application/json"


def test_per_request_extra_headers_query_and_body(server: ScriptedServer) -> None:
    client = client_for(server, default_headers={"X-Team": "a"}, default_query={"team": "a"})
    client.models.update(
        model_owner="acme",
        model_name="echo",
        description="new",
        extra_headers={"X-Trace": "t1", "X-Team": replicate.omit},
        extra_query={"debug": True},
        extra_body={"readme": "# hi"},
    )
    seen = server.requests[0]
    assert seen.method == "PATCH"
    assert seen.path == "/v1/models/acme/echo?team=a&debug=true"
    assert seen.headers["X-Trace"] == "t1"
    assert "X-Team" not in seen.headers
    assert json.loads(seen.body) == {"description": "new", "readme": "# hi"}


def test_per_request_timeout_applies(server: ScriptedServer) -> None:
    server.queue(Reply(200, "{}", delay=0.5))
    with pytest.raises(replicate.APITimeoutError):
        client_for(server, max_retries=0).account.get(timeout=0.1)


def test_unknown_keyword_argument_is_a_type_error_before_any_request(server: ScriptedServer) -> None:
    with pytest.raises(TypeError, match="prediction_idd"):
        client_for(server).predictions.get(prediction_id="p1", prediction_idd="p1")  # type: ignore[call-arg]
    assert server.requests == []


@pytest.mark.parametrize("value", ["", "a/b"])
def test_bad_path_parameters_raise_before_any_request(server: ScriptedServer, value: str) -> None:
    with pytest.raises(ValueError, match="model_name"):
        client_for(server).models.get(model_owner="acme", model_name=value)
    assert server.requests == []


def test_negative_timeout_is_rejected(server: ScriptedServer) -> None:
    with pytest.raises(ValueError, match="timeout"):
        client_for(server, timeout=-1)


def test_token_is_never_sent_to_another_host(server: ScriptedServer) -> None:
    other = ScriptedServer()
    for _ in other.serve():
        client_for(server).get(f"http://localhost:{other.port}/elsewhere")
        assert "Authorization" not in other.requests[0].headers
    client_for(server).get(f"{server.base_url}/account")
    assert server.requests[0].headers["Authorization"].startswith("Bearer ")


def test_repr_redacts_the_token(server: ScriptedServer) -> None:
    client = client_for(server)
    assert "r8_secret_token_value" not in repr(client)
    assert "r8_secret_token_value" not in str(client.default_headers)


def test_with_options_changes_only_what_is_given(server: ScriptedServer) -> None:
    client = client_for(server, max_retries=1, default_headers={"X-A": "1"})
    other = client.with_options(timeout=5.0, default_headers={"X-B": "2"})
    assert other.max_retries == 1
    assert other.timeout == 5.0
    assert other.bearer_token == client.bearer_token
    other.get("/account")
    assert server.requests[0].headers["X-A"] == "1"
    assert server.requests[0].headers["X-B"] == "2"
    assert client.copy(max_retries=4).max_retries == 4


def test_context_manager_closes_the_client(server: ScriptedServer) -> None:
    with client_for(server) as client:
        client.get("/account")
    assert client.is_closed


def test_user_http_client_is_used(server: ScriptedServer) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    http = httpx.Client(event_hooks={"request": [hook]})
    client_for(server, http_client=http).get("/account")
    assert seen == [f"{server.base_url}/account"]


def test_default_http_clients_carry_the_library_headers_so_requests_need_not_merge_them() -> None:
    # Merging headers per request was httpx's costliest step in building one (benchmarks/RESULTS.md).
    for http in (replicate.DefaultHttpxClient(), replicate.DefaultAsyncHttpxClient()):
        assert http.headers["Accept"] == "application/json"
        assert http.headers["User-Agent"].startswith(f"replicate-python/{replicate.__version__} (")
    assert replicate.DefaultHttpxClient(headers={"User-Agent": "mine"}).headers["User-Agent"] == "mine"
    with_default = replicate.Replicate(bearer_token="r8_x", http_client=replicate.DefaultHttpxClient())
    assert with_default._per_request_headers == {}
    assert set(replicate.Replicate(bearer_token="r8_x", http_client=httpx.Client())._per_request_headers) == {
        "Accept",
        "User-Agent",
    }


@pytest.mark.parametrize(
    "http",
    [
        httpx.Client(headers={"User-Agent": "theirs", "Accept": "text/plain"}),
        replicate.DefaultHttpxClient(headers={"User-Agent": "theirs"}),
        replicate.DefaultHttpxClient(),
    ],
    ids=["httpx.Client", "DefaultHttpxClient with a User-Agent", "DefaultHttpxClient"],
)
def test_a_given_http_client_sends_our_user_agent_and_accept(
    server: ScriptedServer, http: httpx.Client
) -> None:
    client = client_for(server, http_client=http)
    client.get("/account")
    client.copy(max_retries=0).get("/account")  # a copy shares the http client
    for seen in server.requests:
        assert seen.headers["User-Agent"].startswith(f"replicate-python/{replicate.__version__} (")
        assert seen.headers["Accept"] == "application/json"


def test_cookies_a_response_sets_are_kept_and_sent_back(server: ScriptedServer) -> None:
    # The default clients skip httpx's cookie bookkeeping for responses that set none.
    headers = {"Content-Type": "application/json", "Set-Cookie": "session=abc; Path=/"}
    server.queue(Reply(200, ACCOUNT), Reply(200, ACCOUNT, headers), Reply(200, ACCOUNT))
    client = client_for(server)
    for _ in range(3):
        client.get("/account")
    assert [seen.headers.get("Cookie") for seen in server.requests] == [None, None, "session=abc"]


@pytest.mark.anyio
async def test_async_cookies_a_response_sets_are_kept_and_sent_back(server: ScriptedServer) -> None:
    headers = {"Content-Type": "application/json", "Set-Cookie": "session=abc; Path=/"}
    server.queue(Reply(200, ACCOUNT), Reply(200, ACCOUNT, headers), Reply(200, ACCOUNT))
    async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_x") as client:
        for _ in range(3):
            await client.get("/account")
    # Over aiohttp, header names arrive lower-cased.
    cookies = [{k.lower(): v for k, v in seen.headers.items()}.get("cookie") for seen in server.requests]
    assert cookies == [None, None, "session=abc"]


def test_401_says_how_to_set_the_token(server: ScriptedServer) -> None:
    body = '{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}'
    server.queue(Reply(401, body, {"Content-Type": "application/problem+json"}))
    with pytest.raises(AuthenticationError) as info:
        client_for(server).account.get()
    message = str(info.value)
    assert "401" in message and "valid authentication token" in message
    assert "REPLICATE_API_TOKEN" in message and "bearer_token=" in message
    assert info.value.body == json.loads(body)


def test_404_message_carries_the_problem_detail(server: ScriptedServer) -> None:
    server.queue(Reply(404, '{"detail": "Prediction not found", "status": 404}'))
    with pytest.raises(NotFoundError) as info:
        client_for(server).predictions.get(prediction_id="nope")
    assert "Prediction not found" in str(info.value)
    assert info.value.status_code == 404
    assert info.value.response.status_code == 404


def test_html_error_page_still_gives_the_right_error_with_a_snippet(server: ScriptedServer) -> None:
    page = "<html><head><title>502</title></head><body><h1>Bad Gateway</h1><p>upstream gone</p></body></html>"
    server.default = Reply(502, page, {"Content-Type": "text/html"})
    with pytest.raises(InternalServerError) as info:
        client_for(server, max_retries=0).account.get()
    assert "Bad Gateway" in str(info.value)
    assert "<h1>" not in str(info.value)
    assert info.value.body == page


def test_non_json_success_body_is_a_validation_error(server: ScriptedServer) -> None:
    server.queue(Reply(200, "<html>oops</html>", {"Content-Type": "text/html"}))
    with pytest.raises(APIResponseValidationError) as info:
        client_for(server).account.get()
    assert "AccountGetResponse" in str(info.value) or "Account" in str(info.value)


def test_truncated_json_body_is_a_validation_error(server: ScriptedServer) -> None:
    server.queue(Reply(200, '{"id": "p1", "status": "star'))
    with pytest.raises(APIResponseValidationError):
        client_for(server).predictions.get(prediction_id="p1")


def test_import_is_lazy() -> None:
    code = (
        "import sys, replicate\n"
        "heavy = [m for m in ('pydantic', 'replicate._client', 'replicate.resources', 'replicate.types')"
        " if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_module_level_client_follows_module_attributes(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.default = Reply(200, ACCOUNT)
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    monkeypatch.setattr(replicate, "bearer_token", "r8_module_one")
    monkeypatch.setattr(replicate, "base_url", server.base_url)
    replicate.account.get()
    monkeypatch.setattr(replicate, "bearer_token", "r8_module_two")
    monkeypatch.setattr(replicate, "timeout", 12.0)
    replicate.account.get()
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer r8_module_one",
        "Bearer r8_module_two",
    ]
    assert replicate.default_client().timeout == 12.0


def test_inside_a_cog_model_the_token_comes_from_the_prediction_scope(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    fake_cog = types.ModuleType("cog")

    class Scope:
        context = {"REPLICATE_API_TOKEN": "r8_from_cog_scope"}

    fake_cog.current_scope = lambda: Scope()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cog", fake_cog)
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_from_env")
    replicate.Replicate(base_url=server.base_url).get("/account")
    assert server.requests[0].headers["Authorization"] == "Bearer r8_from_cog_scope"


def test_without_a_cog_scope_token_the_environment_is_used(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    fake_cog = types.ModuleType("cog")
    fake_cog.current_scope = lambda: types.SimpleNamespace(context={})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cog", fake_cog)
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_from_env")
    replicate.Replicate(base_url=server.base_url).get("/account")
    assert server.requests[0].headers["Authorization"] == "Bearer r8_from_env"
