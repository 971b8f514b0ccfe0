"""Walk every page of a list, or step through pages yourself."""

import itertools

from _offline import connect

import replicate

models = connect()
client = replicate.Replicate()
for n in range(3):
    client.run(models.hello, input={"text": str(n)})

# Iterating a page walks every item of every page, fetching each next page only when needed.
recent = list(itertools.islice(client.predictions.list(), 100))
print("recent predictions:", len(recent))

page = client.predictions.list()
for _ in range(3):  # the first few pages, one at a time
    print("a page of", len(page.results))
    if not page.has_next_page():
        break
    page = page.get_next_page()
