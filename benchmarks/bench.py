"""Scenarios measured side by side with their floor (raw httpx doing the same work).

    python benchmarks/bench.py [--rounds 5] [--only get_sync,paginate] [--results benchmarks/RESULTS.md]

The lean server (benchmarks/server.py) runs in its own process. Contenders are interleaved
round by round; the table reports medians and ratios. Import cost: scripts/import_cost.py;
run() latency against the emulator: benchmarks/run_latency.py.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import replicate  # noqa: E402

TOKEN = "r8_bench"
Result = Tuple[str, float, float, str, bool]  # scenario, floor, ours, unit, lower_is_better


def start_server() -> Tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "server.py")], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}"


def interleave(rounds: int, **contenders: Callable[[], float]) -> Dict[str, float]:
    samples: Dict[str, List[float]] = {name: [] for name in contenders}
    for measure in contenders.values():
        measure()  # warm-up: lazy imports, connection pools, pydantic validators
    for _ in range(rounds):
        for name, measure in contenders.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def get_sync(base: str, rounds: int) -> Result:
    n = 400
    raw = httpx.Client()
    ours = replicate.Replicate(base_url=base + "/v1", bearer_token=TOKEN)
    url = base + "/v1/predictions/p1"

    def floor() -> float:
        started = time.perf_counter()
        for _ in range(n):
            json.loads(raw.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).content)
        return (time.perf_counter() - started) / n * 1e6

    def sdk() -> float:
        started = time.perf_counter()
        for _ in range(n):
            ours.predictions.get(prediction_id="p1")
        return (time.perf_counter() - started) / n * 1e6

    got = interleave(rounds, floor=floor, sdk=sdk)
    return ("predictions.get, sequential (µs/call)", got["floor"], got["sdk"], "µs", True)


def get_async(base: str, rounds: int) -> Result:
    n, concurrency = 2000, 50

    async def run(call: Callable[[], asyncio.Future[object]]) -> float:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                await call()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return (time.perf_counter() - started) / n * 1e6

    async def measure() -> Dict[str, float]:
        raw = httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=100))
        ours = replicate.AsyncReplicate(base_url=base + "/v1", bearer_token=TOKEN)
        url = base + "/v1/predictions/p1"

        async def raw_call() -> object:
            return json.loads((await raw.get(url, headers={"Authorization": f"Bearer {TOKEN}"})).content)

        samples: Dict[str, List[float]] = {"floor": [], "sdk": []}
        for _ in range(rounds):
            samples["floor"].append(await run(raw_call))  # type: ignore[arg-type]
            samples["sdk"].append(await run(lambda: ours.predictions.get(prediction_id="p1")))  # type: ignore[arg-type,return-value]
        return {k: statistics.median(v) for k, v in samples.items()}

    got = asyncio.run(measure())
    return ("predictions.get, async at concurrency 50 (µs/call)", got["floor"], got["sdk"], "µs", True)


def paginate(base: str, rounds: int) -> Result:
    raw = httpx.Client()
    ours = replicate.Replicate(base_url=base + "/v1", bearer_token=TOKEN)

    def floor() -> float:
        started = time.perf_counter()
        url = base + "/v1/predictions"
        count = 0
        while url:
            page = json.loads(raw.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).content)
            count += len(page["results"])
            url = page["next"]
        assert count == 5000
        return time.perf_counter() - started

    def sdk() -> float:
        started = time.perf_counter()
        assert sum(1 for _ in ours.predictions.list()) == 5000
        return time.perf_counter() - started

    got = interleave(rounds, floor=floor, sdk=sdk)
    return ("auto-paginate 5,000 predictions (s)", got["floor"], got["sdk"], "s", True)


def sse(base: str, rounds: int) -> List[Result]:
    raw = httpx.Client()
    ours = replicate.Replicate(base_url=base + "/v1", bearer_token=TOKEN)
    firsts: Dict[str, List[float]] = {"floor": [], "sdk": []}

    def floor() -> float:
        started = time.perf_counter()
        created = raw.post(
            base + "/v1/models/bench/tokens/predictions",
            json={"input": {}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).json()
        count = 0
        with raw.stream("GET", created["urls"]["stream"], headers={"Accept": "text/event-stream"}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data: t"):
                    if not count:
                        firsts["floor"].append(time.perf_counter() - started)
                    count += 1
        assert count == 2000
        return time.perf_counter() - started

    def sdk() -> float:
        started = time.perf_counter()
        count = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for event in ours.stream("bench/tokens", input={}):
                if str(event).startswith("t"):
                    if not count:
                        firsts["sdk"].append(time.perf_counter() - started)
                    count += 1
        assert count == 2000, count
        return time.perf_counter() - started

    got = interleave(rounds, floor=floor, sdk=sdk)
    return [
        (
            "SSE 2,000 tokens: first token (ms)",
            statistics.median(firsts["floor"]) * 1000,
            statistics.median(firsts["sdk"]) * 1000,
            "ms",
            True,
        ),
        ("SSE 2,000 tokens: total (ms)", got["floor"] * 1000, got["sdk"] * 1000, "ms", True),
    ]


def concurrent_runs(base: str, rounds: int) -> Result:
    n = 200
    raw = httpx.Client(limits=httpx.Limits(max_connections=200, max_keepalive_connections=200))
    ours = replicate.Replicate(
        base_url=base + "/v1",
        bearer_token=TOKEN,
        http_client=replicate.DefaultHttpxClient(
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=200)
        ),
    )

    def threads(call: Callable[[], object]) -> float:
        workers = [threading.Thread(target=call) for _ in range(n)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return n / (time.perf_counter() - started)

    def raw_run() -> object:
        return raw.post(
            base + "/v1/models/bench/model/predictions",
            json={"input": {"seconds": 0.1}},
            headers={"Authorization": f"Bearer {TOKEN}", "Prefer": "wait"},
        ).json()["output"]

    got = interleave(
        rounds,
        floor=lambda: threads(raw_run),
        sdk=lambda: threads(lambda: ours.run("bench/model", input={"seconds": 0.1})),
    )
    return ("200 concurrent run()s, threads, 0.1 s model (runs/s)", got["floor"], got["sdk"], "runs/s", False)


FILE_SCRIPT = """
import sys, resource
sys.path.insert(0, {src!r})
import httpx, replicate
from replicate import FileOutput
base = {base!r}
client = replicate.Replicate(base_url=base + "/v1", bearer_token="r8_bench")
client.hardware  # warm the imports before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
total = 0
if {ours!r}:
    for chunk in FileOutput(base + "/v1/files/big", client):
        total += len(chunk)
