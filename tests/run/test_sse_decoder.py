"""The incremental server-sent-event decoder: events come out as soon as they complete."""

from __future__ import annotations

import random

from replicate._http.events import ServerSentEvent, SSEDecoder

STREAM = (
    b"id: 1\nevent: output\ndata: Hello\n\n"
    b"event: logs\r\ndata: step 1\r\n\r\n"
    b": keep-alive comment\n\n"
    b"event: output\rdata: line one\rdata: line two\r\r"
    b"id: 4\nevent: output\ndata: caf\xc3\xa9 \xe2\x9c\x93\n\n"
    b"event: done\ndata: {}\n\n"
)
EXPECTED = [
    ServerSentEvent("output", "Hello", "1"),
    ServerSentEvent("logs", "step 1", "1"),
    ServerSentEvent("output", "line one\nline two", "1"),
    ServerSentEvent("output", "café ✓", "4"),
    ServerSentEvent("done", "{}", "4"),
]


def decode_in_chunks(data: bytes, sizes: list[int]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    position = 0
    for size in sizes:
        events += decoder.feed(data[position : position + size])
        position += size
    events += decoder.feed(data[position:])
    events += decoder.end()
    return events


def test_decodes_a_whole_stream_fed_at_once() -> None:
    assert decode_in_chunks(STREAM, []) == EXPECTED


def test_decodes_the_same_events_whatever_the_chunk_boundaries() -> None:
    # One byte at a time splits CRLF pairs, UTF-8 characters and field names.
    assert decode_in_chunks(STREAM, [1] * len(STREAM)) == EXPECTED
    rng = random.Random(7)
    for _ in range(50):
        sizes = [rng.randint(1, 9) for _ in range(len(STREAM) // 3)]
        assert decode_in_chunks(STREAM, sizes) == EXPECTED


def test_emits_an_event_as_soon_as_its_blank_line_arrives() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: output\ndata: hel") == []
    assert decoder.feed(b"lo\n") == []
    assert decoder.feed(b"\n") == [ServerSentEvent("output", "hello")]


def test_drops_an_event_cut_off_before_its_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: output\ndata: partial\n") == []
    assert decoder.end() == []


def test_defaults_the_event_name_to_message_and_keeps_the_last_id() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b"\xef\xbb\xbfid: 7\ndata: x\n\ndata:y\n\n")
    assert events == [ServerSentEvent("message", "x", "7"), ServerSentEvent("message", "y", "7")]


def test_reads_retry_and_ignores_unknown_fields() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 1500\nfoo: bar\nevent: output\ndata\n\n") == [
        ServerSentEvent("output", "", None, 1500)
    ]


def test_splits_a_field_at_its_first_colon_and_strips_one_space() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data:a: b\ndata:  c\ndata: :d\nevent:output\n\n") == [
        ServerSentEvent("output", "a: b\n c\n:d")
    ]


def test_keeps_a_long_line_in_linear_time() -> None:
    decoder = SSEDecoder()
    piece = b"x" * 1000
    assert decoder.feed(b"event: output\ndata: ") == []
    for _ in range(2000):
        assert decoder.feed(piece) == []
    (event,) = decoder.feed(b"\n\n")
    assert len(event.data) == 2_000_000


def test_str_of_an_event_is_its_output_text() -> None:
    assert str(ServerSentEvent("output", "token")) == "token"
    assert str(ServerSentEvent("logs", "a log line")) == ""
    assert ServerSentEvent("done", '{"reason": "canceled"}').json() == {"reason": "canceled"}
