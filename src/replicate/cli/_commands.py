"""Each command of `replicate`: a function of the client and the parsed arguments → exit code.

`run` is the one with moving parts:

    key=value ──schema of the version──▶ input (UsageError before anything is created)
    client.run(ref, input=..., progress=StatusLine.update)   (--stream: the event stream instead)
    Ctrl-C ──SIGINT handler raises Interrupted──▶ ask (a terminal) / cancel (--cancel-on-interrupt)
                                                  / leave it running (piped), exit 130
    output ──_outputs.print_output──▶ stdout (files saved in --output-dir, their paths printed)

`Interrupted` is an ordinary exception on purpose: `run()` cancels a prediction for a
KeyboardInterrupt, but here the person decides.
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Generator, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from ._args import EXIT_INTERRUPTED, EXIT_MODEL, EXIT_OK, EXIT_USAGE, UsageError
from ._display import StatusLine
from ._inputs import InputSpec, describe_inputs, input_specs, parse_inputs

if TYPE_CHECKING:
    from .._client import Replicate
    from .._http.steps import Steps
    from .._running.run import RunPlan
    from ..types import Prediction

__all__ = ["Interrupted", "dispatch"]


class Interrupted(Exception):
    """Ctrl-C while prediction `args[0]` runs (raised by our SIGINT handler)."""


def dispatch(client: Replicate, args: argparse.Namespace) -> int:
    if args.command == "run":
        return run(client, args)
    if args.command == "run-many":
        from ._run_many import run_many

        return run_many(client, args, schema_of(client, args.ref) if args.inputs.endswith(".csv") else None)
    if args.command == "account":
        return _print_json(client.account.get())
    handler: Callable[[Replicate, argparse.Namespace], int] = {
        "predictions": predictions,
        "models": models,
        "files": files,
        "deployments": deployments,
        "trainings": trainings,
        "hardware": hardware,
    }[args.command]
    return handler(client, args)


# -- printing ----------------------------------------------------------------------------------------


def _print_json(value: Any) -> int:
    data = value.to_dict(mode="json") if hasattr(value, "to_dict") else value
    print(json.dumps(data, indent=2))
    return EXIT_OK


def _listing(
    items: Any, args: argparse.Namespace, columns: List[Tuple[str, Callable[[Any], object]]], noun: str
) -> int:
    """`--json`: a JSON array; else an aligned table with a header, or "No <noun>." on stderr
    when there is nothing to list. At most `--limit` rows."""
    rows: List[Any] = list(itertools.islice(items, args.limit))
    if args.json:
        print(json.dumps([row.to_dict(mode="json") for row in rows], indent=2))
        return EXIT_OK
    if not rows:
        print(f"No {noun}.", file=sys.stderr)
        return EXIT_OK
    table = [[title for title, _ in columns]]
    table += [["" if cell(row) is None else str(cell(row)) for _, cell in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip())
    return EXIT_OK


def _field(name: str) -> Callable[[Any], object]:
    return lambda item: getattr(item, name, None)


def _when(name: str) -> Callable[[Any], object]:
    """A timestamp column: UTC to the second (`2026-11-24 23:58:44`), as the header says."""

    def cell(item: Any) -> object:
        value = getattr(item, name, None)
        if not isinstance(value, datetime):
            return value
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M:%S")

    return cell


def _short(name: str, width: int = 60) -> Callable[[Any], object]:
    def cell(item: Any) -> object:
        text = " ".join(str(getattr(item, name, None) or "").split())
        return text if len(text) <= width else text[: width - 1] + "…"

    return cell


def _owner_name(ref: str) -> Tuple[str, str, Optional[str]]:
    owner, _, rest = ref.partition("/")
    name, _, version = rest.partition(":")
    if not owner or not name or "/" in name:
        raise UsageError(f"expected OWNER/NAME, got {ref!r}")
    return owner, name, version or None


# -- run ---------------------------------------------------------------------------------------------


def schema_of(client: Replicate, ref: str) -> Optional[Dict[str, Any]]:
    """The OpenAPI schema of the version `ref` runs (`owner/name` → its latest), or None."""
    if "/" not in ref:
        return None  # a bare version id: the API cannot look it up without its model
    owner, name, version = _owner_name(ref)
    if version:
        schema = client.models.versions.get(
            model_owner=owner, model_name=name, version_id=version
        ).openapi_schema
    else:
        latest = client.models.get(model_owner=owner, model_name=name).latest_version
        schema = latest.openapi_schema if latest is not None else None
    return dict(schema) if schema else None


@contextmanager
def interrupts(current: Callable[[], Optional[str]]) -> Generator[None, None, None]:
    """While inside, Ctrl-C raises `Interrupted(id)` once a prediction exists (KeyboardInterrupt before)."""

    def handler(signum: int, frame: object) -> None:
        prediction_id = current()
        if prediction_id is None:
            raise KeyboardInterrupt
        raise Interrupted(prediction_id)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (main() called from a thread): keep the default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ask(question: str) -> bool:
    """A yes/no question on the terminal; anything but yes (EOF, another Ctrl-C) is no."""
    if not sys.stdin.isatty():
        return False
    sys.stderr.write(question)
    sys.stderr.flush()
    try:
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\n")
        return False


def _interrupted(client: Replicate, prediction_id: str, cancel: bool) -> int:
    if cancel or _ask(f"Cancel prediction {prediction_id}? [y/N] "):
        client.predictions.cancel(prediction_id=prediction_id)
        print(f"replicate: canceled prediction {prediction_id}", file=sys.stderr)
        return EXIT_MODEL
    print(
        f"replicate: prediction {prediction_id} is still running;"
        f" follow it with `replicate predictions wait {prediction_id}`",
        file=sys.stderr,
    )
    return EXIT_INTERRUPTED


def _failed(prediction: Prediction) -> int:
    reason = f": {prediction.error}" if prediction.error else ""
    print(f"replicate: prediction {prediction.id} {prediction.status}{reason}", file=sys.stderr)
    return EXIT_MODEL


class _Watcher:
    """The `progress=` callback of `replicate run`: the status line, and new logs with --logs."""

    def __init__(self, status: StatusLine, show_logs: bool) -> None:
        self.status = status
        self.show_logs = show_logs
        self.latest: Optional[Prediction] = None
        self._logged = 0

    def __call__(self, prediction: Prediction) -> None:
        self.latest = prediction
        logs = prediction.logs or ""
        if self.show_logs and len(logs) > self._logged:
            self.status.write(logs[self._logged :].replace("\r", "\n").rstrip("\n"))
            self._logged = len(logs)
        self.status.update(prediction)

    @property
    def prediction_id(self) -> Optional[str]:
        return self.latest.id if self.latest is not None else None


def run(client: Replicate, args: argparse.Namespace) -> int:
    from .._http.steps import complete
    from .._running.run import is_iterator, output_schema, prepare_run
    from ._outputs import check_directory

    if not (args.no_wait or args.json):  # output files will be saved: fail now, not after paying
        try:
            check_directory(Path(args.output_dir))
        except OSError as error:
            raise UsageError(str(error)) from None
    schema = schema_of(client, args.ref)
    specs: Optional[Dict[str, InputSpec]] = input_specs(schema)
    inputs = parse_inputs(args.inputs, specs, model=args.ref)
    if args.no_wait:
        plan = prepare_run(client, args.ref, input=inputs, wait=False)
        created: Prediction = complete(client, plan.create())
        if args.json:
            return _print_json(created)
        print(created.id)
        return EXIT_OK
    if args.stream:
        return _run_streaming(client, args, inputs)

    from .._base.errors import ModelError
    from ._outputs import print_output

    watcher = _Watcher(StatusLine(sys.stderr), show_logs=args.logs)
    try:
        with watcher.status, interrupts(lambda: watcher.prediction_id):
            output = client.run(args.ref, input=inputs, progress=watcher)
    except Interrupted as interrupt:
        return _interrupted(client, interrupt.args[0], args.cancel_on_interrupt)
    except ModelError as error:
        if args.json:
            _print_json(error.prediction)
        return _failed(error.prediction)
    final = watcher.latest
    assert final is not None
    if watcher.status.live:  # the live line is gone: leave a record (plain lines already have one)
        print(f"{final.id} {final.status}", file=sys.stderr)
    if args.json:
        return _print_json(final)
    # an iterator model's text (a language model's tokens) prints as one text, as it streamed
    text = is_iterator(output_schema(schema))
    return EXIT_OK if print_output(output, Path(args.output_dir), sys.stdout, join_text=text) else EXIT_USAGE


def _run_streaming(client: Replicate, args: argparse.Namespace, inputs: Dict[str, Any]) -> int:
    """`run --stream`: output chunks to stdout as they come (files saved), logs to stderr."""
    from .._base.errors import ModelError
    from .._http.steps import iterate
    from .._running.file_output import FileOutput, is_file_url
    from .._running.run import prepare_run
    from ._outputs import print_output, save_file

    plan = prepare_run(client, args.ref, input=inputs, wait=False, stream=True)
    holder: List[Prediction] = []
    directory = Path(args.output_dir)
    taken: List[str] = []
    ended_with_newline = True
    saved_all = True
    try:
        with interrupts(lambda: holder[0].id if holder else None):
            for kind, value in iterate(client, _streaming_steps(plan, holder)):
                if kind == "logs":
                    if args.logs:
                        print(value, file=sys.stderr, flush=True)
                elif kind == "whole":  # text pieces print joined, as streamed chunks would
                    saved_all = print_output(value, directory, sys.stdout, join_text=True) and saved_all
                elif is_file_url(value):
                    try:
                        print(save_file(FileOutput(value, client), directory, taken), flush=True)
                    except OSError as error:
                        saved_all = False
                        print(f"replicate: could not save {value}: {error}", file=sys.stderr)
                        print(value, flush=True)
                else:
                    sys.stdout.write(value)
                    sys.stdout.flush()
                    ended_with_newline = value.endswith("\n") if value else ended_with_newline
    except Interrupted as interrupt:
        return _interrupted(client, interrupt.args[0], args.cancel_on_interrupt)
    except ModelError as error:
        if not ended_with_newline:
            sys.stdout.write("\n")
        return _failed(error.prediction)
    if not ended_with_newline:
        sys.stdout.write("\n")
    return EXIT_OK if saved_all else EXIT_USAGE


def _streaming_steps(plan: RunPlan, holder: List[Prediction]) -> Steps[None]:
    from .._running.stream import follow_or_finish
    from ..resources.predictions import Predictions

    prediction = yield from plan.create()
    holder.append(prediction)
    final = yield from follow_or_finish(
        plan,
        prediction,
        kinds={"output", "logs"},
        emit=lambda event: (event.event, event.data),
        whole=lambda final: [("whole", plan.output(final))],
    )
    holder.append(final or (yield Predictions.get.build(None, prediction_id=prediction.id)))


# -- the other commands -------------------------------------------------------------------------------

_PREDICTION_COLUMNS: List[Tuple[str, Callable[[Any], object]]] = [
    ("ID", _field("id")),
    ("MODEL", _field("model")),
    ("STATUS", _field("status")),
    ("CREATED (UTC)", _when("created_at")),
]


def predictions(client: Replicate, args: argparse.Namespace) -> int:
    if args.action == "list":
        return _listing(client.predictions.list(), args, _PREDICTION_COLUMNS, "predictions")
    prediction_id: str = args.prediction_id
    if args.action == "get":
        return _print_json(client.predictions.get(prediction_id=prediction_id))
    if args.action == "cancel":
        return _print_json(client.predictions.cancel(prediction_id=prediction_id))
    from .._http.steps import complete
    from .._running.run import ProgressWatch, wait_steps

    prediction = client.predictions.get(prediction_id=prediction_id)
    with StatusLine(sys.stderr) as status:
        final = complete(client, wait_steps(prediction, ProgressWatch(status.update)))
    _print_json(final)
    return EXIT_OK if final.status == "succeeded" else EXIT_MODEL


def models(client: Replicate, args: argparse.Namespace) -> int:
    columns: List[Tuple[str, Callable[[Any], object]]] = [
        ("MODEL", lambda m: f"{m.owner}/{m.name}"),
        ("RUNS", _field("run_count")),
        ("DESCRIPTION", _short("description")),
    ]
    if args.action == "list":
        return _listing(client.models.list(), args, columns, "models")
    if args.action == "search":
        return _listing(client.models.search(body=args.query), args, columns, f"models match {args.query!r}")
    owner, name, version = _owner_name(args.ref)
    if args.action == "get":
        return _print_json(client.models.get(model_owner=owner, model_name=name))
    if args.action == "versions":
        versions = client.models.versions.list(model_owner=owner, model_name=name)
        columns = [("VERSION", _field("id")), ("CREATED (UTC)", _when("created_at"))]
        return _listing(versions, args, columns, f"versions of {owner}/{name}")
    schema = schema_of(client, args.ref)
    if args.json:
        return _print_json(schema or {})
    specs = input_specs(schema)
    if specs is None:
        raise UsageError(f"{args.ref} has no OpenAPI schema to describe")
    print(f"Inputs of {owner}/{name}{':' + version if version else ''}:")
    print(describe_inputs(specs))
    output = InputSpec(
        "output", (schema or {}).get("components", {}).get("schemas", {}).get("Output", {}), False
    )
    print(f"Output: {output.type}" + (f" of {output.item.type}" if output.type == "array" else ""))
    return EXIT_OK


def files(client: Replicate, args: argparse.Namespace) -> int:
    if args.action == "upload":
        path = Path(args.path).expanduser()
        if not path.is_file():
            raise UsageError(f"no such file: {args.path}")
        return _print_json(client.files.create(content=path))
    if args.action == "list":
        columns: List[Tuple[str, Callable[[Any], object]]] = [
            ("ID", _field("id")),
            ("NAME", _field("name")),
            ("TYPE", _field("content_type")),
            ("SIZE", _field("size")),
            ("CREATED (UTC)", _when("created_at")),
        ]
        return _listing(client.files.list(), args, columns, "files")
    if args.action == "get":
        return _print_json(client.files.get(file_id=args.file_id))
    if args.action == "delete":
        client.files.delete(file_id=args.file_id)
        print(f"deleted {args.file_id}", file=sys.stderr)
        return EXIT_OK
    return _download(client, args.url, Path(args.output_dir))


def _signed_url(client: Replicate, given: str) -> str:
    """`given` if it is a URL; for a file ID (what `files list` prints), the signed download URL
    the API gives with the file, if it gives one."""
    if "/" in given:
        return given
    file = client.files.get(file_id=given)
    for url in file.urls.to_dict().values():
        if isinstance(url, str) and "/download?" in url:
            return url
    raise UsageError(
        f"the API gives no download URL for file {given}: Replicate serves a file's bytes only through"
        " a signed URL (.../files/ID/download?expiry=...&owner=...&signature=...); pass that URL"
    )


def _download(client: Replicate, given: str, directory: Path) -> int:
    from ._outputs import choose_filename

    url = _signed_url(client, given)
    parts = urlsplit(url)
    segments = parts.path.rstrip("/").split("/")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if len(segments) < 3 or segments[-1] != "download" or not {"expiry", "owner", "signature"} <= set(query):
        raise UsageError(
            "expected a signed download URL: .../files/ID/download?expiry=...&owner=...&signature=..."
        )
    if not query["expiry"].isdigit():
        raise UsageError(f"the URL's expiry is not a number: {query['expiry']!r}")
    file_id = segments[-2]
    response = client.files.download(
        file_id=file_id, expiry=int(query["expiry"]), owner=query["owner"], signature=query["signature"]
    )
    content_type = response.headers.get("content-type")
    disposition = response.headers.get("content-disposition", "")
    named = disposition.partition("filename=")[2].strip().strip('"')
    directory.mkdir(parents=True, exist_ok=True)
    name = choose_filename(named or file_id, content_type, lambda n: (directory / n).exists())
    target = directory / name
    target.write_bytes(response.read())
    print(target)
    return EXIT_OK


def deployments(client: Replicate, args: argparse.Namespace) -> int:
    if args.action == "list":
        columns: List[Tuple[str, Callable[[Any], object]]] = [
            ("DEPLOYMENT", lambda d: f"{d.owner}/{d.name}"),
            ("MODEL", lambda d: getattr(d.current_release, "model", None) if d.current_release else None),
            ("VERSION", lambda d: getattr(d.current_release, "version", None) if d.current_release else None),
        ]
        return _listing(client.deployments.list(), args, columns, "deployments")
    owner, name, _ = _owner_name(args.ref)
    return _print_json(client.deployments.get(deployment_owner=owner, deployment_name=name))


def trainings(client: Replicate, args: argparse.Namespace) -> int:
    if args.action == "list":
        return _listing(client.trainings.list(), args, _PREDICTION_COLUMNS, "trainings")
    if args.action == "get":
        return _print_json(client.trainings.get(training_id=args.training_id))
    return _print_json(client.trainings.cancel(training_id=args.training_id))


def hardware(client: Replicate, args: argparse.Namespace) -> int:
    columns: List[Tuple[str, Callable[[Any], object]]] = [("SKU", _field("sku")), ("NAME", _field("name"))]
    return _listing(iter(client.hardware.list()), args, columns, "hardware")
