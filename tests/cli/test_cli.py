"""The real `replicate` command, run as a subprocess (`python -m replicate`) against the emulator."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from core.scripted_server import ScriptedServer, done_only_script  # tests/ is on sys.path: tests/conftest.py
from replicate.testing import Emulator


@pytest.fixture(scope="module")
def env(emulator: Emulator) -> Iterator[Dict[str, str]]:
    yield {
        **os.environ,
        "REPLICATE_API_TOKEN": emulator.token,
        "REPLICATE_BASE_URL": emulator.base_url,
        "REPLICATE_POLL_INTERVAL": "0.1",
    }


def cli(env: Dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "replicate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def in_terminal(
    env: Dict[str, str], args: List[str], cwd: Path, *, answer: Optional[bytes] = None
) -> tuple[int, str, str]:
    """Run with stdin and stderr on a pseudo-terminal; Ctrl-C and `answer` it if given. → (code, screen, stdout)"""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "replicate", *args],
        env=env,
        cwd=cwd,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    screen = b""
    interrupted = False
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.05)
        if ready:
            try:
                screen += os.read(leader, 4096)
            except OSError:
                break
        if answer is not None and not interrupted and b"%" in screen:
            process.send_signal(signal.SIGINT)
            interrupted = True
        if interrupted and answer is not None and b"[y/N]" in screen:
            os.write(leader, answer)
            answer = None
    stdout = process.stdout.read().decode() if process.stdout else ""
    process.wait(timeout=10)
    os.close(leader)
    return process.returncode, screen.decode(errors="replace"), stdout


def test_run_prints_the_output_and_never_the_token(env: Dict[str, str], tmp_path: Path) -> None:
    result = cli(env, "run", "replicate/hello-world", "text=world", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "hello world\n")
    assert env["REPLICATE_API_TOKEN"] not in result.stdout + result.stderr


def test_python_dash_m_replicate_dot_cli_works_too(env: Dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "replicate.cli", "--help"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and "predictions" in result.stdout


def test_file_outputs_are_saved_under_their_names_and_never_overwrite(
    env: Dict[str, str], tmp_path: Path
) -> None:
    first = cli(env, "run", "replicate/image", "prompt=x", "width=8", "--output-dir", "out", cwd=tmp_path)
    second = cli(env, "run", "replicate/image", "prompt=y", "width=8", "--output-dir", "out", cwd=tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert [first.stdout, second.stdout] == [f"out{os.sep}output.png\n", f"out{os.sep}output-1.png\n"]
    assert (tmp_path / "out" / "output-1.png").read_bytes().startswith(b"\x89PNG")


def test_bad_inputs_exit_2_listing_the_valid_ones_before_any_prediction(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    before = len(emulator.predictions)
    result = cli(
        env, "run", "replicate/image", "colour=red", "width=wide", "height=@missing.png", cwd=tmp_path
    )
    assert result.returncode == 2
    assert "colour: not an input of replicate/image" in result.stderr
    assert "width: 'wide' is not an integer" in result.stderr
    assert "Valid inputs of replicate/image:" in result.stderr
    assert 'prompt  string   default "a square"' in result.stderr
    assert len(emulator.predictions) == before


def test_at_path_uploads_a_file(env: Dict[str, str], emulator: Emulator, tmp_path: Path) -> None:
    @emulator.model("acme/size")
    def size(data: Path, repeat: int = 1) -> str:  # pyright: ignore[reportUnusedFunction]
        return f"{len(Path(data).read_bytes()) * repeat} bytes"

    (tmp_path / "blob.bin").write_bytes(b"x" * 1234)
    result = cli(env, "run", "acme/size", "data=@blob.bin", "repeat=2", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "2468 bytes\n"), result.stderr


def test_exit_codes_model_failure_1_api_error_3_usage_2(env: Dict[str, str], tmp_path: Path) -> None:
    failed = cli(env, "run", "replicate/fail", "message=kaput", cwd=tmp_path)
    assert failed.returncode == 1 and "failed: kaput" in failed.stderr and failed.stdout == ""
    missing = cli(env, "predictions", "get", "nope", cwd=tmp_path)
    assert missing.returncode == 3 and "404" in missing.stderr
    bad_token = cli(env, "--token", "r8_wrong", "account", cwd=tmp_path)
    assert bad_token.returncode == 3 and "r8_wrong" not in bad_token.stderr
    no_token = cli({**env, "REPLICATE_API_TOKEN": ""}, "account", cwd=tmp_path)
    assert no_token.returncode == 2 and "--token" in no_token.stderr
    assert cli(env, "models", "get", "not-a-ref", cwd=tmp_path).returncode == 2
    assert cli(env, "frobnicate", cwd=tmp_path).returncode == 2
    unreachable = cli(env, "--base-url", "http://127.0.0.1:9/v1", "account", cwd=tmp_path)
    assert unreachable.returncode == 3


def test_json_no_wait_and_predictions_wait(env: Dict[str, str], tmp_path: Path) -> None:
    as_json = cli(env, "run", "replicate/hello-world", "text=j", "--json", cwd=tmp_path)
    assert json.loads(as_json.stdout)["output"] == "hello j"
    failed = cli(env, "run", "replicate/fail", "--json", cwd=tmp_path)
    assert failed.returncode == 1 and json.loads(failed.stdout)["status"] == "failed"
    started = cli(env, "run", "replicate/sleep", "seconds=0.3", "--no-wait", cwd=tmp_path)
    prediction_id = started.stdout.strip()
    assert started.returncode == 0 and len(prediction_id) > 10
    waited = cli(env, "predictions", "wait", prediction_id, cwd=tmp_path)
    assert waited.returncode == 0 and json.loads(waited.stdout)["status"] == "succeeded"


def test_stream_prints_chunks_and_logs_go_to_stderr(env: Dict[str, str], tmp_path: Path) -> None:
    streamed = cli(env, "run", "replicate/stream-tokens", "max_tokens=4", "--stream", cwd=tmp_path)
    assert (streamed.returncode, streamed.stdout) == (0, "Once upon a time\n")
    joined = cli(env, "run", "replicate/stream-tokens", "max_tokens=4", cwd=tmp_path)
    assert joined.stdout == "Once upon a time\n"
    logged = cli(env, "run", "replicate/sleep", "seconds=0.3", "--logs", cwd=tmp_path)
    assert " 50%|█████     | 5/10" in logged.stderr and logged.stdout == "slept 0.3s\n"


@pytest.mark.parametrize("stream_urls", [True, False], ids=["a stream", "no stream URL"])
def test_stream_prints_an_output_that_does_not_stream(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path, stream_urls: bool
) -> None:
    emulator.stream_urls = stream_urls
    try:
        hello = cli(env, "run", "replicate/hello-world", "text=cli", "--stream", cwd=tmp_path)
        image = cli(
            env, "run", "replicate/image", "prompt=p", "width=2", "height=2", "--stream", cwd=tmp_path
        )
        tokens = cli(env, "run", "replicate/stream-tokens", "max_tokens=4", "--stream", cwd=tmp_path)
    finally:
        emulator.stream_urls = True
    assert (hello.returncode, hello.stdout) == (0, "hello cli\n")
    assert (tokens.returncode, tokens.stdout) == (0, "Once upon a time\n")
    assert image.returncode == 0 and image.stdout.strip().endswith("output.png")
    assert (tmp_path / image.stdout.strip()).read_bytes().startswith(b"\x89PNG")


def test_stream_prints_the_output_when_the_stream_carries_only_done(tmp_path: Path) -> None:
    for server in ScriptedServer().serve():
        server.queue(*done_only_script(server, "hello from the prediction"))
        env = {**os.environ, "REPLICATE_API_TOKEN": "r8_test", "REPLICATE_BASE_URL": server.base_url}
        result = cli(env, "run", "acme/hello", "--stream", cwd=tmp_path)
        assert (result.returncode, result.stdout) == (0, "hello from the prediction\n"), result.stderr
        assert [r.path for r in server.requests][-2:] == ["/v1/streams/p1", "/v1/predictions/p1"]


def test_piped_runs_print_plain_status_lines(env: Dict[str, str], tmp_path: Path) -> None:
    result = cli(env, "run", "replicate/sleep", "seconds=1.6", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "slept 1.6s\n"
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(" processing " in line and "% " in line for line in lines), lines
    assert " succeeded " in lines[-1] and lines[-1].endswith("100% 10/10")


def test_a_terminal_gets_a_live_progress_line(env: Dict[str, str], tmp_path: Path) -> None:
    code, screen, stdout = in_terminal(env, ["run", "replicate/sleep", "seconds=1.6"], tmp_path)
    assert code == 0 and stdout == "slept 1.6s\n"
    assert "\r\x1b[2K" in screen  # redrawn in place
    assert "processing" in screen and "█" in screen and "░" in screen
    assert "100% 10/10" in screen


def test_ctrl_c_on_a_terminal_asks_and_yes_cancels(env: Dict[str, str], tmp_path: Path) -> None:
    code, screen, _ = in_terminal(env, ["run", "replicate/sleep", "seconds=5"], tmp_path, answer=b"y\n")
    assert "Cancel prediction" in screen and "canceled prediction" in screen
    assert code == 1
    prediction_id = re.findall(r"canceled prediction (\w+)", screen)[0]
    shown = cli(env, "predictions", "get", prediction_id, cwd=tmp_path)
    assert json.loads(shown.stdout)["status"] == "canceled"


def test_ctrl_c_on_a_terminal_no_leaves_it_running(env: Dict[str, str], tmp_path: Path) -> None:
    code, screen, _ = in_terminal(env, ["run", "replicate/sleep", "seconds=3"], tmp_path, answer=b"n\n")
    assert code == 130 and "is still running" in screen and "replicate predictions wait" in screen


def test_cancel_on_interrupt_cancels_without_asking(env: Dict[str, str], tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "replicate", "run", "replicate/sleep", "seconds=5", "--cancel-on-interrupt"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()  # the first status line: the prediction exists
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=20)
    prediction_id = first.split()[0]
    assert process.returncode == 1
    assert f"canceled prediction {prediction_id}" in rest
    shown = cli(env, "predictions", "get", prediction_id, cwd=tmp_path)
    assert json.loads(shown.stdout)["status"] == "canceled"


def test_inspection_commands(env: Dict[str, str], tmp_path: Path) -> None:
    schema = cli(env, "models", "schema", "replicate/sleep", cwd=tmp_path).stdout
    assert "seconds  number  default 1.0" in schema and "Output: string" in schema
    assert "gpu-t4" in cli(env, "hardware", "list", cwd=tmp_path).stdout
    assert json.loads(cli(env, "account", cwd=tmp_path).stdout)["username"] == "emulator"
    listed = cli(env, "models", "list", "--json", cwd=tmp_path)
    assert "replicate/hello-world" in {f"{m['owner']}/{m['name']}" for m in json.loads(listed.stdout)}
    assert "replicate/image" in cli(env, "models", "search", "square", cwd=tmp_path).stdout
    assert cli(env, "predictions", "list", "--limit", "2", cwd=tmp_path).stdout.count("\n") <= 3


def test_model_prediction_deployment_and_training_commands(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    client = emulator.client()
    version = client.models.get(model_owner="replicate", model_name="hello-world").latest_version
    assert version is not None
    model = json.loads(cli(env, "models", "get", "replicate/hello-world", cwd=tmp_path).stdout)
    assert model["latest_version"]["id"] == version.id
    assert version.id in cli(env, "models", "versions", "replicate/hello-world", cwd=tmp_path).stdout

    running = client.predictions.create(
        version="replicate/sleep", input={"seconds": 60}
    )  # outlasts slow CLI starts
    got = cli(env, "predictions", "get", running.id, cwd=tmp_path)
    assert got.returncode == 0 and json.loads(got.stdout)["id"] == running.id
    canceled = cli(env, "predictions", "cancel", running.id, cwd=tmp_path)
    assert canceled.returncode == 0 and json.loads(canceled.stdout)["status"] == "canceled"
    assert emulator.predictions[running.id].status == "canceled"

    client.deployments.create(
        name="cli-hello",
        model="replicate/hello-world",
        version=version.id,
        hardware="cpu",
        min_instances=0,
        max_instances=1,
    )
    assert "emulator/cli-hello" in cli(env, "deployments", "list", cwd=tmp_path).stdout
    deployment = json.loads(cli(env, "deployments", "get", "emulator/cli-hello", cwd=tmp_path).stdout)
    assert deployment["current_release"]["version"] == version.id

    client.models.create(owner="emulator", name="cli-tuned", visibility="private", hardware="cpu")
    training = client.trainings.create(
        model_owner="replicate",
        model_name="hello-world",
        version_id=version.id,
        destination="emulator/cli-tuned",
        input={},
    )
    assert training.id in cli(env, "trainings", "list", cwd=tmp_path).stdout
    assert json.loads(cli(env, "trainings", "get", training.id, cwd=tmp_path).stdout)["id"] == training.id
    assert cli(env, "trainings", "cancel", training.id, cwd=tmp_path).returncode == 0
    assert emulator.seen("POST", f"/trainings/{training.id}/cancel")


def test_the_console_script_is_installed(env: Dict[str, str], tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("replicate")
    assert script.exists(), "the `replicate` console script is installed next to the interpreter"
    account = subprocess.run([str(script), "account"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert account.returncode == 0 and json.loads(account.stdout)["username"] == "emulator"


def test_files_upload_list_get_download_delete(
    env: Dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hi there")
    uploaded = json.loads(cli(env, "files", "upload", str(note), cwd=tmp_path).stdout)
    assert uploaded["id"] in cli(env, "files", "list", cwd=tmp_path).stdout
    assert json.loads(cli(env, "files", "get", uploaded["id"], cwd=tmp_path).stdout)["size"] == 8
    url = emulator.download_url(uploaded["id"])
    downloaded = cli(env, "files", "download", url, "--output-dir", "dl", cwd=tmp_path)
    assert downloaded.returncode == 0, downloaded.stderr
    assert Path(tmp_path, downloaded.stdout.strip()).read_text() == "hi there"
    assert cli(env, "files", "delete", uploaded["id"], cwd=tmp_path).returncode == 0
    assert cli(env, "files", "get", uploaded["id"], cwd=tmp_path).returncode == 3
    assert cli(env, "files", "upload", "nope.txt", cwd=tmp_path).returncode == 2
