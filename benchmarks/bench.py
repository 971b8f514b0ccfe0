"""Run the benchmark scenarios side by side and keep benchmarks/RESULTS.md up to date.

    scripts/bench                          # every scenario: ours, the floor, and the published
                                           # clients found in benchmarks/.envs/*
    scripts/bench get paginate             # a named subset (the other rows of RESULTS.md stay)
    scripts/bench --python PATH [...]      # measure the `replicate` of another interpreter too
    scripts/bench --setup-envs             # create benchmarks/.envs/v1 (1.0.7), v2 (2.0.0b4)
    scripts/bench --profile sse            # cProfile one sample of ours and print the top entries

Shape of a run (this file is stdlib only; it measures nothing itself):

    server.py        a lean asyncio server on loopback, in its own process
    worker.py x N    one per interpreter (ours, v1, v2, --python ...), kept alive; each answers
                     "measure scenario S as contender C" with one sample
    this file        asks the workers in turn, round after round (the order rotates each
                     round), takes medians, divides by the floor, writes results.json and the
                     table in RESULTS.md

The floor is raw httpx doing the same HTTP work plus `json.loads`, run by our worker. Cold
imports and the 200 MB file output need fresh processes, so those start one per sample.
Never part of the test suite: noisy machines make timed tests flaky.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import selectors
import statistics
import subprocess
import sys
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
ENVS = HERE / ".envs"
# v2 with its aiohttp extra, for its DefaultAioHttpClient (the get_aiohttp row). That makes its
# `import replicate` import aiohttp too, which the cold-import rows keep out (see import_cost).
PUBLISHED = {"v1": "replicate==1.0.7", "v2": "replicate[aiohttp]==2.0.0b4"}
WAIT_WINDOW = 2.5
TABLE_START, TABLE_END = "<!-- bench:table -->", "<!-- /bench:table -->"


# -- the scenarios ------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    title: str
    unit: str
    floor: Optional[float]
    values: Dict[str, Optional[float]]
    target: str
    kind: str  # "ratio<=X", "ratio>=X", "value<=X": how `met` is judged for each client
    measured: str = ""
    note: str = ""

    def ratio(self, client: str) -> Optional[float]:
        value = self.values.get(client)
        if value is None or not self.floor:
            return None
        return value / self.floor

    def met(self, client: str) -> Optional[bool]:
        how, op, limit = re.fullmatch(r"(ratio|value)(<=|>=)(.+)", self.kind).groups()  # type: ignore[union-attr]
        value = self.values.get(client) if how == "value" else self.ratio(client)
        if value is None:
            return None
        return value <= float(limit) if op == "<=" else value >= float(limit)


@dataclass
class Scenario:
    key: str
    title: str
    unit: str
    target: str
    kind: str
    min_rounds: int = 0
    """Cheap, noisy scenarios take more rounds than --rounds."""
    extras: List[Tuple[str, str, str, str, str]] = field(default_factory=list)
    """Rows made from a sample's `extra`: (extra key, title, unit, target, kind)."""


