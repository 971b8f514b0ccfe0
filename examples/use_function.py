"""A model as a Python function, and a run handle you can check on later."""

import replicate

hello = replicate.use("replicate/hello-world")
print(hello(text="function"))

run = hello.create(text="handle")
print("started", run.id)
print("output:", run.output())
