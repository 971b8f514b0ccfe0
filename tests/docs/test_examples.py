"""Each script in examples/ runs offline, against the emulator, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    p.name for p in (ROOT / "examples").glob("*.py") if not p.name.startswith(("test_", "_", "quickstart"))
)


@pytest.fixture(scope="module")
def emulator_env() -> Iterator[dict[str, str]]:
    from replicate.testing import Emulator

    emulator = Emulator()
    with emulator.serve() as base_url:
        yield {**os.environ, "REPLICATE_API_TOKEN": emulator.token, "REPLICATE_BASE_URL": base_url}


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script: str, emulator_env: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        env=emulator_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    assert result.stdout.strip(), f"{script} printed nothing"


def test_the_pytest_example_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(ROOT / "examples" / "test_with_emulator.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_there_is_an_example_per_topic() -> None:
    expected = {
        "run_model.py",
        "async_run.py",
        "use_function.py",
        "streaming.py",
        "files_in_and_out.py",
        "pagination.py",
        "webhook_receiver.py",
    }
    assert expected <= set(SCRIPTS)
