"""Run a model and print its output. Needs REPLICATE_API_TOKEN (or an emulator's base URL)."""

import replicate

output = replicate.run("replicate/hello-world", input={"text": "from run_model.py"})
print(output)
