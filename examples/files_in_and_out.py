"""Upload a file, pass files as input, and save a file output (into a temporary directory)."""

import tempfile
from pathlib import Path

from _offline import connect, first

import replicate

models = connect()
client = replicate.Replicate()
workdir = Path(tempfile.mkdtemp(prefix="replicate-example-"))

notes = workdir / "notes.txt"
notes.write_text("files travel as URLs or data: URIs")
uploaded = client.files.create(content=notes)
print("uploaded", uploaded.id, uploaded.size, "bytes")

image = first(client.run(models.image, input={"prompt": "a green triangle"}))
target = image.save(workdir)  # a directory: the file keeps its own name
print("saved", image.content_type, "to", target)

client.files.delete(file_id=uploaded.id)
