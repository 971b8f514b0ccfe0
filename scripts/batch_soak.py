#!/usr/bin/env python3
"""Issue 13's targets, measured against the emulator (not part of the test suite).

    python scripts/batch_soak.py batch     # 300 inputs, real rate limits, 10% faults
    python scripts/batch_soak.py resume    # a journaled batch SIGKILLed mid-way, then resumed
    python scripts/batch_soak.py backlog   # 200 concurrent async runs, listen backlog of 5
    python scripts/batch_soak.py all

(1,000 `run()`s at 20% faults: `python scripts/soak.py --runs 1000 --fault-rate 0.2`.)
Each prints its figures and PASS or FAIL; the exit code is 1 if any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import replicate
from replicate.testing import Emulator
from replicate.testing._limits import RateLimits


def api_requests(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.path.startswith("/v1/") and "/streams/" not in r.path)


def duplicates(emulator: Emulator, key: str) -> int:
    counts = Counter(str(p.input.get(key)) for p in emulator.predictions.values())
    return sum(n - 1 for n in counts.values() if n > 1)


class _Count(logging.Handler):
    """Counts the client's retries after a 429 (its `replicate` log lines)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.throttled = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.throttled += record.getMessage().endswith("after 429")


def batch(
    inputs: int = 300,
    fault_rate: float = 0.1,
    limits: RateLimits = RateLimits(),
    label: str = "real rate limits (600 creates, 3,000 others a minute)",
    **options: Any,
) -> bool:
    """300 inputs through run_many under the rate limits, with faults."""
    emulator = Emulator(wait_window=5, rate_limits=limits)
    counter = _Count()
    logger = logging.getLogger("replicate")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    with emulator.serve():
        emulator.faults.random(fault_rate, seed=13)
        client = emulator.client(max_retries=4)
        started = time.monotonic()
        rows = ({"text": str(n)} for n in range(inputs))
        results = list(client.run_many("replicate/hello-world", rows, concurrency=20, **options))
        elapsed = time.monotonic() - started
        emulator.faults.clear()
        ok = sum(1 for r, n in zip(results, range(inputs)) if r.ok and r.output == f"hello {n}")
        made = len(emulator.predictions)
        dup = duplicates(emulator, "text")
        requests = api_requests(emulator)
        injected = sum(1 for entry in emulator.faults.injected if entry.startswith("429"))
    logger.removeHandler(counter)
    per = requests / max(made, 1)
    print(f"batch: {inputs} inputs, fault rate {fault_rate:.0%}, {label}: {elapsed:.1f} s")
    print(f"  correct {ok}/{inputs}; predictions {made}; duplicates {dup}")
    print(
        f"  API requests {requests} = {per:.2f} per prediction; faults injected {len(emulator.faults.injected)}"
    )
    print(f"  429s from the rate limits: {counter.throttled - injected} (and {injected} injected as faults)")
    passed = ok == inputs and dup == 0 and made == inputs and per <= 3
    print("  PASS" if passed else "  FAIL")
    return passed


_KILLED_BATCH = """
import sys, replicate
client = replicate.Replicate(base_url=sys.argv[1], bearer_token=sys.argv[2])
rows = ({"seconds": 0.3, "n": n} for n in range(int(sys.argv[4])))
for result in client.run_many("emulator/slow", rows, concurrency=8, journal=sys.argv[3]):
    print(result.index, result.ok, flush=True)
"""


def resume(inputs: int = 200, kills: int = 3) -> bool:
    """A journaled batch SIGKILLed `kills` times at random moments, then run to the end."""
    import random

    emulator = Emulator(wait_window=1)

    @emulator.model("emulator/slow")
    def slow(seconds: float = 0.1, n: int = 0) -> str:  # pyright: ignore[reportUnusedFunction]
        time.sleep(seconds)
        return f"done {n}"

    chance = random.Random(13)
    with emulator.serve(), tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "batch.py")
        script.write_text(_KILLED_BATCH)
        journal = str(Path(tmp, "batch.journal"))
        command = [sys.executable, str(script), emulator.base_url, emulator.token, journal, str(inputs)]
        for _ in range(kills):
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            time.sleep(chance.uniform(0.5, 2.5))
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        final = subprocess.run(command, capture_output=True, text=True, timeout=600)
        lines = final.stdout.split("\n")
        good = [line for line in lines if line.endswith(" True")]
        made = Counter(int(p.input["n"]) for p in emulator.predictions.values())
    once = sum(1 for n in range(inputs) if made[n] == 1)
    print(f"resume: {inputs} inputs, killed {kills} times (SIGKILL), then run to the end")
    print(f"  final run: {len(good)}/{inputs} results ok; exit {final.returncode}")
    print(
        f"  inputs created exactly once: {once}/{inputs}; twice or more: {sum(1 for c in made.values() if c > 1)}"
    )
    passed = once == inputs and len(good) == inputs and final.returncode == 0
    print("  PASS" if passed else "  FAIL")
    return passed


