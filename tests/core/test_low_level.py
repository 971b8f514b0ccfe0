"""`client.get/post/.../request` as the API reference writes them, with httpx's keywords.

The three snippets of the reference run as written, sync and async; every keyword is checked
before anything is sent; the token goes only to the API's host.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator

import pytest

from replicate import APIResponseValidationError, AsyncReplicate, Replicate

from .scripted_server import Reply, ScriptedServer, Seen


@pytest.fixture
def other_host() -> Iterator[ScriptedServer]:
    yield from ScriptedServer().serve()


def client_for(server: ScriptedServer) -> Replicate:
    return Replicate(base_url=server.base_url, bearer_token="r8_low_level")


def headers_of(seen: Seen) -> Dict[str, str]:
    return {name.lower(): value for name, value in seen.headers.items()}


def check_reference_snippets(server: ScriptedServer) -> None:
    get, post, patch = server.requests
    assert (get.method, get.path) == ("GET", "/v1/custom/endpoint")
    assert (post.method, post.path, json.loads(post.body)) == (
        "POST",
        "/v1/custom/endpoint",
        {"key": "value"},
    )
    assert headers_of(post)["content-type"] == "application/json"
    assert (patch.method, patch.path, json.loads(patch.body)) == (
        "PATCH",
        "/v1/custom/endpoint",
        {"key": "value"},
    )
    assert headers_of(patch)["x-custom-header"] == "value"
    assert all(headers_of(seen)["authorization"] == "Bearer r8_low_level" for seen in server.requests)


def test_the_reference_snippets_run_as_written(server: ScriptedServer) -> None:
    server.queue(Reply(200, '{"answer": 1}'), Reply(201, '{"created": true}'), Reply(204, b""))
    client = client_for(server)
    assert client.get("/custom/endpoint") == {"answer": 1}
    assert client.post("/custom/endpoint", json={"key": "value"}) == {"created": True}
    result = client.request(
        method="PATCH", url="/custom/endpoint", json={"key": "value"}, headers={"X-Custom-Header": "value"}
    )
    assert result is None  # an empty answer
    check_reference_snippets(server)


@pytest.mark.anyio
async def test_async_the_reference_snippets_run_as_written(server: ScriptedServer) -> None:
    server.queue(Reply(200, '{"answer": 1}'), Reply(201, '{"created": true}'), Reply(204, b""))
    async with AsyncReplicate(base_url=server.base_url, bearer_token="r8_low_level") as client:
        assert await client.get("/custom/endpoint") == {"answer": 1}
        assert await client.post("/custom/endpoint", json={"key": "value"}) == {"created": True}
        result = await client.request(
            method="PATCH",
            url="/custom/endpoint",
            json={"key": "value"},
            headers={"X-Custom-Header": "value"},
        )
        assert result is None
    check_reference_snippets(server)


def test_params_content_and_cast_to(server: ScriptedServer) -> None:
    server.queue(Reply(200, "{}"), Reply(200, '"a JSON string"'), Reply(200, "plain text", {}))
    client = client_for(server)
    client.put("custom", params={"a": 1, "flag": True, "many": ["x", "y"]}, content=b"\x00raw")
    assert server.requests[0].path == "/v1/custom?a=1&flag=true&many=x&many=y"
    assert server.requests[0].body == b"\x00raw"
    assert client.post("/custom", json="text") == "a JSON string"
    assert server.requests[1].body == b'"text"'  # a JSON string, not the bare text
    assert client.get("/custom", cast_to=str) == "plain text"


def test_files_send_a_multipart_body_with_body_as_its_fields(server: ScriptedServer) -> None:
    server.queue(Reply(200, "{}"), Reply(200, "{}"))
    client = client_for(server)
    client.post("/upload", files={"f": ("a.txt", b"file bytes", "text/plain")}, body={"field": "v"})
    client.post("/upload", files=[("f", b"pair bytes")])
    first, second = server.requests
    assert headers_of(first)["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="field"\r\n\r\nv' in first.body and b'filename="a.txt"' in first.body
    assert b"file bytes" in first.body and b"pair bytes" in second.body


def test_a_non_json_answer_without_cast_to_says_how_to_read_it(server: ScriptedServer) -> None:
    server.queue(Reply(200, "<html>", {"Content-Type": "text/html"}))
    with pytest.raises(APIResponseValidationError, match=r"cast_to=str"):
        client_for(server).get("/custom")


def test_this_sdks_spelling_still_works(server: ScriptedServer) -> None:
    client = client_for(server)
    client.post("/custom", body={"a": 1}, options={"headers": {"X-A": "1"}, "params": {"q": "x"}})
    sent = server.requests[0]
    assert (sent.path, json.loads(sent.body), headers_of(sent)["x-a"]) == ("/v1/custom?q=x", {"a": 1}, "1")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.post("/x", json={"a": 1}, body={"a": 1}), TypeError, r"one body, not json= and body="),
        (lambda c: c.post("/x", json={"a": 1}, content=b"x"), TypeError, r"one body, not json= and content="),
        (lambda c: c.request("GET", "/x", url="/y"), TypeError, r"path once"),
        (lambda c: c.request("GET"), TypeError, r"needs a path"),
        (lambda c: c.get(""), ValueError, r"path is empty"),
        (lambda c: c.get(5), TypeError, r"path must be a string, not int"),
        (lambda c: c.request("GET /x", "/x"), ValueError, r"HTTP method name"),
        (
            lambda c: c.get("/x", headers={"A": "1"}, options={"headers": {"B": "2"}}),
            TypeError,
            r"headers once",
        ),
        (lambda c: c.get("/x", params={"a": 1}, options={"params": {"b": 2}}), TypeError, r"params once"),
        (lambda c: c.get("/x", headers=["A"]), TypeError, r"headers= must be a dict, not list"),
        (
            lambda c: c.get("/x", headers={"X-Key": 12345}),
            TypeError,
            r"header 'X-Key' must be a string, not int",
        ),
        (lambda c: c.get("/x", params={"a": object()}), TypeError, r"params\['a'\] must be"),
        (lambda c: c.post("/x", content={"a": 1}), TypeError, r"content= must be str or bytes, not dict"),
        (lambda c: c.post("/x", json={"a": {1, 2}}), TypeError, r"json=\['a'\] is a set"),
        (lambda c: c.post("/x", data={"a": 1}), TypeError, r"for data= use json="),
        (lambda c: c.post("/x", content=b"x", files={"f": b"y"}), TypeError, r"content= or files=, not both"),
        (lambda c: c.post("/x", json={"a": "1"}, files={"f": b"y"}), TypeError, r"form fields go in body="),
        (lambda c: c.post("/x", files="f"), TypeError, r"files= must be a dict .* not str"),
        (lambda c: c.post("/x", files=[b"y"]), TypeError, r"\(name, file\) pairs, not bytes"),
        (lambda c: c.post("/x", files={1: b"y"}), TypeError, r"names must be strings, not int"),
        (lambda c: c.post("/x", files={"f": 5}), TypeError, r"files\['f'\] must be bytes, .* not int"),
        (lambda c: c.get("/x", timeout=3), TypeError, r"options=\{'timeout': \.\.\.\}"),
        (lambda c: c.get("/x", options={"retries": 1}), TypeError, r"Unknown request option"),
    ],
)
def test_bad_input_is_refused_before_sending(
    server: ScriptedServer, call: Any, error: type, message: str
) -> None:
    with pytest.raises(error, match=message) as info:
        call(client_for(server))
    assert "12345" not in str(info.value)  # a header's value never shows
    assert server.requests == []


@pytest.mark.anyio
async def test_async_bad_input_is_refused_before_sending(server: ScriptedServer) -> None:
    async with AsyncReplicate(base_url=server.base_url, bearer_token="r8_low_level") as client:
        with pytest.raises(TypeError, match=r"one body"):
            await client.post("/x", json={}, body={})
        with pytest.raises(TypeError, match=r"path once"):
            await client.request(method="GET", path="/x", url="/x")
        with pytest.raises(TypeError, match=r"content= or files=, not both"):
            await client.post("/x", content="x", files={"f": b"y"})
    assert server.requests == []


def test_the_token_goes_only_to_the_api_host(server: ScriptedServer, other_host: ScriptedServer) -> None:
    client = client_for(server)
    elsewhere = other_host.base_url.replace("127.0.0.1", "localhost")
    client.post(f"{elsewhere}/hook", json={"a": 1}, headers={"X-Custom-Header": "value"})
    client.request(method="GET", url=f"{server.base_url}/account")
    assert "authorization" not in headers_of(other_host.requests[0])
    assert headers_of(other_host.requests[0])["x-custom-header"] == "value"
    assert headers_of(server.requests[0])["authorization"] == "Bearer r8_low_level"


@pytest.mark.anyio
async def test_async_the_token_goes_only_to_the_api_host(
    server: ScriptedServer, other_host: ScriptedServer
) -> None:
    async with AsyncReplicate(base_url=server.base_url, bearer_token="r8_low_level") as client:
        await client.get(other_host.base_url.replace("127.0.0.1", "localhost") + "/x")
    assert "authorization" not in headers_of(other_host.requests[0])
