"""`replicate run-many OWNER/MODEL --inputs FILE`: one prediction per row, resumable.

    --inputs FILE     .jsonl (one JSON object a line), .csv (a header row; cells typed by the
                      model's input schema, as `run`'s key=value are), or - for JSON lines on stdin
    --output FILE     results as JSON lines (index, input, output, error, prediction_id) in input
                      order; default: stdout
    --journal FILE    default: OUTPUT.journal (with --output), else INPUTS.journal (a file)
    --concurrency N   predictions in flight at once (default: 10)

Running the same command again resumes: rows the journal saw finish come back without a request,
the others are followed or settled, none is created twice (see `replicate._running.batch_journal`).
Progress (done, failed, in flight, time left) goes to stderr: one line rewritten in a terminal, a
line every 100 inputs otherwise. Exit code 0 when every input succeeded, 1 when some failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from typing import TYPE_CHECKING, Any, Dict, Iterator, Optional, TextIO

from ._args import EXIT_MODEL, EXIT_OK, UsageError
from ._inputs import InputSpec, input_specs, parse_inputs

if TYPE_CHECKING:
    from .._client import Replicate
    from .._running.batch import BatchProgress, BatchResult

__all__ = ["add_parser", "run_many"]


def add_parser(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("ref", metavar="OWNER/MODEL", help="owner/name, owner/name:version, or a version id")
    sub.add_argument("--inputs", required=True, metavar="FILE", help="a .jsonl or .csv file, or - for stdin")
    sub.add_argument("--output", metavar="FILE.jsonl", help="write results here (default: stdout)")
    sub.add_argument("--journal", metavar="FILE", help="resume from / record to this journal")
    sub.add_argument(
        "--concurrency", type=int, default=10, metavar="N", help="in flight at once (default: 10)"
    )


def run_many(client: Replicate, args: argparse.Namespace, schema: Optional[Dict[str, Any]]) -> int:
    source: str = args.inputs
    if source != "-" and not source.endswith((".jsonl", ".csv", ".ndjson")):
        raise UsageError(f"--inputs must be a .jsonl or .csv file, or - for stdin; got {source!r}")
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {args.concurrency}")
    journal = args.journal or (
        f"{args.output}.journal" if args.output else (f"{source}.journal" if source != "-" else None)
    )
    total = _count_rows(source)
    rows = _read_rows(source, input_specs(schema), args.ref)
    line = _ProgressLine(sys.stderr, total)
    results = client.run_many(
        args.ref, rows, concurrency=args.concurrency, journal=journal, progress=line, use_file_output=False
    )
    failed = 0
    out: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        for result in results:
            failed += result.error is not None
            out.write(json.dumps(_record(result), default=str) + "\n")
            out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
        line.end()
    return EXIT_MODEL if failed else EXIT_OK


def _record(result: BatchResult) -> Dict[str, Any]:
    error = result.error
    return {
        "index": result.index,
        "input": result.input,
        "output": result.output,
        "error": None if error is None else str(error),
        "prediction_id": result.prediction_id,
    }


def _count_rows(source: str) -> Optional[int]:
    """How many inputs a file holds (read once, line by line), for the time left; None for stdin."""
    if source == "-":
        return None
    try:
        with open(source, encoding="utf-8") as file:
            lines = sum(1 for text in file if text.strip())
    except OSError as error:
        raise UsageError(f"cannot read --inputs {source}: {error.strerror}") from None
    return max(lines - 1, 0) if source.endswith(".csv") else lines


def _read_rows(source: str, specs: Optional[Dict[str, InputSpec]], model: str) -> Iterator[Dict[str, Any]]:
    """The inputs, one row at a time (never the whole file in memory)."""
    if source.endswith(".csv"):
        with open(source, encoding="utf-8", newline="") as file:
            for number, cells in enumerate(csv.DictReader(file), start=2):
                pairs = [
                    f"{name}={value}" for name, value in cells.items() if name and value not in (None, "")
                ]
                try:
                    yield parse_inputs(pairs, specs, model)
                except UsageError as error:
                    raise UsageError(f"{source} line {number}: {error}") from None
        return
    file = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    try:
        for number, text in enumerate(file, start=1):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError:
                raise UsageError(f"{source} line {number} is not JSON: {text[:80]!r}") from None
            if not isinstance(value, dict):
                raise UsageError(f"{source} line {number} must be a JSON object of the model's inputs")
            yield value  # pyright: ignore[reportUnknownMessageType]
    finally:
        if file is not sys.stdin:
            file.close()


class _ProgressLine:
    """done, failed, in flight, time left: rewritten in place on a terminal, else every 100 inputs."""

    def __init__(self, stream: TextIO, total: Optional[int]) -> None:
        self.stream = stream
        self.total = total
        self.live = stream.isatty()
        self.last: Optional[BatchProgress] = None
        self.shown = 0.0

    def __call__(self, progress: BatchProgress) -> None:
        self.last = progress
        now = time.monotonic()
        if self.live and now - self.shown >= 0.1:
            self.shown = now
            self.stream.write("\r\033[K" + self.text(progress))
            self.stream.flush()
        elif not self.live and progress.done % 100 == 0:
            self.stream.write(self.text(progress) + "\n")

    def text(self, progress: BatchProgress) -> str:
        done = f"{progress.done}/{self.total}" if self.total is not None else str(progress.done)
        text = f"done {done} · failed {progress.failed} · in flight {progress.in_flight}"
        left = progress.time_left(self.total) if self.total is not None else None
        if left is not None and progress.in_flight:
            text += f" · {int(left) // 60}:{int(left) % 60:02d} left"
        return text

    def end(self) -> None:
        if self.last is None:
            return
        prefix = "\r\033[K" if self.live else ""
        self.stream.write(prefix + self.text(self.last) + "\n")
        self.stream.flush()
