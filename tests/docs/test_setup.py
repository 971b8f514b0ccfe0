"""`scripts/test` on a fresh clone: `scripts/setup` makes .venv and runs `npm ci` when missing, and
the tests use .venv even when the person's own virtualenv (without the dev tools) is active."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parents[2]


def checkout(tmp_path: Path) -> Path:
    """A checkout that shares this one's .venv (linked) and has no node_modules."""
    tree = tmp_path / "clone"
    (tree / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "setup", tree / "scripts" / "setup")
    for name in ("pyproject.toml", "package.json", "package-lock.json"):
        shutil.copy2(ROOT / name, tree / name)
    (tree / ".venv").symlink_to(Path(sys.prefix))
    return tree


def foreign_virtualenv(tmp_path: Path) -> Dict[str, str]:
    """The environment of a shell where the user's own (bare) virtualenv is active."""
    theirs = tmp_path / "theirs"
    venv.create(theirs, with_pip=False)
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(theirs)
    env["PATH"] = f"{theirs / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def fake_npm(tmp_path: Path) -> Dict[str, str]:
    """A PATH whose npm records its arguments and installs what package.json names (empty)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    packages = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    npm.write_text(
        '#!/bin/sh\necho "$@" > npm-args\nmkdir -p node_modules/.bin\n'
        "touch node_modules/.bin/prism node_modules/.bin/pyright\n"
        "chmod +x node_modules/.bin/prism node_modules/.bin/pyright\n"
        + "".join(
            f"mkdir -p node_modules/{name} && echo {{}} > node_modules/{name}/package.json\n"
            for name in packages
        )
    )
    npm.chmod(0o755)
    env = foreign_virtualenv(tmp_path)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def test_setup_runs_npm_ci_when_node_tools_are_missing(tmp_path: Path) -> None:
    tree = checkout(tmp_path)
    env = fake_npm(tmp_path)
    result = subprocess.run(
        [str(tree / "scripts" / "setup")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert (tree / "npm-args").read_text().split()[0] == "ci"
    assert "pip install" not in result.stderr  # .venv already has the dev tools: nothing to install
    again = subprocess.run([str(tree / "scripts" / "setup")], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stderr == ""  # everything is there: nothing to do


def test_setup_runs_npm_ci_when_a_package_added_to_package_json_is_missing(tmp_path: Path) -> None:
    tree = checkout(tmp_path)
    env = fake_npm(tmp_path)
    subprocess.run([str(tree / "scripts" / "setup")], env=env, capture_output=True, timeout=60, check=True)
    (tree / "npm-args").unlink()
    shutil.rmtree(tree / "node_modules" / "replicate")  # an older checkout: the JS client came later
    result = subprocess.run([str(tree / "scripts" / "setup")], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tree / "npm-args").read_text().split()[0] == "ci"


def test_setup_says_node_is_needed_when_npm_is_missing(tmp_path: Path) -> None:
    tree = checkout(tmp_path)
    env = foreign_virtualenv(tmp_path)
    tools = tmp_path / "tools"  # a PATH with a shell but no npm
    tools.mkdir()
    for name in ("bash", "dirname"):
        found = shutil.which(name)
        assert found is not None
        (tools / name).symlink_to(found)
    env["PATH"] = f"{tmp_path / 'theirs' / 'bin'}{os.pathsep}{tools}"
    result = subprocess.run(
        [str(tree / "scripts" / "setup")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "Node.js >= 24.18" in result.stderr


def test_the_tests_use_dot_venv_not_the_active_virtualenv() -> None:
    text = (ROOT / "scripts" / "test").read_text()
    assert "scripts/setup" in text and "python=.venv/bin/python" in text
    assert "VIRTUAL_ENV" not in text