STANDARD = [
    Scenario("server", "server ceiling: raw-socket GET, one connection (µs/call)", "µs", "-", "value<=1e9"),
    Scenario(
        "get", "2,000 sequential predictions.get (µs/call)", "µs", "≤ 1.10x", "ratio<=1.10", min_rounds=9
    ),
    Scenario(
        "get_async", "2,000 async predictions.get, concurrency 50 (µs/call)", "µs", "≤ 1.25x", "ratio<=1.25"
    ),
    # issue 13: the same GETs through AsyncReplicate(http_client=DefaultAioHttpClient()), against
    # the same floor (raw httpx.AsyncClient)
    Scenario(
        "get_aiohttp",
        "2,000 async predictions.get, concurrency 50, DefaultAioHttpClient (µs/call)",
        "µs",
        "≤ 0.30x",
        "ratio<=0.30",
        min_rounds=9,
    ),
    Scenario(
        "paginate",
        "auto-paginate 5,000 predictions (ms)",
        "ms",
        "≤ 1.25x",
        "ratio<=1.25",
        extras=[
            (
                "rss_growth_mib",
                "auto-paginate: RSS growth while iterating (MiB)",
                "MiB",
                "flat (≤ 5 MiB)",
                "value<=5",
            )
        ],
    ),
    # Ours checks each prediction's `urls`/`metrics` with it but builds their models on first
    # read (BuiltOnAccess): this row reads `urls.get` of every item, so that saving is not free.
    Scenario(
        "paginate_read",
        "auto-paginate 5,000 predictions, reading each one's `urls.get` (ms)",
        "ms",
        "≤ 1.25x",
        "ratio<=1.25",
    ),
    Scenario(
        "sse",
        "SSE 2,000 tokens: total (ms)",
        "ms",
        "≤ 1.25x",
        "ratio<=1.25",
        extras=[("first_ms", "SSE 2,000 tokens: first token (ms)", "ms", "≤ 1.25x", "ratio<=1.25")],
    ),
    Scenario(
        "runs_threads",
        "200 concurrent run()s, threads, 0.1 s model (runs/s)",
        "runs/s",
        "≥ 0.9x",
        "ratio>=0.9",
        min_rounds=9,
    ),
    Scenario(
        "runs_async",
        "200 concurrent run()s, asyncio tasks, 0.1 s model (runs/s)",
        "runs/s",
        "≥ 0.9x",
        "ratio>=0.9",
        min_rounds=9,
    ),
]
LATENCY_CASES = [
    ("0 s", 0.0, 3),
    ("0.1 s", 0.1, 3),
    ("2 s", 2.0, 1),
    # Past the window, off the 0.5 s grid the published clients poll on (3.0 s would flatter them).
    (f"{WAIT_WINDOW + 0.75:g} s, past the {WAIT_WINDOW:g} s wait window", WAIT_WINDOW + 0.75, 1),
]
ORDER = [
    "import",
    "server",
    "get",
    "get_async",
    "get_aiohttp",
    "paginate",
    "paginate_read",
    "sse",
    "run_latency",
    "runs_threads",
    "runs_async",
    "file_output",
]


# -- processes ------------------------------------------------------------------------------------


