"""Walk every page of a list, or step through pages yourself."""

import replicate

client = replicate.Replicate()
for n in range(3):
    client.run("replicate/hello-world", input={"text": str(n)})

print("all predictions:", sum(1 for _ in client.predictions.list()))

page = client.predictions.list()
while True:
    print("a page of", len(page.results))
    if not page.has_next_page():
        break
    page = page.get_next_page()
