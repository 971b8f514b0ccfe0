"""Raw and streamed responses, and binary downloads, over real loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import replicate
from replicate._http.response import APIResponse, AsyncAPIResponse, AsyncBinaryAPIResponse, BinaryAPIResponse
from replicate.types import Model

from .scripted_server import Reply, ScriptedServer

MODEL = json.dumps(
    {"owner": "acme", "name": "echo", "url": "https://replicate.com/acme/echo", "visibility": "public"}
)


def client_for(server: ScriptedServer) -> replicate.Replicate:
    return replicate.Replicate(base_url=server.base_url, bearer_token="r8_test")


def test_raw_response_is_read_and_parses_to_the_plain_result(server: ScriptedServer) -> None:
    server.queue(Reply(200, MODEL, {"Content-Type": "application/json", "X-Request-Id": "r1"}))
    response = client_for(server).models.with_raw_response.get(model_owner="acme", model_name="echo")
    assert isinstance(response, APIResponse)
    assert response.is_closed
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "r1"
    assert response.http_request.url.path == "/v1/models/acme/echo"
    model = response.parse()
    assert isinstance(model, Model) and model.name == "echo"
    assert response.parse() is model


def test_streamed_response_is_not_read_until_asked_and_closes_on_exit(server: ScriptedServer) -> None:
    server.queue(Reply(200, MODEL))
    with client_for(server).models.with_streaming_response.get(
        model_owner="acme", model_name="echo"
    ) as response:
        assert not response.is_closed
        assert b"".join(response.iter_bytes()) == MODEL.encode()
    assert response.is_closed


def test_streamed_response_parse_reads_the_body(server: ScriptedServer) -> None:
    server.queue(Reply(200, MODEL))
    with client_for(server).models.with_streaming_response.get(
        model_owner="acme", model_name="echo"
    ) as response:
        assert response.parse().owner == "acme"


def test_streamed_error_status_raises_before_the_block(server: ScriptedServer) -> None:
    server.queue(Reply(404, '{"detail": "no such model"}'))
    with pytest.raises(replicate.NotFoundError, match="no such model"):
        with client_for(server).models.with_streaming_response.get(model_owner="acme", model_name="nope"):
            pytest.fail("the block must not run for an error response")


def test_delete_returns_none(server: ScriptedServer) -> None:
    server.queue(Reply(204, b"", {}))
    assert client_for(server).models.delete(model_owner="acme", model_name="echo") is None
    assert server.requests[0].method == "DELETE"


def test_download_returns_a_binary_response(server: ScriptedServer, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 1000
    server.queue(Reply(200, payload, {"Content-Type": "application/octet-stream"}))
    server.queue(Reply(200, payload, {"Content-Type": "application/octet-stream"}))
    client = client_for(server)
    download = client.files.download(file_id="f1", expiry=123, owner="acme", signature="s+g=")
    assert isinstance(download, BinaryAPIResponse)
    assert download.read() == payload
    assert server.requests[0].path == "/v1/files/f1/download?expiry=123&owner=acme&signature=s%2Bg%3D"
    with client.files.with_streaming_response.download(
        file_id="f1", expiry=1, owner="o", signature="s"
    ) as streamed:
        # the v2 name user code imports and annotates with, and its method
        assert isinstance(streamed, replicate._http.response.StreamedBinaryAPIResponse)
        assert not streamed.is_closed
        streamed.stream_to_file(tmp_path / "out.bin", chunk_size=4096)
    assert (tmp_path / "out.bin").read_bytes() == payload


def test_file_upload_streams_a_path_with_its_name_and_type(server: ScriptedServer, tmp_path: Path) -> None:
    file = tmp_path / "photo.png"
    file.write_bytes(b"\x89PNG fake")
    body = {
        "id": "f1",
        "urls": {"get": "https://api.replicate.com/v1/files/f1"},
        "content_type": "image/png",
        "size": 9,
        "checksums": {},
        "metadata": {"a": 1},
        "created_at": "2025-01-01T00:00:00Z",
        "expires_at": "2025-01-02T00:00:00Z",
    }
    server.queue(Reply(201, json.dumps(body)))
    created = client_for(server).files.create(content=file, metadata={"a": 1})
    assert created.id == "f1"
    sent = server.requests[0]
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'filename="photo.png"' in sent.body
    assert b"Content-Type: image/png" in sent.body
    assert b"\x89PNG fake" in sent.body
    assert b'{"a": 1}' in sent.body


def test_file_upload_of_a_missing_path_fails_before_any_request(
    server: ScriptedServer, tmp_path: Path
) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.bin"):
        client_for(server).files.create(content=tmp_path / "nothing.bin")
    assert server.requests == []


@pytest.mark.anyio
async def test_async_raw_and_streamed_responses(server: ScriptedServer, tmp_path: Path) -> None:
    server.queue(
        Reply(200, MODEL),
        Reply(200, MODEL),
        Reply(200, b"bytes!", {"Content-Type": "application/octet-stream"}),
        Reply(200, b"bytes!", {"Content-Type": "application/octet-stream"}),
    )
    async with replicate.AsyncReplicate(base_url=server.base_url, bearer_token="r8_test") as client:
        raw = await client.models.with_raw_response.get(model_owner="acme", model_name="echo")
        assert isinstance(raw, AsyncAPIResponse)
        assert (await raw.parse()).name == "echo"
        async with client.models.with_streaming_response.get(
            model_owner="acme", model_name="echo"
        ) as streamed:
            assert not streamed.is_closed
            assert (await streamed.parse()).url == "https://replicate.com/acme/echo"
        download = await client.files.download(file_id="f", expiry=1, owner="o", signature="s")
        assert isinstance(download, AsyncBinaryAPIResponse)
        assert await download.read() == b"bytes!"
        async with client.files.with_streaming_response.download(
            file_id="f", expiry=1, owner="o", signature="s"
        ) as streamed_file:
            assert isinstance(streamed_file, replicate._http.response.AsyncStreamedBinaryAPIResponse)
            await streamed_file.stream_to_file(tmp_path / "async.bin")
        assert (tmp_path / "async.bin").read_bytes() == b"bytes!"
