"""Print a model's output as it is generated."""

from _offline import connect

import replicate

models = connect()
chat = replicate.use(models.chat, streaming=True)
for token in chat(prompt="write a haiku about the sea"):
    print(token, end="", flush=True)
print()