class Server:
    def __init__(self, python: str) -> None:
        self.process = subprocess.Popen(
            [python, str(HERE / "server.py"), "--wait-window", str(WAIT_WINDOW)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base = f"http://127.0.0.1:{int(self.process.stdout.readline())}"

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()  # the server's cue to stop
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Worker:
    """One measured interpreter, answering a JSON line per sample."""

    def __init__(self, python: str, base: str, log: IO[str]) -> None:
        self.python = python
        self.process = subprocess.Popen(
            [python, str(HERE / "worker.py"), base],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
        )
        hello = self._read(60)
        self.name: str = hello["client"]
        self.version: str = hello["version"]
        self.python_version: str = hello["python"]

    def _read(self, timeout: float) -> Dict[str, Any]:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self.process.kill()
                raise TimeoutError(f"{self.python}: no answer in {timeout:g} s")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.python}: the worker exited (see {HERE / '.envs' / 'worker.log'})")
        return json.loads(line)

    def sample(
        self, scenario: str, contender: str, arg: Any = None, profile: bool = False, timeout: float = 120
    ) -> Dict[str, Any]:
        assert self.process.stdin is not None
        command = {"scenario": scenario, "contender": contender, "arg": arg, "profile": profile}
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._read(timeout)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def once(python: str, args: List[str], timeout: float = 120) -> Dict[str, Any]:
    done = subprocess.run([python, *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["exit " + str(done.returncode)])[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- measuring ------------------------------------------------------------------------------------


class Bench:
    def __init__(
        self, ours: Worker, others: List[Worker], rounds: int, base: str, log: Callable[[str], None]
    ) -> None:
        self.ours = ours
        self.workers = [ours, *others]
        self.rounds = rounds
        self.base = base
        self.log = log
        self.stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.errors: Dict[str, str] = {}

    def _turns(self, round_: int, with_floor: bool = True) -> List[Tuple[str, Worker, str]]:
        turns = [("floor", self.ours, "floor")] if with_floor else []
        turns += [(w.name, w, "sdk") for w in self.workers]
        shift = round_ % len(turns)
        return turns[shift:] + turns[:shift]

    def standard(self, scenario: Scenario) -> List[Row]:
        samples: Dict[str, List[Dict[str, Any]]] = {}
        floor_only = scenario.key == "server"
        for round_ in range(max(self.rounds, scenario.min_rounds)):
            turns = [("floor", self.ours, "floor")] if floor_only else self._turns(round_)
            for name, worker, contender in turns:
                got = worker.sample(scenario.key, contender)
                if "skip" in got:  # a client without this feature (v1 has no aiohttp client)
                    continue
                if "error" in got:
                    self.errors[f"{scenario.key} / {name}"] = got["error"]
                    self.log(f"  {name}: {got['error']}")
                    continue
                samples.setdefault(name, []).append(got)
        scale = 1000 if scenario.unit == "ms" and scenario.key.startswith("paginate") else 1

        def median(name: str, extra: Optional[str] = None) -> Optional[float]:
            found = samples.get(name)
            if not found:
                return None
            return statistics.median((s["extra"][extra] if extra else s["value"] * scale) for s in found)

        clients = [w.name for w in self.workers] if not floor_only else []
        rows = [
            Row(
                scenario.key,
                scenario.title,
                scenario.unit,
                median("floor"),
                {c: median(c) for c in clients},
                scenario.target,
                scenario.kind,
                self.stamp,
            )
        ]
        for extra, title, unit, target, kind in scenario.extras:
            rows.append(
                Row(
                    scenario.key,
                    title,
                    unit,
                    median("floor", extra),
                    {c: median(c, extra) for c in clients},
                    target,
                    kind,
                    self.stamp,
                )
            )
        return rows

    def run_latency(self) -> List[Row]:
        rows = []
        rounds = max(3, self.rounds // 2)
        for label, seconds, per_round in LATENCY_CASES:
            samples: Dict[str, List[float]] = {}
            for round_ in range(rounds if seconds >= 1 else self.rounds):
                for name, worker, contender in self._turns(round_, with_floor=False):
                    for _ in range(per_round):
                        got = worker.sample("run_latency", contender, seconds, timeout=60)
                        if "error" in got:
                            self.errors[f"run_latency {label} / {name}"] = got["error"]
                            continue
                        samples.setdefault(name, []).append(got["value"])
            values = {
                w.name: (statistics.median(samples[w.name]) if samples.get(w.name) else None)
                for w in self.workers
            }
            rows.append(
                Row(
                    "run_latency",
                    f"run() from prediction end to return, model {label} (ms)",
                    "ms",
                    0.0,
                    values,
                    "≤ 50 ms",
                    "value<=50",
                    self.stamp,
                )
            )
        return rows

    def file_output(self) -> List[Row]:
        samples: Dict[str, List[float]] = {}
        for round_ in range(max(3, self.rounds // 2)):
            for name, worker, contender in self._turns(round_):
                got = once(
                    worker.python, [str(HERE / "worker.py"), self.base, "--once", "file_output", contender]
                )
                if "error" in got:
                    self.errors[f"file_output / {name}"] = got["error"]
                    continue
                samples.setdefault(name, []).append(got["value"])
        floor = statistics.median(samples["floor"]) if samples.get("floor") else None
        values = {
            w.name: (statistics.median(samples[w.name]) if samples.get(w.name) else None)
            for w in self.workers
        }
        return [
            Row(
                "file_output",
                "iterate a 200 MB FileOutput: peak RSS over baseline (MiB)",
                "MiB",
                floor,
                values,
                "≤ 20 MiB",
                "value<=20",
                self.stamp,
            )
        ]

    def import_cost(self, runs: int) -> List[Row]:
        report = (
            "import resource, sys; sys.stdout.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"
        )
        contenders = [("pass", self.ours.python, "pass"), ("floor", self.ours.python, "import httpx")]
        # As installed without extras: v2 imports httpx_aiohttp (so aiohttp) whenever it can, and
        # its env has the extra for the get_aiohttp row. Ours never imports it on import.
        without_extra = "import sys; sys.modules['httpx_aiohttp'] = None\nimport replicate"
        contenders += [(w.name, w.python, without_extra) for w in self.workers]
        wall: Dict[str, List[float]] = {}
        rss: Dict[str, List[float]] = {}
        for round_ in range(runs):
            shift = round_ % len(contenders)
            for name, python, statement in contenders[shift:] + contenders[:shift]:
                started = time.perf_counter()
                done = subprocess.run(
                    [python, "-c", f"{statement}\n{report}"], capture_output=True, text=True, timeout=60
                )
                elapsed = time.perf_counter() - started
                if done.returncode:
                    self.errors[f"import / {name}"] = done.stderr.strip()[-300:]
                    continue
                wall.setdefault(name, []).append(elapsed * 1000)
                rss.setdefault(name, []).append(int(done.stdout.strip()) / 1024)

        def med(table: Dict[str, List[float]], name: str) -> Optional[float]:
            return statistics.median(table[name]) if table.get(name) else None

        startup = med(wall, "pass")
        note = (
            f"`python -c pass` alone: {startup:.1f} ms, {med(rss, 'pass'):.1f} MiB"
            if startup is not None
            else ""
        )
        return [
            Row(
                "import",
                "`import replicate`, cold process: wall (ms)",
                "ms",
                med(wall, "floor"),
                {w.name: med(wall, w.name) for w in self.workers},
                "≤ 1.2x `import httpx`",
                "ratio<=1.2",
                self.stamp,
                note,
            ),
            Row(
                "import",
                "`import replicate`, cold process: peak RSS (MiB)",
                "MiB",
                med(rss, "floor"),
                {w.name: med(rss, w.name) for w in self.workers},
                "≤ 30 MiB",
                "value<=30",
                self.stamp,
            ),
        ]

    def profile(self, key: str, arg: Any = None, contender: str = "sdk") -> str:
        got = self.ours.sample(key, contender, arg, profile=True)
        return got.get("profile") or got.get("error", "")


# -- RESULTS.md ----------------------------------------------------------------------------------


def machine() -> Dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "platform": platform.platform()}


def fmt(value: Optional[float]) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render(stored: Dict[str, Any]) -> str:
    rows = [Row(**r) for key in ORDER for r in stored.get("rows", {}).get(key, [])]
    clients: List[str] = stored.get("clients", [])
    ours = clients[0] if clients else "ours"
    others = clients[1:]
    head = ["scenario", "floor", "ours", "ratio", "target", "met?"]
    for other in others:
        head += [other, "ratio"]
    head.append("measured")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        met = row.met(ours)
        ratio = row.ratio(ours)
        cells = [
            row.title,
            fmt(row.floor),
            fmt(row.values.get(ours)),
            f"{ratio:.2f}x" if ratio is not None else "-",
            row.target,
            {True: "yes", False: "**no**", None: "-"}[met] if row.target != "-" else "",
        ]
        for other in others:
            other_ratio = row.ratio(other)
            cells += [fmt(row.values.get(other)), f"{other_ratio:.2f}x" if other_ratio is not None else "-"]
        cells.append(row.measured[5:16])
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"- {row.title}: {row.note}" for row in rows if row.note]
    m = stored.get("machine", {})
    versions = ", ".join(f"{name} = `{python}`" for name, python in stored.get("interpreters", {}).items())
    errors = [f"- {where}: `{error}`" for where, error in stored.get("errors", {}).items()]
    return "\n".join(
        [
            TABLE_START,
            f"Last run {stored.get('stamp', '?')} on {m.get('nproc', '?')} x {m.get('cpu', '?')}, Python"
            f" {stored.get('python', '?')} ({m.get('platform', '?')}); {stored.get('rounds', '?')} interleaved rounds,"
            f" medians. Interpreters: {versions}.",
            "",
            *lines,
            "",
            *notes,
            *(["", "Errors in the last run:", *errors] if errors else []),
            TABLE_END,
        ]
    )


def write_results(stored: Dict[str, Any]) -> None:
    RESULTS_JSON.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    table = render(stored)
    text = (
        RESULTS_MD.read_text()
        if RESULTS_MD.exists()
        else "# Benchmark results\n\n" + TABLE_START + TABLE_END + "\n"
    )
    if TABLE_START in text and TABLE_END in text:
        before, rest = text.split(TABLE_START, 1)
        after = rest.split(TABLE_END, 1)[1]
        text = before + table + after
    else:
        text = "# Benchmark results\n\n" + table + "\n\n" + text
    RESULTS_MD.write_text(text)


# -- the command ------------------------------------------------------------------------------------


def setup_envs() -> None:
    for name, requirement in PUBLISHED.items():
        python = ENVS / name / "bin" / "python"
        marker = ENVS / name / "installed.txt"  # what was installed: a changed requirement reinstalls
        if python.exists() and marker.exists() and marker.read_text() == requirement:
            continue
        print(f"installing {requirement} into {ENVS / name}", flush=True)
        if not python.exists():
            venv.create(ENVS / name, with_pip=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--pre", requirement])
        if done.returncode:
            print(f"  could not install {requirement}: it is left out", flush=True)
        else:
            marker.write_text(requirement)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", help=f"a subset of: {' '.join(ORDER)}")
    parser.add_argument(
        "--python", action="append", default=[], help="another interpreter whose `replicate` to measure"
    )
    parser.add_argument(
        "--ours",
        default=str(ROOT / ".venv" / "bin" / "python"),
        help="the interpreter with this repo's replicate",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--import-runs", type=int, default=15)
    parser.add_argument("--setup-envs", action="store_true", help="create benchmarks/.envs/{v1,v2} with pip")
    parser.add_argument(
        "--no-published", action="store_true", help="skip benchmarks/.envs/* unless given as --python"
    )
    parser.add_argument(
        "--profile", metavar="SCENARIO", help="cProfile one sample of ours and print the top entries"
    )
    parser.add_argument("--profile-floor", action="store_true", help="with --profile: the floor instead")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args()
    chosen = args.scenarios or ORDER
    unknown = set(chosen) - set(ORDER)
    if unknown:
        parser.error(f"unknown scenario(s) {sorted(unknown)}; choose from {ORDER}")
    if args.setup_envs:
        setup_envs()
    pythons = list(args.python)
    if not pythons and not args.no_published and not args.profile:
        pythons = [str(p) for p in sorted(ENVS.glob("*/bin/python"))]

    ENVS.mkdir(exist_ok=True)
    log_file = open(ENVS / "worker.log", "a")  # noqa: SIM115 (closed in the finally below, after the workers)
    server = Server(args.ours)
    workers: List[Worker] = []
    try:
        ours = Worker(args.ours, server.base, log_file)
        workers.append(ours)
        for python in pythons:
            try:
                workers.append(Worker(python, server.base, log_file))
            except Exception as exc:
                print(f"{python}: left out ({exc})", flush=True)
        if args.profile:
            arg = 0.0 if args.profile == "run_latency" else None
            contender = "floor" if args.profile_floor else "sdk"
            print(Bench(ours, [], 1, server.base, print).profile(args.profile, arg, contender))
            return 0
        bench = Bench(ours, workers[1:], args.rounds, server.base, lambda line: print(line, flush=True))
        print(f"server {server.base}; clients: {', '.join(w.name for w in workers)}", flush=True)
        measured: Dict[str, List[Row]] = {}
        for key in [k for k in ORDER if k in chosen]:
            started = time.perf_counter()
            if key == "import":
                rows = bench.import_cost(args.import_runs)
            elif key == "run_latency":
                rows = bench.run_latency()
            elif key == "file_output":
                rows = bench.file_output()
            else:
                rows = bench.standard(next(s for s in STANDARD if s.key == key))
            measured[key] = rows
            for row in rows:
                values = "  ".join(f"{name} {fmt(v)}" for name, v in row.values.items())
                print(f"{row.title}: floor {fmt(row.floor)}  {values}", flush=True)
            print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        for worker in workers:
            worker.close()
        server.close()
        log_file.close()

    stored: Dict[str, Any] = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    # Rows not measured now keep their figures; a client measured before but not now keeps its
    # column (blank in the rows measured now).
    clients = list(stored.get("clients", []))  # the table's columns keep their order
    clients += [w.name for w in workers if w.name not in clients]
    stored["rows"] = {**stored.get("rows", {}), **{k: [r.__dict__ for r in v] for k, v in measured.items()}}
    stored.update(
        clients=clients,
        interpreters={
            **stored.get("interpreters", {}),
            **{w.name: os.path.relpath(w.python, ROOT) for w in workers},
        },
        machine=machine(),
        python=workers[0].python_version,
        stamp=bench.stamp,
        rounds=args.rounds,
        errors=bench.errors,
    )
    table = render(stored)
    print(table)
    if not args.no_write:
        write_results(stored)
        print(f"wrote {RESULTS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
