"""Every Python block of README.md runs, in order, against the emulator (like a reader would)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(markdown: str) -> List[str]:
    return BLOCK.findall(markdown)


README = (ROOT / "README.md").read_text()
OFFLINE_BOX = README[README.index("## Try every example offline") :]
SERVE = "python -m replicate.testing serve"


@pytest.fixture
def emulated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """What the README's offline box says to do: serve from a shell, paste its two exports."""
    server = subprocess.Popen(
        [sys.executable, *SERVE.split()[1:]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert server.stdout is not None
        exports: Dict[str, str] = {}
        for line in server.stdout:
            if line.strip().startswith("export "):
                name, _, value = line.strip()[len("export ") :].partition("=")
                exports[name] = value
            if line.startswith("Models:"):
                break
        assert set(exports) == {"REPLICATE_API_TOKEN", "REPLICATE_BASE_URL"}
        for name, value in exports.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        yield exports["REPLICATE_BASE_URL"]
    finally:
        server.terminate()
        server.wait(10)


def test_the_offline_box_comes_before_the_first_example() -> None:
    first_example = README.index("```python")
    assert README.index("## Try every example offline") < first_example
    box = OFFLINE_BOX[: OFFLINE_BOX.index("\n## ", 1)]
    assert f"$ {SERVE}\n" in box
    assert "export REPLICATE_BASE_URL=" in box and "export REPLICATE_API_TOKEN=" in box
    # the box names every model that exists only in the emulator, and no other
    from replicate.testing import Emulator

    assert set(Emulator().models) == set(re.findall(r"`(replicate/[a-z-]+)`", box))


def test_readme_has_python_blocks() -> None:
    assert len(python_blocks(README)) >= 15


def test_every_readme_block_runs_against_the_emulator(
    emulated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: Dict[str, Any] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks((ROOT / "README.md").read_text()), 1):
        try:
            exec(compile(block, f"README.md block {number}", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"README.md block {number} failed: {error!r}\n{block}") from error
    out = capsys.readouterr().out
    assert "hello world" in out
    assert "QUIET" in out
    assert (Path.cwd() / "circle.png").stat().st_size > 0


def test_quickstart_runs_offline_and_leaves_the_checkout_clean(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REPLICATE_API_TOKEN", "REPLICATE_BASE_URL")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "local emulator" in result.stdout and "hello world" in result.stdout
    saved = Path(result.stdout.strip().splitlines()[-1].rpartition(" to ")[2])
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert tmp_path not in saved.parents
    assert list(tmp_path.iterdir()) == []  # nothing written where it was run


def test_the_readme_shows_one_command_for_the_tests_and_one_line_for_the_main_job() -> None:
    assert "```console\n$ scripts/test\n```" in README
    assert "pip install . && .venv/bin/python examples/quickstart.py" in README
    assert "Node.js 24.18" in README
