"""`replicate run-many`, run as a subprocess against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from replicate.testing import Emulator


@pytest.fixture
def env(emulator: Emulator) -> Dict[str, str]:
    return {**os.environ, "REPLICATE_API_TOKEN": emulator.token, "REPLICATE_BASE_URL": emulator.base_url}


def run_many(env: Dict[str, str], cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "replicate", "run-many", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def records(text: str) -> List[Dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_run_many_reads_jsonl_writes_results_and_the_same_command_resumes(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "rows.jsonl").write_text('{"text": "jl-a"}\n\n{"text": "jl-b"}\n')
    args = ("replicate/hello-world", "--inputs", "rows.jsonl", "--output", "out.jsonl", "--concurrency", "2")
    first = run_many(env, tmp_path, *args)
    assert first.returncode == 0, first.stderr
    results = records((tmp_path / "out.jsonl").read_text())
    assert [(r["index"], r["output"], r["error"]) for r in results] == [
        (0, "hello jl-a", None),
        (1, "hello jl-b", None),
    ]
    assert "done 2/2 · failed 0 · in flight 0" in first.stderr
    before = len(emulator.requests)
    again = run_many(env, tmp_path, *args)
    assert again.returncode == 0, again.stderr
    assert records((tmp_path / "out.jsonl").read_text()) == results
    assert len(emulator.requests) == before  # every row came back from the journal
    assert (tmp_path / "out.jsonl.journal").exists()


def test_run_many_types_csv_cells_by_the_schema_and_reports_failures(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "rows.csv").write_text("seconds\n0.01\nabc\n")
    done = run_many(env, tmp_path, "replicate/sleep", "--inputs", "rows.csv")
    assert done.returncode == 2 and "rows.csv line 3" in done.stderr and "not a number" in done.stderr
    (tmp_path / "good.csv").write_text("seconds\n0.01\n0.02\n")
    done = run_many(env, tmp_path, "replicate/sleep", "--inputs", "good.csv")
    assert done.returncode == 0, done.stderr
    assert [r["output"] for r in records(done.stdout)] == ["slept 0.01s", "slept 0.02s"]


def test_run_many_reads_stdin_and_exits_1_when_an_input_failed(env: Dict[str, str], tmp_path: Path) -> None:
    done = run_many(
        env, tmp_path, "replicate/hello-world", "--inputs", "-", stdin='{"text": "s"}\n{"nope": 1}\n'
    )
    assert done.returncode == 1
    results = records(done.stdout)
    assert results[0]["output"] == "hello s" and results[1]["error"]
    assert not list(tmp_path.iterdir())  # no journal for stdin without --output


def test_run_many_refuses_an_unknown_inputs_format(env: Dict[str, str], tmp_path: Path) -> None:
    done = run_many(env, tmp_path, "replicate/hello-world", "--inputs", "rows.txt")
    assert done.returncode == 2 and ".jsonl or .csv" in done.stderr
