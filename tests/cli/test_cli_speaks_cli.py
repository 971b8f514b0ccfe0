"""The installed `replicate` console script, as a newcomer meets it: --version, usage, token
errors in CLI terms, @file / @- inputs, refused mistakes, readable tables."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

from replicate import __version__
from replicate.testing import Emulator

SCRIPT = shutil.which("replicate", path=str(Path(sys.executable).parent))


@pytest.fixture(scope="module")
def env(emulator: Emulator) -> Iterator[Dict[str, str]]:
    yield {
        **os.environ,
        "REPLICATE_API_TOKEN": emulator.token,
        "REPLICATE_BASE_URL": emulator.base_url,
        "REPLICATE_POLL_INTERVAL": "0.1",
    }


def replicate(
    env: Dict[str, str], *args: str, cwd: Path, stdin: Optional[str] = None
) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None, "the `replicate` console script is installed beside the interpreter"
    return subprocess.run(
        [SCRIPT, *args], env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_version_and_bare_usage(env: Dict[str, str], tmp_path: Path) -> None:
    version = replicate(env, "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"replicate {__version__}")
    bare = replicate(env, cwd=tmp_path)
    assert bare.returncode == 2 and "usage: replicate" in bare.stderr
    assert "predictions" in bare.stderr and "error:" not in bare.stderr
    namespace = replicate(env, "models", cwd=tmp_path)
    assert namespace.returncode == 2 and "usage: replicate models" in namespace.stderr
    assert "schema" in namespace.stderr


def test_token_errors_name_the_variable_and_the_flag(env: Dict[str, str], tmp_path: Path) -> None:
    missing = replicate({**env, "REPLICATE_API_TOKEN": ""}, "account", cwd=tmp_path)
    assert missing.returncode == 2
    assert "REPLICATE_API_TOKEN" in missing.stderr and "--token" in missing.stderr
    assert "bearer_token" not in missing.stderr
    refused = replicate(env, "--token", "r8_wrong", "account", cwd=tmp_path)
    assert refused.returncode == 3 and "401" in refused.stderr
    assert "--token" in refused.stderr and "bearer_token" not in refused.stderr
    assert "): set the REPLICATE_API_TOKEN" in refused.stderr  # one sentence, not ". set"
    assert "r8_wrong" not in refused.stderr


def test_at_file_and_at_stdin_fill_string_inputs(env: Dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "name.txt").write_text("from a file")
    from_file = replicate(env, "run", "replicate/hello-world", "text=@name.txt", cwd=tmp_path)
    assert (from_file.returncode, from_file.stdout) == (0, "hello from a file\n"), from_file.stderr
    piped = replicate(env, "run", "replicate/hello-world", "text=@-", cwd=tmp_path, stdin="piped")
    assert (piped.returncode, piped.stdout) == (0, "hello piped\n"), piped.stderr
    literal = replicate(env, "run", "replicate/hello-world", "text=@@handle", cwd=tmp_path)
    assert literal.stdout == "hello @handle\n"
    missing = replicate(env, "run", "replicate/hello-world", "text=@nope.txt", cwd=tmp_path)
    assert missing.returncode == 2 and "cannot read nope.txt" in missing.stderr


def test_mistakes_are_refused_before_any_prediction(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    before = len(emulator.predictions)
    twice = replicate(env, "run", "replicate/hello-world", "text=a", "text=b", cwd=tmp_path)
    assert twice.returncode == 2 and "text: given twice" in twice.stderr
    (tmp_path / "taken").write_text("a file, not a directory")
    bad_dir = replicate(env, "run", "replicate/image", "--output-dir", "taken", cwd=tmp_path)
    assert bad_dir.returncode == 2 and "not a directory" in bad_dir.stderr
    for flags in (["--no-wait", "--stream"], ["--json", "--stream"], ["--json", "--no-wait", "--stream"]):
        conflict = replicate(env, "run", "replicate/stream-tokens", *flags, cwd=tmp_path)
        assert conflict.returncode == 2 and "cannot be combined" in conflict.stderr, flags
    for limit in ("-1", "0", "many"):
        listed = replicate(env, "predictions", "list", "--limit", limit, cwd=tmp_path)
        assert listed.returncode == 2 and "at least 1" in listed.stderr
    assert len(emulator.predictions) == before


def test_when_saving_fails_the_urls_are_printed(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()

    @emulator.model("acme/vandal")
    def vandal() -> Path:  # pyright: ignore[reportUnusedFunction]
        out.rmdir()  # while the model runs, the output directory becomes a file
        out.write_text("in the way")
        target = Path(emulator_files) / "picture.png"
        target.write_bytes(b"\x89PNG")
        return target

    emulator_files = tmp_path / "model-files"
    emulator_files.mkdir()
    result = replicate(env, "run", "acme/vandal", "--output-dir", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.startswith("http") and "picture.png" in result.stdout
    assert "could not save" in result.stderr


def test_tables_show_readable_times(env: Dict[str, str], emulator: Emulator, tmp_path: Path) -> None:
    emulator.client().run("replicate/hello-world", input={"text": "t"})
    table = replicate(env, "predictions", "list", "--limit", "1", cwd=tmp_path).stdout.splitlines()
    assert table[0].split()[-2:] == ["CREATED", "(UTC)"]
    assert re.search(r"  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", table[1]), table[1]


def test_empty_lists_say_so(tmp_path: Path) -> None:
    empty = Emulator(builtin_models=False)
    with empty.serve() as base_url:
        env = {**os.environ, "REPLICATE_API_TOKEN": empty.token, "REPLICATE_BASE_URL": base_url}
        for command, message in (("predictions", "No predictions."), ("trainings", "No trainings.")):
            listed = replicate(env, command, "list", cwd=tmp_path)
            assert (listed.returncode, listed.stdout, listed.stderr.strip()) == (0, "", message)
        assert replicate(env, "predictions", "list", "--json", cwd=tmp_path).stdout.strip() == "[]"


def test_files_download_takes_what_files_list_prints(env: Dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("hi")
    assert replicate(env, "files", "upload", "note.txt", cwd=tmp_path).returncode == 0
    listed = replicate(env, "files", "list", cwd=tmp_path).stdout.splitlines()
    file_id = listed[1].split()[0]
    downloaded = replicate(env, "files", "download", file_id, cwd=tmp_path)
    # The API serves a file's bytes only through a signed URL, which files get/list do not carry:
    # the command says so, and what to pass instead, rather than failing on the URL's shape.
    assert downloaded.returncode == 2
    assert f"no download URL for file {file_id}" in downloaded.stderr and "signature=" in downloaded.stderr
