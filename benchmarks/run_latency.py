"""How long `run()` takes to return after the prediction ends, over loopback HTTP.

    .venv/bin/python benchmarks/run_latency.py [--window 1.0] [--repeat 20]

The model records the moment it returns; `run()`'s return is measured against it. Model times:
0 s, 0.1 s, 2 s, and one past the server's `Prefer: wait` window (set small here), where the
client must notice the end by itself (it follows the prediction's event stream to `done`).
Runs against `replicate.testing.Emulator`.
The target is a median of at most 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from typing import Dict, Iterator, List, Tuple

import replicate
from replicate.testing import Emulator

ended: Dict[str, float] = {}


def model(tag: str, seconds: float) -> str:
    time.sleep(seconds)
    ended[tag] = time.monotonic()
    return "done"


@contextlib.contextmanager
def backend(window: float) -> Iterator[Tuple[replicate.Replicate, str]]:
    em = Emulator(wait_window=window)
    em.model("bench/sleep")(model)
    with em.serve(), em.client() as client:
        yield client, "replicate.testing.Emulator"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--window", type=float, default=1.0, help="the server's wait window, seconds")
    parser.add_argument("--repeat", type=int, default=20, help="runs per quick model time")
    args = parser.parse_args()
    cases: List[Tuple[str, float, int]] = [
        ("0 s", 0.0, args.repeat),
        ("0.1 s", 0.1, args.repeat),
        ("2 s", 2.0, 3),
        (f"{args.window + 0.5:g} s (past the {args.window:g} s window)", args.window + 0.5, 3),
    ]
    with backend(args.window) as (client, name):
        client.run("bench/sleep", input={"tag": "warm-up", "seconds": 0})
        print(f"run() latency, prediction end -> return ({name}, wait window {args.window:g} s)")
        print(f"{'model time':<32}{'runs':>6}{'median':>10}{'max':>10}")
        for label, seconds, repeat in cases:
            samples: List[float] = []
            for i in range(repeat):
                tag = f"{label}-{i}"
                client.run("bench/sleep", input={"tag": tag, "seconds": seconds})
                samples.append(time.monotonic() - ended[tag])
            median = statistics.median(samples) * 1000
            print(f"{label:<32}{repeat:>6}{median:>8.1f}ms{max(samples) * 1000:>8.1f}ms")


if __name__ == "__main__":
    main()
