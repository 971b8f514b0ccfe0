"""The deprecated replicate.stream(): events as they come, errors, cut streams."""

from __future__ import annotations

import pytest

from replicate import ModelError
from replicate._stream import ServerSentEvent, StreamInterruptedError

from .mini_api import MiniAPI


def test_stream_is_deprecated_in_favour_of_use_streaming(api: MiniAPI) -> None:
    with pytest.warns(DeprecationWarning, match=r"use\(ref, streaming=True\)"):
        events = api.client().stream("acme/tokens", input={"n": 2})
    assert [str(e) for e in events] == ["t0 ", "t1 "]
    assert all(isinstance(e, ServerSentEvent) and e.event == "output" for e in [])


def test_stream_creates_with_stream_true_and_reads_the_event_stream(api: MiniAPI) -> None:
    with pytest.warns(DeprecationWarning):
        events = list(api.client().stream("acme/tokens", input={"n": 1}))
    assert [(e.event, e.data) for e in events] == [("output", "t0 ")]
    (create,) = api.seen("POST", "/predictions")
    assert b'"stream":true' in create.body.replace(b" ", b"")
    assert "Prefer" not in create.headers


def test_an_error_event_raises_model_error(api: MiniAPI) -> None:
    with pytest.warns(DeprecationWarning), pytest.raises(ModelError, match="fell over"):
        list(api.client().stream("acme/fail", input={}))


def test_a_stream_cut_before_done_raises(api: MiniAPI) -> None:
    api.cut_streams = True
    with pytest.warns(DeprecationWarning), pytest.raises(StreamInterruptedError):
        list(api.client().stream("acme/tokens", input={"n": 2}))


@pytest.mark.anyio
async def test_async_stream(api: MiniAPI) -> None:
    client = api.async_client()
    with pytest.warns(DeprecationWarning):
        events = await client.stream("acme/tokens", input={"n": 2})
    assert [str(e) async for e in events] == ["t0 ", "t1 "]
    await client.close()
