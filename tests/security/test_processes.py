"""Clients across processes and event loops: a forked child opens its own connections, errors
cross process boundaries, one AsyncReplicate follows its event loop, a closed client says so."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import warnings
from typing import Any, Iterator, List

import pytest

import replicate
from replicate.testing import Emulator

from .conftest import FileServer


@pytest.fixture
def em() -> Iterator[Emulator]:
    emulator = Emulator()
    with emulator.serve():
        yield emulator


def _fork() -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "multi-threaded, fork() may deadlock"
        return os.fork()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.parametrize("own_pool", [True, False], ids=["default pool", "http_client="])
def test_a_forked_child_does_not_use_the_parent_s_connections(own_pool: bool) -> None:
    with FileServer() as server:
        http = None if own_pool else replicate.DefaultHttpxClient()
        client = replicate.Replicate(bearer_token="r8_x", base_url=server.url + "/v1", http_client=http)
        client.get("/one", cast_to=bytes)
        client.get("/two", cast_to=bytes)
        assert server.ports[0] == server.ports[1], "the parent reuses its pooled connection"
        pid = _fork()
        if pid == 0:  # the child: one request, then out without running the parent's cleanups
            code = 1
            try:
                code = 0 if client.get("/child", cast_to=bytes) == b"payload" else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        client.get("/three", cast_to=bytes)
    child = server.ports[server.paths.index("/v1/child")]
    assert child != server.ports[0], "the child sent on the parent's socket"
    assert server.ports[server.paths.index("/v1/three")] == server.ports[0], "the parent keeps its own"


def _get_missing(base_url: str, token: str) -> None:
    replicate.Replicate(bearer_token=token, base_url=base_url).predictions.get(prediction_id="missing")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_an_error_raised_in_a_pool_worker_reaches_the_parent(em: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pool = multiprocessing.get_context("fork").Pool(1)
    try:
        pending = pool.apply_async(_get_missing, (str(em.client().base_url), em.token))
        with pytest.raises(replicate.NotFoundError, match="missing"):
            pending.get(timeout=60)  # before the fix: unpicklable, the parent waited forever
    finally:
        pool.terminate()
        pool.join()


def test_asyncio_run_twice_with_one_client(em: Emulator) -> None:
    client = em.async_client()

    async def username() -> str:
        return (await client.account.get()).username

    assert asyncio.run(username()) == asyncio.run(username())  # the second loop opens its own connections


def test_asyncio_run_twice_over_aiohttp_is_one_clear_error(em: Emulator) -> None:
    client = em.async_client(http_client=replicate.DefaultAioHttpClient())

    async def first() -> str:
        return (await client.account.get()).username

    async def second() -> None:
        try:
            await client.account.get()
        finally:
            await client.close()

    assert asyncio.run(first()) == "emulator"
    with pytest.raises(replicate.ReplicateError, match=r"aiohttp.*each asyncio\.run"):
        asyncio.run(second())


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_one_async_client_in_two_running_loops_is_one_clear_error(em: Emulator, transport: str) -> None:
    http = replicate.DefaultAioHttpClient() if transport == "aiohttp" else None
    client = em.async_client(http_client=http)
    first_done, second_done = threading.Event(), threading.Event()
    errors: List[BaseException] = []

    async def hold_the_first_loop() -> None:
        await client.account.get()
        first_done.set()
        while not second_done.is_set():
            await asyncio.sleep(0.01)
        await client.close()

    async def use_from_the_second_loop() -> Any:
        return await client.account.get()

    holder = threading.Thread(target=asyncio.run, args=(hold_the_first_loop(),))
    holder.start()
    try:
        assert first_done.wait(30)
        before = len(em.requests)
        try:
            asyncio.run(use_from_the_second_loop())
        except BaseException as error:
            errors.append(error)
        assert len(em.requests) == before, "nothing was sent from the second loop"
    finally:
        second_done.set()
        holder.join(30)
    assert len(errors) == 1 and isinstance(errors[0], replicate.ReplicateError), errors
    assert "event loop" in str(errors[0]) and "running=True" in str(errors[0])


def test_a_closed_client_says_so_before_any_request(em: Emulator) -> None:
    client = em.client()
    client.close()
    async_client = em.async_client()
    asyncio.run(async_client.close())
    before = len(em.requests)
    with pytest.raises(replicate.ClientClosedError, match="closed"):
        client.predictions.get(prediction_id="p")
    with pytest.raises(replicate.ClientClosedError, match="closed"):
        client.run("replicate/hello-world", input={"text": "x"})
    with pytest.raises(replicate.ClientClosedError, match="closed"):
        asyncio.run(async_client.account.get())
    with pytest.raises(RuntimeError):  # what it raised before, still caught by the same code
        client.account.get()
    assert len(em.requests) == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_refuses_an_aiohttp_client_its_parent_used() -> None:
    with FileServer() as server:
        client = replicate.AsyncReplicate(
            bearer_token="r8_x", base_url=server.url + "/v1", http_client=replicate.DefaultAioHttpClient()
        )
        loop = asyncio.new_event_loop()
        loop.run_until_complete(client.get("/one", cast_to=bytes))
        pid = _fork()
        if pid == 0:  # the child: its aiohttp session holds the parent's socket, so no request
            code = 1
            try:
                asyncio.run(client.get("/child", cast_to=bytes))
            except replicate.ReplicateError as error:
                code = 0 if "forked" in str(error) else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert loop.run_until_complete(client.get("/two", cast_to=bytes)) == b"payload"
        loop.run_until_complete(client.close())
        loop.close()
    assert "/v1/child" not in server.paths
