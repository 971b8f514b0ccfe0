"""The deprecated replicate.stream(): events as they come, errors, cut streams."""

from __future__ import annotations

import pytest

from replicate import ModelError
from replicate._stream import ServerSentEvent, StreamInterruptedError
from replicate.testing import Emulator


def test_stream_is_deprecated_in_favour_of_use_streaming(em: Emulator) -> None:
    with pytest.warns(DeprecationWarning, match=r"use\(ref, streaming=True\)"):
        events = list(em.client().stream("acme/tokens", input={"n": 2}))
    assert [str(e) for e in events] == ["t0 ", "t1 "]
    assert all(isinstance(e, ServerSentEvent) and e.event == "output" for e in events)


def test_stream_creates_with_stream_true_and_reads_the_event_stream(em: Emulator) -> None:
    with pytest.warns(DeprecationWarning):
        events = list(em.client().stream("acme/tokens", input={"n": 1}))
    assert [(e.event, e.data) for e in events] == [("output", "t0 ")]
    (create,) = em.seen("POST", "/predictions")
    assert b'"stream":true' in create.body.replace(b" ", b"")
    assert "Prefer" not in create.headers


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
        events = await client.stream("acme/tokens", input={"n": 2})
    assert [str(e) async for e in events] == ["t0 ", "t1 "]
    await client.close()
