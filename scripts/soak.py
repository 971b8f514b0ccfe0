#!/usr/bin/env python3
"""Soak: many run()s through one AsyncReplicate, concurrently, with faults injected.

    python scripts/soak.py [--runs 1000] [--concurrency 100] [--fault-rate 0.1]
                           [--fork-trials 0] [--pickle-rounds 0]
                           [--429-calls 0] [--endless-streams 0 --idle-check 1]

Checks: every output is right or the error says the prediction may exist; no input is
created twice; no call outlives its timeout; open sockets return to the baseline; RSS of the
last 100 calls is close to the first 100's. `--fork-trials N` also forks N times with a warm
connection pool, parent and child running at once, each checking it got its own outputs back;
`--pickle-rounds N` raises errors in a process pool N times, each reaching the parent whole and
without the token (`--runs 0` runs just those). The emulator runs in a child process, so sockets
and RSS are the client's alone (the emulator keeps every prediction and request it saw). Prints the figures; exits 1 if a check fails.

`--429-calls N` makes N calls to a server answering 429 "retry now" forever (a wait of 0, a
negative one, a past date, 1 ms): each must end as RateLimitError after a bounded number of
requests. `--endless-streams N` runs run() and use(streaming=True) N times on event streams that
ping and never say `done`: each must end soon after its prediction does (with `--runs 0`, just those).
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


# -- 429 loops: a server that always says "retry now" ---------------------------------------------------


def soak_429_loop(calls: int, concurrency: int) -> int:
    """Every call to a server answering 429 with a wait of 0, a negative one, a past date or 1 ms
    must end, as RateLimitError, after a bounded number of requests (issue 17, point 9)."""
    import email.utils
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from replicate._http.retry import MAX_RATE_LIMIT_RETRIES

    waits = [
        ("Retry-After", "0"),
        ("Retry-After", "-3"),
        ("Retry-After", email.utils.formatdate(time.time() - 3600, usegmt=True)),
        ("retry-after-ms", "1"),
    ]
    seen = {"requests": 0}
    lock = threading.Lock()

    class Throttle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with lock:
                seen["requests"] += 1
                name, value = waits[seen["requests"] % len(waits)]
            body = b'{"detail": "slow down"}'
            self.send_response(429)
            self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Throttle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    outcomes = {"rate_limited": 0, "other": 0}
    durations: List[float] = []

    async def all_calls() -> None:
        gate = asyncio.Semaphore(concurrency)
        async with replicate.AsyncReplicate(
            base_url=base_url, bearer_token="r8_soak", max_retries=1
        ) as client:

            async def one() -> None:
                async with gate:
                    started = time.monotonic()
                    try:
                        await client.account.get()
                        outcomes["other"] += 1
                    except replicate.RateLimitError:
                        outcomes["rate_limited"] += 1
                    except Exception:
                        outcomes["other"] += 1
                    durations.append(time.monotonic() - started)

            await asyncio.gather(*(one() for _ in range(calls)))

    started = time.monotonic()
    try:
        asyncio.run(asyncio.wait_for(all_calls(), timeout=300))
    finally:
        server.shutdown()
        server.server_close()
    bound = calls * (MAX_RATE_LIMIT_RETRIES + 1)
    print(f"429 loop: {calls} calls at concurrency {concurrency}: {time.monotonic() - started:.1f} s")
    print(
        f"outcomes: {outcomes}; requests {seen['requests']} (bound {bound}, {seen['requests'] / calls:.1f}/call)"
    )
    print(f"slowest call: {max(durations):.2f} s")
    failed = outcomes["other"] or seen["requests"] > bound or len(durations) != calls
    print("PASS" if not failed else "FAIL")
    return 1 if failed else 0


# -- endless streams: pings, never `done` ------------------------------------------------------------------


def soak_endless_stream(runs: int, idle_check: float) -> int:
    """run() and use(streaming=True) on event streams that stall into keep-alives must end soon
    after their prediction does, and give their sockets back (issue 17, point 10)."""
    import replicate._http.events
    from replicate._http.events import StreamInterruptedError

    replicate._http.events.STREAM_IDLE_CHECK = idle_check
    emulator = Emulator(wait_window=0.2)
    outcomes = {"run_ok": 0, "stream_interrupted": 0, "wrong": 0}
    durations: List[float] = []
    with emulator.serve():
        client = emulator.client()
        baseline = open_sockets()
        started = time.monotonic()
        for n in range(runs):
            emulator.faults.stall_stream(after_events=n % 3)
            began = time.monotonic()
            try:
                if n % 2:
                    chunks = list(
                        client.use("replicate/stream-tokens", streaming=True)(max_tokens=8, delay=0)
                    )
                    outcomes["wrong"] += 1  # a stalled stream cannot pass for a whole output
                    print(f"  run {n}: stream gave {chunks!r}")
                else:
                    output = client.run("replicate/sleep", input={"seconds": 0.3})
                    outcomes["run_ok" if output == "slept 0.3s" else "wrong"] += 1
            except StreamInterruptedError:
                outcomes["stream_interrupted"] += 1
            durations.append(time.monotonic() - began)
        elapsed = time.monotonic() - started
        client.close()
        time.sleep(0.5)  # the emulator (in this process) notices a gone client at its next ping
        after = open_sockets()
    stalls = sum(entry.startswith("stall") for entry in emulator.faults.injected)
    print(f"endless streams: {runs} runs, stream idle check {idle_check:g} s: {elapsed:.1f} s")
    print(f"outcomes: {outcomes}; stalled streams served: {stalls}")
    print(f"slowest run: {max(durations):.2f} s (a stalled stream pings for 60 s)")
    print(f"client sockets: baseline {baseline}, after close {after}")
    failed = outcomes["wrong"] or max(durations) > idle_check * 4 + 5 or after > baseline
    print("PASS" if not failed else "FAIL")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--fork-trials", type=int, default=0)
    parser.add_argument("--pickle-rounds", type=int, default=0)
    parser.add_argument("--429-calls", dest="calls_429", type=int, default=0)
    parser.add_argument("--endless-streams", type=int, default=0)
    parser.add_argument("--idle-check", type=float, default=1.0, help="--endless-streams: seconds")
    args = parser.parse_args()
    failed = 0
    if args.fork_trials or args.pickle_rounds:
        failed |= process_checks(args.fork_trials, args.pickle_rounds)
    if args.calls_429:
        failed |= soak_429_loop(args.calls_429, args.concurrency)
    if args.endless_streams:
        failed |= soak_endless_stream(args.endless_streams, args.idle_check)
    if args.runs:
        failed |= asyncio.run(soak(args.runs, args.concurrency, args.fault_rate, args.timeout))
    return failed


if __name__ == "__main__":
    sys.exit(main())
