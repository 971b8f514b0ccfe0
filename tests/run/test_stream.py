"""The deprecated replicate.stream() and use(ref, streaming=True): the output's text chunks as they
come, errors, cut streams, and models whose output does not stream (no stream URL, or a stream
that carries only `done`)."""

from __future__ import annotations

from typing import Iterator

import pytest

from core.scripted_server import ScriptedServer, done_only_script  # tests/ is on sys.path: tests/conftest.py
from replicate import ModelError, Replicate
from replicate._http.events import StreamInterruptedError
from replicate._running.file_output import PathOutput
from replicate.testing import Emulator


def test_stream_is_deprecated_in_favour_of_use_streaming(em: Emulator) -> None:
    with pytest.warns(DeprecationWarning, match=r"use\(ref, streaming=True\)"):
        chunks = list(em.client().stream("acme/tokens", input={"n": 2}))
    assert chunks == ["t0 ", "t1 "]
    assert all(type(chunk) is str for chunk in chunks)


def test_stream_creates_with_stream_true_and_reads_the_event_stream(em: Emulator) -> None:
    with pytest.warns(DeprecationWarning):
        chunks = list(em.client().stream("acme/tokens", input={"n": 1}))
    assert chunks == ["t0 "]
    (create,) = em.seen("POST", "/predictions")
    assert b'"stream":true' in create.body.replace(b" ", b"")
    assert "Prefer" not in create.headers


def test_stream_leaves_logs_out(em: Emulator) -> None:
    @em.model("acme/chatty")
    def chatty() -> Iterator[str]:
        print("a log line")
        yield "only "
        print("another log line")
        yield "output"

    with pytest.warns(DeprecationWarning):
        assert list(em.client().stream("acme/chatty", input={})) == ["only ", "output"]


@pytest.mark.anyio
async def test_async_stream_leaves_logs_out(em: Emulator) -> None:
    @em.model("acme/chatty")
    def chatty() -> Iterator[str]:
        print("a log line")
        yield "only "
        print("another log line")
        yield "output"

    async with em.async_client() as client:
        with pytest.warns(DeprecationWarning):
            chunks = await client.stream("acme/chatty", input={})
        assert [chunk async for chunk in chunks] == ["only ", "output"]
        streamed = await client.use("acme/chatty", streaming=True)()
        assert [chunk async for chunk in streamed] == ["only ", "output"]


def test_an_error_event_raises_model_error(em: Emulator) -> None:
    with pytest.warns(DeprecationWarning), pytest.raises(ModelError, match="fell over"):
        list(em.client().stream("acme/fail", input={}))


def test_a_stream_cut_before_done_raises(em: Emulator) -> None:
    em.faults.cut_stream(after_events=2)  # both chunks, not the `done`
    with pytest.warns(DeprecationWarning), pytest.raises(StreamInterruptedError):
        list(em.client().stream("acme/tokens", input={"n": 2}))


@pytest.mark.anyio
async def test_async_stream(em: Emulator) -> None:
    client = em.async_client()
    with pytest.warns(DeprecationWarning):
        chunks = await client.stream("acme/tokens", input={"n": 2})
    assert [chunk async for chunk in chunks] == ["t0 ", "t1 "]
    await client.close()


# -- models whose output does not stream: the whole output, once ---------------------------------


@pytest.fixture(params=["no stream URL", "emulator stream"])
def unstreamed(request: pytest.FixtureRequest, em: Emulator) -> Emulator:
    """The emulator as it is (its non-iterator models' streams), and without stream URLs."""
    em.stream_urls = request.param == "emulator stream"
    return em


def test_stream_gives_a_non_iterator_output_whole(unstreamed: Emulator) -> None:
    client = unstreamed.client()
    with pytest.warns(DeprecationWarning):
        assert list(client.stream("acme/echo", input={"text": "hi"})) == ["echo hi"]
    with pytest.warns(DeprecationWarning):
        (url,) = client.stream("acme/image", input={"size": 2})
    assert url.startswith("http://localhost:") and url.endswith("/image.png")


def test_use_streaming_gives_a_non_iterator_output_whole(unstreamed: Emulator) -> None:
    client = unstreamed.client()
    assert list(client.use("acme/echo", streaming=True)(text="hi")) == ["echo hi"]
    (image,) = client.use("acme/image", streaming=True)(size=2)
    assert isinstance(image, PathOutput) and str(image).endswith("/image.png")


def test_iterator_outputs_still_stream_without_a_stream_url(unstreamed: Emulator) -> None:
    assert list(unstreamed.client().use("acme/tokens", streaming=True)(n=2, delay=0)) == ["t0 ", "t1 "]


@pytest.mark.anyio
async def test_async_streams_give_a_non_iterator_output_whole(unstreamed: Emulator) -> None:
    async with unstreamed.async_client() as client:
        assert [c async for c in client.use("acme/echo", streaming=True)(text="a")] == ["echo a"]
        # v2 code awaits the call first: both forms work
        assert [c async for c in await client.use("acme/echo", streaming=True)(text="v2")] == ["echo v2"]
        with pytest.warns(DeprecationWarning):
            chunks = await client.stream("acme/echo", input={"text": "b"})
        assert [c async for c in chunks] == ["echo b"]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    yield from ScriptedServer().serve()


def test_a_stream_that_carries_only_done_gives_the_whole_output(server: ScriptedServer) -> None:
    client = Replicate(bearer_token="r8_test", base_url=server.base_url)
    server.queue(*done_only_script(server, "hello world"))
    assert list(client.use("acme/hello", streaming=True)()) == ["hello world"]
    server.queue(*done_only_script(server, ["a", {"b": 1}])[1:])
    with pytest.warns(DeprecationWarning):
        assert list(client.stream("acme/hello", input={})) == ["a", '{"b": 1}']
    assert [r.path for r in server.requests][-3:] == [
        "/v1/models/acme/hello/predictions",
        "/v1/streams/p1",
        "/v1/predictions/p1",
    ]


@pytest.mark.anyio
async def test_async_a_stream_that_carries_only_done_gives_the_whole_output(server: ScriptedServer) -> None:
    from replicate import AsyncReplicate

    server.queue(*done_only_script(server, "hello async"))
    async with AsyncReplicate(bearer_token="r8_test", base_url=server.base_url) as client:
        assert [c async for c in client.use("acme/hello", streaming=True)()] == ["hello async"]
