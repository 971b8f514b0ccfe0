"""Every Python block of README.md runs, in order, against the emulator (like a reader would)."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import replicate

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(markdown: str) -> List[str]:
    return BLOCK.findall(markdown)


@pytest.fixture
def emulated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    from replicate.testing import Emulator

    emulator = Emulator()
    with emulator.serve() as base_url:
        monkeypatch.setenv("REPLICATE_API_TOKEN", emulator.token)
        monkeypatch.setenv("REPLICATE_BASE_URL", base_url)
        monkeypatch.chdir(tmp_path)
        yield base_url


def test_readme_has_python_blocks() -> None:
    assert len(python_blocks((ROOT / "README.md").read_text())) >= 15


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


def test_quickstart_runs_offline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    monkeypatch.delenv("REPLICATE_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["quickstart.py"])
    for name in ("base_url", "bearer_token"):
        monkeypatch.setattr(replicate, name, None)
    runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "local emulator" in out
    assert "hello world" in out
    assert (tmp_path / "hello.png").read_bytes().startswith(b"\x89PNG")
