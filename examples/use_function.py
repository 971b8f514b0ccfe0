"""A model as a Python function, and a run handle you can check on later."""

from _offline import connect

import replicate

models = connect()
hello = replicate.use(models.hello)
print(hello(text="function"))

run = hello.create(text="handle")
print("started", run.id)
print("output:", run.output())
