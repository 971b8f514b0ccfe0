"""Upload a file, pass files as input, and save a file output."""

from pathlib import Path

import replicate

client = replicate.Replicate()

notes = Path("notes.txt")
notes.write_text("files travel as URLs or data: URIs")
uploaded = client.files.create(content=notes)
print("uploaded", uploaded.id, uploaded.size, "bytes")

image = client.run("replicate/image", input={"prompt": "a green triangle"})
image.save(Path("triangle.png"))
print("saved", image.content_type, "to triangle.png")

client.files.delete(file_id=uploaded.id)
