"""Print a model's output as it is generated."""

import replicate

chat = replicate.use("replicate/stream-tokens", streaming=True)
for token in chat(prompt="write a haiku about the sea"):
    print(token, end="", flush=True)
print()
