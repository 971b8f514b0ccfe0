"""Run a model and print its output.

python examples/run_model.py     # offline against the emulator, or on Replicate with a token
"""

from _offline import connect

import replicate

models = connect()
output = replicate.run(models.hello, input={"text": "from run_model.py"})
print(output)
