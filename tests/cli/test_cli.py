"""The real `replicate` command, run as a subprocess against the emulator."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from replicate.cli._display import progress_bar
from replicate.cli._inputs import InputError, parse_inputs
from replicate.testing import Emulator


@pytest.fixture(scope="module")
def env() -> Iterator[Dict[str, str]]:
    emulator = Emulator(wait_window=0.3)
    with emulator.serve() as base_url:
        yield {**os.environ, "REPLICATE_API_TOKEN": emulator.token, "REPLICATE_BASE_URL": base_url}


def cli(env: Dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "replicate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_prints_the_output(env: Dict[str, str], tmp_path: Path) -> None:
    result = cli(env, "run", "replicate/hello-world", "text=world", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello world\n"
    assert env["REPLICATE_API_TOKEN"] not in result.stdout + result.stderr


def test_inputs_are_typed_by_the_schema_and_files_are_saved(env: Dict[str, str], tmp_path: Path) -> None:
    result = cli(
        env, "run", "replicate/image", "prompt=x", "width=8", "height=8", "--output-dir", "out", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    saved = Path(tmp_path, result.stdout.strip())
    assert saved.name == "output.png" and saved.parent.name == "out"
    assert saved.read_bytes().startswith(b"\x89PNG")


def test_unknown_inputs_are_a_usage_error_listing_the_valid_ones(env: Dict[str, str], tmp_path: Path) -> None:
    result = cli(env, "run", "replicate/image", "colour=red", "width=wide", cwd=tmp_path)
    assert result.returncode == 2
    assert "colour: not an input of this model" in result.stderr
    assert "width: 'wide' is not a valid integer" in result.stderr
    assert 'prompt: string (default: "a square")' in result.stderr


def test_a_failed_model_exits_1_and_api_errors_exit_3(env: Dict[str, str], tmp_path: Path) -> None:
    failed = cli(env, "run", "replicate/fail", "message=kaput", cwd=tmp_path)
    assert failed.returncode == 1 and "kaput" in failed.stderr
    missing = cli(env, "predictions", "get", "nope", cwd=tmp_path)
    assert missing.returncode == 3 and "404" in missing.stderr
    bad_token = cli({**env, "REPLICATE_API_TOKEN": "r8_wrong"}, "account", cwd=tmp_path)
    assert bad_token.returncode == 3 and "REPLICATE_API_TOKEN" in bad_token.stderr


def test_json_no_wait_stream_and_logs(env: Dict[str, str], tmp_path: Path) -> None:
    as_json = cli(env, "run", "replicate/hello-world", "text=j", "--json", cwd=tmp_path)
    assert json.loads(as_json.stdout)["output"] == "hello j"
    started = cli(env, "run", "replicate/sleep", "seconds=0.2", "--no-wait", cwd=tmp_path)
    prediction_id = started.stdout.strip()
    waited = cli(env, "predictions", "wait", prediction_id, cwd=tmp_path)
    assert json.loads(waited.stdout)["status"] == "succeeded"
    streamed = cli(env, "run", "replicate/stream-tokens", "max_tokens=4", "--stream", cwd=tmp_path)
    assert streamed.stdout == "Once upon a time\n"
    logged = cli(env, "run", "replicate/sleep", "seconds=0.2", "--logs", cwd=tmp_path)
    assert "100%|" in logged.stderr and logged.stdout == "slept 0.2s\n"


def test_piped_runs_print_plain_status_lines(env: Dict[str, str], tmp_path: Path) -> None:
    result = cli(env, "run", "replicate/sleep", "seconds=0.3", cwd=tmp_path)
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr
    assert "succeeded" in result.stderr.splitlines()[-1]


def test_a_terminal_gets_a_live_progress_line(env: Dict[str, str], tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "replicate", "run", "replicate/sleep", "seconds=1"],
        env=env,
        cwd=tmp_path,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    screen = b""
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                screen += os.read(leader, 4096)
            except OSError:
                break
    process.wait(timeout=10)
    os.close(leader)
    text = screen.decode(errors="replace")
    assert process.returncode == 0
    assert "\r\x1b[2K" in text  # redrawn in place
    assert "processing" in text and "%" in text and "█" in text


def test_inspection_commands(env: Dict[str, str], tmp_path: Path) -> None:
    assert (
        "seconds: number (default: 1.0)"
        in cli(env, "models", "schema", "replicate/sleep", cwd=tmp_path).stdout
    )
    assert "cpu" in cli(env, "hardware", "list", cwd=tmp_path).stdout
    assert json.loads(cli(env, "account", cwd=tmp_path).stdout)["username"] == "emulator"
    note = tmp_path / "note.txt"
    note.write_text("hi")
    uploaded = json.loads(cli(env, "files", "upload", str(note), cwd=tmp_path).stdout)
    assert cli(env, "files", "delete", uploaded["id"], cwd=tmp_path).returncode == 0
    assert cli(env, "models", "get", "not-a-ref", cwd=tmp_path).returncode == 2


def test_parse_inputs_types_values() -> None:
    schema = {
        "properties": {
            "n": {"type": "integer"},
            "x": {"type": "number"},
            "ok": {"type": "boolean"},
            "tags": {"type": "array"},
            "mode": {"type": "string", "enum": ["a", "b"]},
        },
        "required": ["n"],
    }
    assert parse_inputs(["n=3", "x=0.5", "ok=yes", 'tags=["a"]', "mode=b"], schema) == {
        "n": 3,
        "x": 0.5,
        "ok": True,
        "tags": ["a"],
        "mode": "b",
    }
    with pytest.raises(InputError, match="n: required"):
        parse_inputs([], schema)
    with pytest.raises(InputError, match="not one of a, b"):
        parse_inputs(["n=1", "mode=c"], schema)


def test_progress_bar_width() -> None:
    bars: List[str] = [progress_bar(p, width=10) for p in (0, 50, 100, 150)]
    assert bars == ["░" * 10, "█████░░░░░", "█" * 10, "█" * 10]
