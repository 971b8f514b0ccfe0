"""The measuring side: runs inside the interpreter being measured, one sample per command.

    PYTHON benchmarks/worker.py BASE_URL            # serve commands from scripts/bench
    PYTHON benchmarks/worker.py BASE_URL --once file_output sdk

scripts/bench keeps one worker per interpreter alive and sends it a JSON line per sample,
`{"scenario": "get", "contender": "floor" | "sdk", "arg": ...}`; the worker answers with
`{"value": ..., "extra": {...}}`. So contenders in different interpreters take turns within one
run, each with warm connections, and the machine's noise falls on all of them alike.

    contender "floor"   raw httpx doing the same HTTP work plus `json.loads`
    contender "sdk"     whichever `replicate` this interpreter has, through benchmarks/adapters.py

The first command of each (scenario, contender) runs once untimed first: imports, connection
pools and pydantic validators are warm before anything is measured.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adapters import TOKEN, detect

GETS = 2000
ASYNC_CONCURRENCY = 50
PREDICTIONS = 5000
TOKENS = 2000
CONCURRENT_RUNS = 200
RUN_SECONDS = 0.1
# One burst of 200 takes ~0.5-2 s here and swings +-40% from burst to burst (most of it is
# httpcore's pool re-scanning its queue, the same code for every contender): a sample is the
# throughput over a few bursts back to back.
BURSTS = 3
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def rss() -> int:
    """Resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * PAGE


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Worker:
    def __init__(self, base: str) -> None:
        self.base = base
        self.adapter = detect()
        self.loop = asyncio.new_event_loop()
        self.warm: set[Tuple[str, str]] = set()
        self._clients: Dict[str, Any] = {}

    # -- clients, made once -----------------------------------------------------------------

    def client(self, kind: str) -> Any:
        found = self._clients.get(kind)
        if found is None:
            if kind == "raw":
                found = httpx.Client(headers=AUTH)
            elif kind == "raw_async":
                found = self.loop.run_until_complete(self._in_loop(lambda: httpx.AsyncClient(headers=AUTH)))
            elif kind == "sdk":
                found = self.adapter.client(self.base)
            elif kind == "sdk_aiohttp":
                found = self.loop.run_until_complete(
                    self._in_loop(lambda: self.adapter.aiohttp_client(self.base))
                )
            else:
                found = self.loop.run_until_complete(
                    self._in_loop(lambda: self.adapter.async_client(self.base))
                )
            self._clients[kind] = found
        return found

    async def _in_loop(self, make: Callable[[], Any]) -> Any:
        return make()

    # -- the protocol ---------------------------------------------------------------------------

    def sample(self, scenario: str, contender: str, arg: Any = None, profile: bool = False) -> Dict[str, Any]:
        measure = getattr(self, f"{scenario}_{contender}")
        if (scenario, contender) not in self.warm:
            self.warm.add((scenario, contender))
            measure(arg)
        if profile:
            profiler = cProfile.Profile()
            result = profiler.runcall(measure, arg)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(
                os.environ.get("BENCH_PROFILE_SORT", "tottime")
            ).print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "25")))
            return {"value": 0, "profile": out.getvalue()}
        result = measure(arg)
        return result if isinstance(result, dict) else {"value": result}

    # -- predictions.get, sequential: µs per call ------------------------------------------------

    def get_floor(self, _: Any) -> float:
        http = self.client("raw")
        url = self.base + "/v1/predictions/q5jx2wbn7drm80cmaztatmsyzr"
        started = time.perf_counter()
        for _ in range(GETS):
            json.loads(http.get(url).content)
        return (time.perf_counter() - started) / GETS * 1e6

    def get_sdk(self, _: Any) -> float:
        client, get = self.client("sdk"), self.adapter.get
        started = time.perf_counter()
        for _ in range(GETS):
            get(client, "q5jx2wbn7drm80cmaztatmsyzr")
        return (time.perf_counter() - started) / GETS * 1e6

    def server_floor(self, _: Any) -> float:
        """The server alone: a raw socket on one keep-alive connection, no HTTP library."""
        request = (
            b"GET /v1/predictions/q5jx2wbn7drm80cmaztatmsyzr HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n"
        )
        host, port = self.base.rsplit("/", 1)[-1].split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = b""
            started = time.perf_counter()
            for _ in range(GETS):
                sock.sendall(request)
                while b"\r\n\r\n" not in buffer:
                    buffer += sock.recv(65536)
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                while len(buffer) < length:
                    buffer += sock.recv(65536)
                buffer = buffer[length:]
            return (time.perf_counter() - started) / GETS * 1e6

    # -- predictions.get, async at concurrency 50: µs per call ---------------------------------

    def _gather(self, call: Callable[[], Any]) -> float:
        async def worker(n: int) -> None:
            for _ in range(n):
                await call()

        async def all_of_them() -> float:
            share = GETS // ASYNC_CONCURRENCY
            started = time.perf_counter()
            await asyncio.gather(*(worker(share) for _ in range(ASYNC_CONCURRENCY)))
            return (time.perf_counter() - started) / GETS * 1e6

        return self.loop.run_until_complete(all_of_them())

    def get_async_floor(self, _: Any) -> float:
        http = self.client("raw_async")
        url = self.base + "/v1/predictions/q5jx2wbn7drm80cmaztatmsyzr"

        async def call() -> Any:
            return json.loads((await http.get(url)).content)

        return self._gather(call)

    def get_async_sdk(self, _: Any) -> float:
        client, get = self.client("sdk_async"), self.adapter.async_get
        return self._gather(lambda: get(client, "q5jx2wbn7drm80cmaztatmsyzr"))

    get_aiohttp_floor = get_async_floor

    def get_aiohttp_sdk(self, _: Any) -> Any:
        if not hasattr(self.adapter, "aiohttp_client"):
            return {"skip": f"{self.adapter.name} has no aiohttp client"}
        client, get = self.client("sdk_aiohttp"), self.adapter.async_get
        return self._gather(lambda: get(client, "q5jx2wbn7drm80cmaztatmsyzr"))

    # -- auto-paginate 5,000 predictions: seconds, and RSS growth while iterating ----------------

    def _walk(self, items: Iterator[Any]) -> Dict[str, Any]:
        count, samples = 0, []
        started = time.perf_counter()
        for _ in items:
            count += 1
            if count % 100 == 1:
                samples.append(rss())
        elapsed = time.perf_counter() - started
        assert count == PREDICTIONS, count
        return {"value": elapsed, "extra": {"rss_growth_mib": (max(samples) - samples[0]) / MIB}}

    def _raw_items(self) -> Iterator[Any]:
        http = self.client("raw")
        url = self.base + "/v1/predictions"
        while url:
            page = json.loads(http.get(url).content)
            yield from page["results"]
            url = page["next"]

    def paginate_floor(self, _: Any) -> Dict[str, Any]:
        return self._walk(self._raw_items())

    def paginate_sdk(self, _: Any) -> Dict[str, Any]:
        return self._walk(self.adapter.paginate(self.client("sdk")))

    def paginate_read_floor(self, _: Any) -> Dict[str, Any]:
        return self._walk(item["urls"]["get"] for item in self._raw_items())

    def paginate_read_sdk(self, _: Any) -> Dict[str, Any]:
        get_url = self.adapter.get_url
        return self._walk(get_url(item) for item in self.adapter.paginate(self.client("sdk")))

    # -- SSE, 2,000 tokens: ms to the first token and to the last ---------------------------------

    def _tokens(self, tokens: Iterator[str], started: float) -> Dict[str, Any]:
        first = 0.0
        count = 0
        for token in tokens:
            if not count:
                first = time.perf_counter() - started
            count += len(token) > 0
        total = time.perf_counter() - started
        assert count == TOKENS, count
        return {"value": total * 1000, "extra": {"first_ms": first * 1000}}

    def sse_floor(self, _: Any) -> Dict[str, Any]:
        http = self.client("raw")

        def tokens() -> Iterator[str]:
            created = http.post(
                self.base + "/v1/models/bench/tokens/predictions", json={"input": {}, "stream": True}
            )
            url = json.loads(created.content)["urls"]["stream"]
            headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
            with http.stream("GET", url, headers=headers) as response:
                event = ""
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "output":
                        yield line[5:].lstrip(" ")
                    elif event == "done":
                        return

        started = time.perf_counter()
        return self._tokens(tokens(), started)

    def sse_sdk(self, _: Any) -> Dict[str, Any]:
        client = self.client("sdk")
        started = time.perf_counter()
        return self._tokens(self.adapter.tokens(client, "bench/tokens", {}), started)

    # -- run(): ms from the model's end to run()'s return ------------------------------------------

    def run_latency_sdk(self, seconds: float) -> float:
        output = self.adapter.run(self.client("sdk"), "bench/sleep", {"seconds": seconds})
        return (time.monotonic() - float(str(output))) * 1000

    # -- 200 concurrent run()s of a 0.1 s model: runs per second -----------------------------------

    def _threads(self, call: Callable[[], Any]) -> float:
        errors: List[BaseException] = []

        def one() -> None:
            try:
                call()
            except BaseException as exc:
                errors.append(exc)

        elapsed = 0.0
        for _ in range(BURSTS):
            threads = [threading.Thread(target=one) for _ in range(CONCURRENT_RUNS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed += time.perf_counter() - started
            if errors:
                raise errors[0]
        return BURSTS * CONCURRENT_RUNS / elapsed

    def _create_and_wait(self, http: httpx.Client) -> Any:
        created = http.post(
            self.base + "/v1/models/bench/sleep/predictions",
            json={"input": {"seconds": RUN_SECONDS}},
            headers={"Prefer": "wait"},
            timeout=30,
        )
        return json.loads(created.content)["output"]

    def runs_threads_floor(self, _: Any) -> float:
        http = self.client("raw")
        return self._threads(lambda: self._create_and_wait(http))

    def runs_threads_sdk(self, _: Any) -> float:
        client, run = self.client("sdk"), self.adapter.run
        return self._threads(lambda: run(client, "bench/sleep", {"seconds": RUN_SECONDS}))

    def _tasks(self, call: Callable[[], Any]) -> float:
        async def all_of_them() -> float:
            elapsed = 0.0
            for _ in range(BURSTS):
                started = time.perf_counter()
                await asyncio.gather(*(call() for _ in range(CONCURRENT_RUNS)))
                elapsed += time.perf_counter() - started
            return BURSTS * CONCURRENT_RUNS / elapsed

        return self.loop.run_until_complete(all_of_them())

    def runs_async_floor(self, _: Any) -> float:
        http = self.client("raw_async")

        async def call() -> Any:
            created = await http.post(
                self.base + "/v1/models/bench/sleep/predictions",
                json={"input": {"seconds": RUN_SECONDS}},
                headers={"Prefer": "wait"},
                timeout=30,
            )
            return json.loads(created.content)["output"]

        return self._tasks(call)

    def runs_async_sdk(self, _: Any) -> float:
        client, run = self.client("sdk_async"), self.adapter.async_run
        return self._tasks(lambda: run(client, "bench/sleep", {"seconds": RUN_SECONDS}))

    # -- a 200 MB file output: peak RSS over the baseline, in a fresh process ----------------------

    def file_output(self, contender: str) -> Dict[str, Any]:
        """Run once per process: ru_maxrss only grows."""
        if contender == "floor":
            http = self.client("raw")
            http.get(self.base + "/v1/predictions/warm-up").read()

            def chunks() -> Iterator[bytes]:
                with http.stream("GET", self.base + "/files/big") as response:
                    yield from response.iter_bytes()

            make: Callable[[], Iterator[bytes]] = chunks
        else:
            client = self.client("sdk")
            self.adapter.run(client, "bench/sleep", {})  # the run machinery is imported and warm

            def make() -> Iterator[bytes]:
                return self.adapter.file_chunks(client, "bench/file")

        baseline = rss()
        total = 0
        started = time.perf_counter()
        for chunk in make():
            total += len(chunk)
        elapsed = time.perf_counter() - started
        assert total == 200 * MIB, total
        return {"value": (peak_rss() - baseline) / MIB, "extra": {"seconds": elapsed}}


def main() -> int:
    base = sys.argv[1]
    worker = Worker(base)
    if sys.argv[2:3] == ["--once"]:
        print(json.dumps(getattr(worker, sys.argv[3])(sys.argv[4])), flush=True)
        return 0
    hello = {
        # BENCH_CLIENT_NAME tells two checkouts of ours apart (`--python` pointing at another branch)
        "client": os.environ.get("BENCH_CLIENT_NAME", worker.adapter.name),
        "version": worker.adapter.version,
        "python": platform.python_version(),
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = worker.sample(
                command["scenario"], command["contender"], command.get("arg"), command.get("profile", False)
            )
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
