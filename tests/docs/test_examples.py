"""Each script in examples/ runs as a user would run it: offline with no token (each starts the
emulator itself), and with a token against "Replicate" (here an emulator serving stand-ins for
the real models the examples name then)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from replicate.testing import Emulator
from replicate.testing._builtin import STORY, png

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith(("test_", "_")))


def load_offline() -> Any:
    spec = importlib.util.spec_from_file_location("examples_offline", EXAMPLES / "_offline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_example(script: str, env: Dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script)], env=env, cwd=cwd, capture_output=True, text=True, timeout=90
    )


def without_token() -> Dict[str, str]:
    env = dict(os.environ)
    for name in ("REPLICATE_API_TOKEN", "REPLICATE_BASE_URL", "WEBHOOK_PUBLIC_URL"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_with_no_token_and_no_network(script: str, tmp_path: Path) -> None:
    result = run_example(script, without_token(), tmp_path)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    assert "Using the local emulator" in result.stdout, result.stdout
    assert len(result.stdout.strip().splitlines()) >= 2, f"{script} printed nothing of its own"
    assert list(tmp_path.iterdir()) == [], "examples leave nothing in the current directory"


@pytest.fixture(scope="module")
def replicate_stand_in() -> Iterator[Emulator]:
    """An emulator serving, under their real names, the models the examples run on Replicate."""
    real = load_offline().ON_REPLICATE
    emulator = Emulator(builtin_models=False, token="r8_fake0000000000000000000000000000000000")
    outputs = Path(tempfile.mkdtemp(prefix="replicate-stand-in-"))
    hello_name, _, hello_version = real.hello.partition(":")

    @emulator.model(hello_name, version=hello_version)
    def hello(text: str) -> str:  # pyright: ignore[reportUnusedFunction]
        return f"hello {text}"

    @emulator.model(real.image, official=True)
    def image(prompt: str) -> List[Path]:  # pyright: ignore[reportUnusedFunction]
        target = outputs / "out-0.png"
        target.write_bytes(png(8, 8, (1, 2, 3)))
        return [target]

    @emulator.model(real.chat, official=True)
    def chat(prompt: str) -> Iterator[str]:  # pyright: ignore[reportUnusedFunction]
        yield from STORY.split(" ")[:5]

    with emulator.serve():
        yield emulator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_the_real_models_when_a_token_is_set(
    script: str, replicate_stand_in: Emulator, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **without_token(),
        "REPLICATE_API_TOKEN": replicate_stand_in.token,
        "REPLICATE_BASE_URL": replicate_stand_in.base_url,
        "WEBHOOK_PUBLIC_URL": f"http://127.0.0.1:{port}/hooks/replicate",
        "WEBHOOK_PORT": str(port),
    }
    result = run_example(script, env, tmp_path)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    assert "Using Replicate" in result.stdout, result.stdout


@pytest.fixture(scope="module")
def served() -> Iterator[Emulator]:
    """What the README's offline box sets up: `python -m replicate.testing serve`'s emulator."""
    emulator = Emulator()
    with emulator.serve():
        yield emulator


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_on_the_served_emulator_with_its_two_exports(
    script: str, served: Emulator, tmp_path: Path
) -> None:
    env = {**without_token(), "REPLICATE_API_TOKEN": served.token, "REPLICATE_BASE_URL": served.base_url}
    result = run_example(script, env, tmp_path)
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    assert "Using Replicate" not in result.stdout, result.stdout
    assert "emulator" in result.stdout.splitlines()[0], result.stdout


def test_the_pytest_example_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(EXAMPLES / "test_with_emulator.py"),
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
        "quickstart.py",
        "run_model.py",
        "async_run.py",
        "use_function.py",
        "streaming.py",
        "files_in_and_out.py",
        "pagination.py",
        "webhook_receiver.py",
    }
    assert expected <= set(SCRIPTS)
