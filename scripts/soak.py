#!/usr/bin/env python3
"""Soak: many run()s through one AsyncReplicate, concurrently, with faults injected.

    python scripts/soak.py [--runs 1000] [--concurrency 100] [--fault-rate 0.1]
                           [--fork-trials 0] [--pickle-rounds 0]

Checks: every output is right or the error says the prediction may exist; no input is
created twice; no call outlives its timeout; open sockets return to the baseline; RSS of the
last 100 calls is close to the first 100's. `--fork-trials N` also forks N times with a warm
connection pool, parent and child running at once, each checking it got its own outputs back;
`--pickle-rounds N` raises errors in a process pool N times, each reaching the parent whole and
without the token (`--runs 0` runs just those). The emulator runs in a child process, so sockets
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


def _warm_client(base_url: str, token: str) -> replicate.Replicate:
    client = replicate.Replicate(base_url=base_url, bearer_token=token)
    client.run("replicate/hello-world", input={"text": "warm"})  # leaves a pooled connection
    return client


def _runs_right(client: replicate.Replicate, who: str, count: int) -> bool:
    return all(
        client.run("replicate/hello-world", input={"text": f"{who} {n}"}) == f"hello {who} {n}"
        for n in range(count)
    )


def check_fork(base_url: str, token: str, trials: int) -> int:
    """Fork `trials` times from a process with a warm pool; parent and child then run models at
    once. Returns how many trials went wrong (a side got the other's answer, or an error)."""
    import warnings

    client = _warm_client(base_url, token)
    wrong = 0
    for trial in range(trials):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork() in a threaded process
            pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = 0 if _runs_right(client, f"child {trial}", 5) else 1
            finally:
                os._exit(code)
        try:
            parent_right = _runs_right(client, f"parent {trial}", 5)
        except replicate.ReplicateError:
            parent_right = False
        _, status = os.waitpid(pid, 0)
        wrong += not (parent_right and os.waitstatus_to_exitcode(status) == 0)
    print(f"fork: {trials} trials with a warm pool, {wrong} where a side got a wrong answer or an error")
    return wrong


def _raise_in_worker(base_url: str, token: str, n: int) -> None:
    client = replicate.Replicate(base_url=base_url, bearer_token=token, max_retries=0)
    if n % 3 == 0:
        client.predictions.get(prediction_id=f"missing-{n}")  # NotFoundError
    elif n % 3 == 1:
        client.run("replicate/fail", input={})  # ModelError
    else:
        replicate.Replicate(base_url=base_url, bearer_token="r8_wrong" + token[8:]).account.get()


def check_pickling(base_url: str, token: str, rounds: int) -> int:
    """Raise errors in a process pool `rounds` times; each must reach the parent as the same type,
    and pickle without the token. Returns how many did not (a hang counts, after 30 s)."""
    import pickle
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pool = multiprocessing.get_context("fork").Pool(2)
    expected = (replicate.NotFoundError, replicate.ModelError, replicate.AuthenticationError)
    wrong = 0
    try:
        pending = [pool.apply_async(_raise_in_worker, (base_url, token, n)) for n in range(rounds)]
        for n, result in enumerate(pending):
            try:
                result.get(timeout=30)
                wrong += 1
            except expected[n % 3] as error:
                wrong += token.encode() in pickle.dumps(error)
            except Exception:  # a timeout (the parent could not read the error), or another type
                wrong += 1
    finally:
        try:
            pool.terminate()
            pool.join()
        except AssertionError:  # its result thread died on an error it could not unpickle
            wrong = max(wrong, 1)
    print(f"pickling: {rounds} errors raised in a process pool, {wrong} lost, mistyped or with the token")
    return wrong


def process_checks(fork_trials: int, pickle_rounds: int) -> int:
    """The fork and pickling checks, against an emulator of their own without faults."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_emulator, args=(theirs, 0.0))
    server.start()
    try:
        base_url, token = ours.recv()
        wrong = check_fork(base_url, token, fork_trials) + check_pickling(base_url, token, pickle_rounds)
    finally:
        server.terminate()
        server.join()
    print("PASS" if not wrong else "FAIL")
    return 1 if wrong else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--fork-trials", type=int, default=0)
    parser.add_argument("--pickle-rounds", type=int, default=0)
    args = parser.parse_args()
    failed = 0
    if args.fork_trials or args.pickle_rounds:
        failed |= process_checks(args.fork_trials, args.pickle_rounds)
    if args.runs:
        failed |= asyncio.run(soak(args.runs, args.concurrency, args.fault_rate, args.timeout))
    return failed


if __name__ == "__main__":
    sys.exit(main())
