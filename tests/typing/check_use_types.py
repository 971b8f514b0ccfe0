"""Type-checked (not run) by pyright in CI: `use()` is typed by `hint=`, as in Replicate's v2 SDK
(`Function[(text: str), str]`, and `Iterator[str]` chunks when streaming).

A wrong call is checked with an ignore comment: this file reports an ignore that is not needed.
"""
# pyright: reportUnnecessaryTypeIgnoreComment=true

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Iterator, List

from typing_extensions import assert_type

import replicate
from replicate import AsyncReplicate, Replicate
from replicate._running.use import AsyncFunction, AsyncRun, Function, Run


def hello(text: str) -> str: ...


def llm(prompt: str, max_tokens: int = 64) -> str: ...


def sync_use(client: Replicate) -> None:
    fn = replicate.use("replicate/hello-world", hint=hello)
    assert_type(fn(text="world"), str)
    fn(txt="world")  # pyright: ignore[reportCallIssue]
    fn(text=1)  # pyright: ignore[reportArgumentType]
    typed: Function[[str], str] = fn  # generic in the inputs and the output
    wrong: Function[[int], str] = fn  # pyright: ignore[reportAssignmentType]
    del typed, wrong
    assert_type(fn.create(text="later"), Run[str])
    assert_type(fn.create(text="later").output(), str)
    streamed = replicate.use("meta/llama", hint=llm, streaming=True)
    assert_type(streamed(prompt="hi"), Iterator[str])
    for chunk in streamed(prompt="hi", max_tokens=8):
        assert_type(chunk, str)
    untyped = replicate.use("acme/anything")
    assert_type(untyped(anything=1), Any)
    assert_type(replicate.use("acme/anything", streaming=True)(x=1), Iterator[Any])
    assert_type(client.use("replicate/hello-world", hint=hello)(text="a"), str)
    assert_type(client.use("meta/llama", hint=llm, streaming=True)(prompt="a"), Iterator[str])
    assert_type(replicate.get_path_url(fn), "str | None")
    assert_type(list(replicate.stream("meta/llama", input={})), List[str])


async def async_use(client: AsyncReplicate) -> None:
    fn = replicate.use("replicate/hello-world", hint=hello, use_async=True)
    assert_type(fn(text="world"), Awaitable[str])
    fn(txt="world")  # pyright: ignore[reportCallIssue]
    assert_type(await fn(text="world"), str)
    assert_type(await fn.create(text="later"), AsyncRun[str])
    streamed = client.use("meta/llama", hint=llm, streaming=True)
    assert_type(streamed(prompt="hi"), Awaitable[AsyncIterator[str]])
    typed: AsyncFunction[[str, int], AsyncIterator[str]] = streamed
    wrong: AsyncFunction[[str, int], AsyncIterator[int]] = streamed  # pyright: ignore[reportAssignmentType]
    del typed, wrong
    async for chunk in await streamed(prompt="hi"):
        assert_type(chunk, str)
    assert_type(await client.use("replicate/hello-world", hint=hello)(text="a"), str)
    assert_type(await replicate.use("acme/x", client=client)(a=1), Any)
    chunks = await client.stream("meta/llama", input={})
    assert_type(chunks, AsyncIterator[str])