else:
    with httpx.stream("GET", base + "/v1/files/big") as response:
        for chunk in response.iter_bytes():
            total += len(chunk)
assert total == 200 * 2**20
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


def file_output(base: str, rounds: int) -> Result:
    def measure(ours: bool) -> float:
        code = FILE_SCRIPT.format(src=str(ROOT / "src"), base=base, ours=ours)
        return float(
            subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        )

    got = interleave(max(1, rounds // 2), floor=lambda: measure(False), sdk=lambda: measure(True))
    return (
        "iterate a 200 MB FileOutput: peak RSS over baseline (MiB)",
        got["floor"],
        got["sdk"],
        "MiB",
        True,
    )


SCENARIOS = {
    "get_sync": get_sync,
    "get_async": get_async,
    "paginate": paginate,
    "sse": sse,
    "concurrent_runs": concurrent_runs,
    "file_output": file_output,
}

TARGETS = {
    "predictions.get, sequential (µs/call)": ("≤ 1.10x", lambda r: r <= 1.10),
    "predictions.get, async at concurrency 50 (µs/call)": ("≤ 1.25x", lambda r: r <= 1.25),
    "auto-paginate 5,000 predictions (s)": ("≤ 1.25x", lambda r: r <= 1.25),
    "SSE 2,000 tokens: first token (ms)": ("≤ 1.25x", lambda r: r <= 1.25),
    "SSE 2,000 tokens: total (ms)": ("≤ 1.25x", lambda r: r <= 1.25),
    "200 concurrent run()s, threads, 0.1 s model (runs/s)": ("≥ 0.9x throughput", lambda r: r >= 0.9),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--results", default="")
    args = parser.parse_args()
    chosen = [s for s in args.only.split(",") if s] or list(SCENARIOS)
    server, base = start_server()
    rows: List[Result] = []
    try:
        for name in chosen:
            result = SCENARIOS[name](base, args.rounds)
            for row in result if isinstance(result, list) else [result]:
                rows.append(row)
                print(f"{row[0]}: floor {row[1]:.2f}, ours {row[2]:.2f} {row[3]}", flush=True)
    finally:
        server.terminate()
    lines = [
        "| scenario | floor (raw httpx) | ours | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for scenario, floor, ours, unit, _lower in rows:
        ratio = ours / floor if floor else 1.0
        if unit == "MiB":
            target, met = "≤ 20 MiB", ours <= 20
        else:
            target, check = TARGETS[scenario]
            met = check(ratio)
        lines.append(
            f"| {scenario} | {floor:.2f} | {ours:.2f} | {ratio:.2f}x | {target} | {'yes' if met else 'NO'} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.results:
        machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        Path(args.results).write_text(
            f"# Benchmark results\n\nMeasured {stamp} on {machine}, against the lean loopback server in"
            f" benchmarks/server.py (its own process), {args.rounds} interleaved rounds, medians.\n\n{table}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
