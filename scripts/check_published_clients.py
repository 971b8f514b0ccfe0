#!/usr/bin/env python3
"""Show that Replicate's published clients work, unchanged, against our emulator.

    python scripts/check_published_clients.py            # installs them into .published-clients/

For each of `replicate==1.0.7` and `replicate==2.0.0b4` (in its own virtualenv, so it does not
clash with this package), it runs `replicate.run("replicate/hello-world", ...)`, lists
predictions and streams a model, with the base URL pointed at a running emulator. Not part of
the default test run: it needs those installs from PyPI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from replicate.testing import Emulator  # noqa: E402

ENVS = ROOT / ".published-clients"

V1 = """
import replicate
client = replicate.Client()
print("run:", client.run("replicate/hello-world", input={"text": "v1"}))
page = client.predictions.list()
print("listed:", len(page.results), "predictions")
tokens = [str(event) for event in client.stream("replicate/stream-tokens", input={"max_tokens": 5})]
print("streamed:", "".join(tokens))
"""

V2 = """
import replicate
client = replicate.Replicate()
print("run:", client.run("replicate/hello-world", input={"text": "v2"}))
print("listed:", sum(1 for _ in client.predictions.list()), "predictions")
# 2.0.0b4's Replicate.use() passes the client instance where it expects a class; the
# module-level use() works.
tokens = [str(chunk) for chunk in replicate.use("replicate/stream-tokens", streaming=True)(max_tokens=5)]
print("streamed:", "".join(tokens))
"""


def python_with(requirement: str, name: str) -> Path:
    target = ENVS / name
    python = target / "bin" / "python"
    if not python.exists():
        venv.create(target, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--pre", requirement], check=True)
    return python


def main() -> int:
    failures = 0
    emulator = Emulator()
    with emulator.serve() as base_url:
        for requirement, name, script in (("replicate==1.0.7", "v1", V1), ("replicate==2.0.0b4", "v2", V2)):
            python = python_with(requirement, name)
            # 1.x adds the /v1 prefix to its paths itself.
            url = base_url.removesuffix("/v1") if name == "v1" else base_url
            env = {**os.environ, "REPLICATE_API_TOKEN": emulator.token, "REPLICATE_BASE_URL": url}
            result = subprocess.run(
                [str(python), "-c", script], env=env, capture_output=True, text=True, timeout=120
            )
            print(f"== {requirement}: exit {result.returncode}")
            print(result.stdout.strip())
            if result.returncode:
                failures += 1
                print(result.stderr.strip()[-2000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
