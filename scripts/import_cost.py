#!/usr/bin/env python3
"""`import replicate` against `import httpx`, in cold processes: wall time and peak RSS.

    python scripts/import_cost.py [--runs 20]

Each statement runs in a fresh interpreter, interleaved with the others and repeated; the
table shows medians. Targets (issue 2): at most 1.2x `import httpx`'s time, at most 30 MiB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Tuple

STATEMENTS = {
    "python -c pass": "pass",
    "import httpx": "import httpx",
    "import replicate": "import replicate",
    "import replicate; Replicate()": "import replicate; replicate.Replicate(bearer_token='r8_x')",
}
REPORT_RSS = (
    "\nimport resource, sys; sys.stdout.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"
)


def once(code: str) -> Tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + REPORT_RSS], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    samples: Dict[str, List[Tuple[float, float]]] = {name: [] for name in STATEMENTS}
    for _ in range(args.runs):
        for name, code in STATEMENTS.items():
            samples[name].append(once(code))
    wall = {name: statistics.median(s[0] for s in runs) * 1000 for name, runs in samples.items()}
    rss = {name: statistics.median(s[1] for s in runs) for name, runs in samples.items()}
    print(f"{'statement':34} {'wall ms':>8} {'peak RSS MiB':>13} {'vs httpx':>9}")
    for name in STATEMENTS:
        print(f"{name:34} {wall[name]:8.1f} {rss[name]:13.1f} {wall[name] / wall['import httpx']:8.2f}x")
    ok = wall["import replicate"] <= 1.2 * wall["import httpx"] and rss["import replicate"] <= 30
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