class ShortBacklogProxy:
    """A TCP front for the emulator with a listen backlog of 5, accepting one connection at a time
    (slowly, like a busy single-threaded server): connections beyond the backlog are reset by the
    kernel before anything reads them (net.ipv4.tcp_abort_on_overflow decides how)."""

    def __init__(self, upstream: int, backlog: int = 5) -> None:
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(backlog)
        self.port = self.listener.getsockname()[1]
        self.resets = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            time.sleep(0.002)  # a busy accept loop: the backlog fills under a burst
            threading.Thread(target=self._pipe_pair, args=(client,), daemon=True).start()

    def _pipe_pair(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.upstream))
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


class ResettingProxy(ShortBacklogProxy):
    """As above, but a connection accepted while 5 others are being set up is reset at once (what
    a full backlog does with tcp_abort_on_overflow=1), before anything reads it."""

    def __init__(self, upstream: int, backlog: int = 5) -> None:
        self.opening = 0
        self.lock = threading.Lock()
        super().__init__(upstream, backlog)

    def _accept(self) -> None:
        import struct

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                full = self.opening >= 5
                if not full:
                    self.opening += 1
            if full:
                self.resets += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()  # RST, the request unread
                continue
            threading.Thread(target=self._opened, args=(client,), daemon=True).start()

    def _opened(self, client: socket.socket) -> None:
        time.sleep(0.01)
        with self.lock:
            self.opening -= 1
        self._pipe_pair(client)


def backlog(runs: int = 200) -> bool:
    """200 async runs at once through a front with a listen backlog of 5 that resets the excess."""
    # One page holds every listing: the emulator's next-page links name its own port, not the front's.
    emulator = Emulator(wait_window=5, page_size=1000)
    with emulator.serve():
        upstream = int(emulator.base_url.rsplit(":", 1)[1].split("/")[0])
        proxy = ResettingProxy(upstream)
        base_url = f"http://127.0.0.1:{proxy.port}/v1"
        errors: Dict[str, int] = Counter()

        async def main() -> List[Any]:
            async with replicate.AsyncReplicate(
                base_url=base_url, bearer_token=emulator.token, max_retries=6
            ) as client:

                async def one(n: int) -> Any:
                    try:
                        return await client.run("replicate/hello-world", input={"text": str(n)})
                    except replicate.ReplicateError as error:
                        errors[f"{type(error).__name__}: {str(error)[:90]}"] += 1
                        return error

                return await asyncio.gather(*(one(n) for n in range(runs)))

        started = time.monotonic()
        outputs = asyncio.run(main())
        elapsed = time.monotonic() - started
        proxy.close()
        ok = sum(1 for n, out in enumerate(outputs) if out == f"hello {n}")
        dup = duplicates(emulator, "text")
        lists = sum(
            1 for r in emulator.requests if r.method == "GET" and r.path.split("?")[0] == "/v1/predictions"
        )
    print(f"backlog: {runs} async runs at once, listen backlog 5 (excess reset unread): {elapsed:.1f} s")
    print(f"  correct {ok}/{runs}; duplicates {dup}; connections reset {proxy.resets}; list requests {lists}")
    print(f"  errors: {dict(errors) or 'none'}")
    passed = ok == runs and dup == 0
    print("  PASS" if passed else "  FAIL")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "scenario", choices=["batch", "batch-small-burst", "batch-overpaced", "resume", "backlog", "all"]
    )
    args = parser.parse_args()
    scenarios = {
        "batch": batch,
        "batch-small-burst": lambda: batch(
            limits=RateLimits(creates=10, others=50, per=1), label="the same rates with a burst of 10 creates"
        ),
        "batch-overpaced": lambda: batch(
            limits=RateLimits(creates=10, others=50, per=1),
            creates_per_minute=1200,
            label="a batch told to create twice as fast as the API allows",
        ),
        "resume": resume,
        "backlog": backlog,
    }
    chosen = list(scenarios.values()) if args.scenario == "all" else [scenarios[args.scenario]]
    return 0 if all([scenario() for scenario in chosen]) else 1


if __name__ == "__main__":
    sys.exit(main())
