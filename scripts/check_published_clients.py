#!/usr/bin/env python3
"""Show that Replicate's published clients work, unchanged, against our emulator.

    python scripts/check_published_clients.py     # Python clients go into .published-clients/

For the JS client (npm `replicate`, from this repo's devDependencies: `npm ci`), `replicate==1.0.7`
and `replicate==2.0.0b4` (each Python client in its own virtualenv, so it does not clash with this
package), it runs their users' code with the base URL pointed at a running emulator and checks:

- run: `replicate/hello-world` gives its output;
- files: a file output (`replicate/image`) arrives as the client's file object, with the PNG's
  bytes (the emulator serves files as `data:` URLs here, which all three wrap, as they do the
  real API's https: URLs; they leave http://localhost URLs as strings);
- search: `QUERY /models` finds hello-world;
- metadata: an upload's metadata comes back;
- streams: a streaming model's tokens and a returning model's output both arrive on the stream.

Each check prints one line, `ok` or `FAIL`. Not part of the test suite: it needs the installs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from replicate.testing import Emulator  # noqa: E402

ENVS = ROOT / ".published-clients"

# Each script prints `check: ok|FAIL detail` lines.
V1 = """
import io, replicate
client = replicate.Client()
def check(name, ok, detail=""):
    print(f"{name}: {'ok' if ok else 'FAIL'} {detail}".rstrip())
check("run", client.run("replicate/hello-world", input={"text": "v1"}) == "hello v1")
image = client.run("replicate/image", input={"width": 2, "height": 2})
check("files", type(image).__name__ == "FileOutput" and image.read()[1:4] == b"PNG", type(image).__name__)
check("search", [m.name for m in client.models.search("hello").results] == ["hello-world"])
uploaded = client.files.create(io.BytesIO(b"abc"), metadata={"purpose": "check"})
check("metadata", uploaded.metadata == {"purpose": "check"}, repr(uploaded.metadata))
tokens = "".join(str(e) for e in client.stream("replicate/stream-tokens", input={"max_tokens": 3, "delay": 0}))
returned = "".join(str(e) for e in client.stream("replicate/hello-world", input={"text": "s"}))
check("streams", (tokens, returned) == ("Once upon a", "hello s"), repr((tokens, returned)))
"""

V2 = """
import replicate
client = replicate.Replicate()
def check(name, ok, detail=""):
    print(f"{name}: {'ok' if ok else 'FAIL'} {detail}".rstrip())
check("run", client.run("replicate/hello-world", input={"text": "v2"}) == "hello v2")
image = client.run("replicate/image", input={"width": 2, "height": 2})
check("files", type(image).__name__ == "FileOutput" and image.read()[1:4] == b"PNG", type(image).__name__)
check("search", [m.name for m in client.models.search(body="hello")] == ["hello-world"])
uploaded = client.files.create(content=b"abc", filename="a.txt", metadata={"purpose": "check"})
check("metadata", uploaded.metadata == {"purpose": "check"}, repr(uploaded.metadata))
# 2.0.0b4's Replicate.use() passes the client instance where it expects a class; the
# module-level use() works.
tokens = "".join(str(c) for c in replicate.use("replicate/stream-tokens", streaming=True)(max_tokens=3, delay=0))
returned = "".join(str(c) for c in replicate.use("replicate/hello-world", streaming=True)(text="s"))
check("streams", (tokens, returned) == ("Once upon a", "hello s"), repr((tokens, returned)))
"""

JS = """
const Replicate = require("replicate");
const client = new Replicate({ auth: process.env.REPLICATE_API_TOKEN, baseUrl: process.env.REPLICATE_BASE_URL });
const check = (name, ok, detail = "") => console.log(`${name}: ${ok ? "ok" : "FAIL"} ${detail}`.trimEnd());
const streamed = async (model, input) => {
  let text = "";
  for await (const event of client.stream(model, { input })) if (event.event === "output") text += event.data;
  return text;
};
(async () => {
  check("run", (await client.run("replicate/hello-world", { input: { text: "js" } })) === "hello js");
  const image = await client.run("replicate/image", { input: { width: 2, height: 2 } });
  const bytes = typeof image.blob === "function" ? new Uint8Array(await (await image.blob()).arrayBuffer()) : [];
  check("files", bytes[0] === 0x89 && bytes[1] === 0x50, typeof image);
  const found = await client.models.search("hello");
  check("search", found.results.map((m) => m.name).join() === "hello-world");
  const uploaded = await client.files.create(new Blob(["abc"]), { purpose: "check" });
  check("metadata", JSON.stringify(uploaded.metadata) === '{"purpose":"check"}', JSON.stringify(uploaded.metadata));
  const tokens = await streamed("replicate/stream-tokens", { max_tokens: 3, delay: 0 });
  const returned = await streamed("replicate/hello-world", { text: "s" });
  check("streams", tokens === "Once upon a" && returned === "hello s", JSON.stringify([tokens, returned]));
})().catch((error) => { console.log(`error: FAIL ${error}`); process.exit(1); });
"""


def python_with(requirement: str, name: str) -> Path:
    target = ENVS / name
    python = target / "bin" / "python"
    if not python.exists():
        venv.create(target, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--pre", requirement], check=True)
    return python


def main() -> int:
    emulator = Emulator(file_outputs="data")
    failed: List[Tuple[str, str]] = []
    with emulator.serve() as base_url:
        env = {**os.environ, "REPLICATE_API_TOKEN": emulator.token}
        # 1.x adds the /v1 prefix to its paths itself.
        runs = [
            ("replicate (npm, JS)", ["node", "-e", JS], base_url),
            (
                "replicate==1.0.7",
                [str(python_with("replicate==1.0.7", "v1")), "-c", V1],
                base_url[: -len("/v1")],
            ),
            ("replicate==2.0.0b4", [str(python_with("replicate==2.0.0b4", "v2")), "-c", V2], base_url),
        ]
        for client, command, url in runs:
            result = subprocess.run(
                command,
                cwd=ROOT,  # node finds the package in ./node_modules
                env={**env, "REPLICATE_BASE_URL": url},
                capture_output=True,
                text=True,
                timeout=120,
            )
            print(f"== {client}: exit {result.returncode}")
            print(result.stdout.strip())
            failed += [(client, line) for line in result.stdout.splitlines() if ": FAIL" in line]
            if result.returncode:
                failed.append((client, f"exit {result.returncode}"))
                print(result.stderr.strip()[-2000:])
    print(f"== {len(failed)} failed" if failed else "== every check passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
