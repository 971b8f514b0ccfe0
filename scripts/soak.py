#!/usr/bin/env python3
"""Soak: many run()s through one AsyncReplicate, concurrently, with faults injected.

    python scripts/soak.py [--runs 1000] [--concurrency 100] [--fault-rate 0.1]

Checks: every output is right or the error says the prediction may exist; no input is
created twice; no call outlives its timeout; open sockets return to the baseline; RSS of the
last 100 calls is close to the first 100's. The emulator runs in a child process, so sockets
and RSS are the client's alone (the emulator keeps every prediction and request it saw). Prints the figures; exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import replicate
from replicate.testing import Emulator


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def serve_emulator(conn: Connection, fault_rate: float) -> None:
    """The emulator in its own process, so the RSS and sockets measured below are the client's."""
    emulator = Emulator(wait_window=5)
    with emulator.serve() as base_url:
        emulator.faults.random(fault_rate, seed=42)
        conn.send((base_url, emulator.token))
        conn.recv()  # the client is done
        emulator.faults.clear()
        texts = [p.input.get("text") for p in emulator.predictions.values()]
        conn.send((texts, list(emulator.faults.injected)))


async def soak(runs: int, concurrency: int, fault_rate: float, timeout: float) -> int:
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_emulator, args=(theirs, fault_rate))
    server.start()
    try:
        base_url, token = ours.recv()
        baseline = open_sockets()
        gate = asyncio.Semaphore(concurrency)
        durations: List[float] = [0.0] * runs
        rss: List[float] = [0.0] * runs
        outcomes = {"ok": 0, "may_exist": 0, "wrong": 0, "other_error": 0}
        client = replicate.AsyncReplicate(
            base_url=base_url, bearer_token=token, max_retries=4, timeout=timeout
        )
        async with client:

            async def one(n: int) -> None:
                async with gate:
                    started = time.monotonic()
                    try:
                        output = await client.run("replicate/hello-world", input={"text": str(n)})
                        outcomes["ok" if output == f"hello {n}" else "wrong"] += 1
                    except replicate.APIError as error:
                        after_create = "/predictions/" in str(error.request.url)
                        outcomes[
                            "may_exist" if error.may_have_been_created or after_create else "other_error"
                        ] += 1
                    durations[n] = time.monotonic() - started
                    rss[n] = rss_mib()

            started = time.monotonic()
            await asyncio.gather(*(one(n) for n in range(runs)))
            elapsed = time.monotonic() - started
            during = open_sockets()
        after = open_sockets()
        ours.send("done")
        texts, injected = ours.recv()
    finally:
        server.terminate()
        server.join()
    duplicates = len(texts) - len(set(texts))
    first, last = sum(rss[:100]) / 100, sum(rss[-100:]) / 100
    print(f"runs {runs} at concurrency {concurrency}, fault rate {fault_rate:.0%}: {elapsed:.1f} s")
    print(f"outcomes: {outcomes}")
    print(f"predictions created: {len(texts)}, duplicated inputs: {duplicates}")
    print(f"faults injected: {len(injected)}")
    kinds = sorted({entry.split()[0] for entry in injected})
    print(f"fault kinds survived: {', '.join(kinds)}")
    print(f"slowest call: {max(durations):.2f} s (timeout {timeout:.0f} s)")
    print(f"client sockets: baseline {baseline}, during {during}, after close {after}")
    print(
        f"client RSS: first 100 calls {first:.1f} MiB, last 100 {last:.1f} MiB;"
        f" peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB"
    )
    failed = (
        outcomes["wrong"]
        or outcomes["other_error"]
        or duplicates
        or max(durations) > timeout
        or after > baseline
        or last > first * 1.1 + 2
    )
    print("PASS" if not failed else "FAIL")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    return asyncio.run(soak(args.runs, args.concurrency, args.fault_rate, args.timeout))


if __name__ == "__main__":
    sys.exit(main())
