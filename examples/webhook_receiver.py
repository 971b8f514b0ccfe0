"""Receive Replicate's webhooks on http.server, verifying each one's signature.

Starts a receiver on a free local port, runs a prediction whose webhook points at it, and
prints the verified events. In production the receiver is your public HTTPS endpoint.
"""

import queue
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import replicate

client = replicate.Replicate()
secret = client.webhooks.default.secret.get().key  # fetch once and keep it in your config
events: "queue.Queue[str]" = queue.Queue()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            prediction = client.webhooks.unwrap(body, dict(self.headers.items()), secret=secret)
        except replicate.WebhookVerificationError as error:
            self.send_response(400)
            self.end_headers()
            print("rejected:", error)
            return
        self.send_response(200)
        self.end_headers()
        events.put(prediction.status)

    def log_message(self, format: str, *args: object) -> None:
        pass


server = HTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}/hooks/replicate"

client.predictions.create(
    version="replicate/hello-world",
    input={"text": "webhook"},
    webhook=url,
    webhook_events_filter=["completed"],
)
print("verified webhook, prediction status:", events.get(timeout=30))
server.shutdown()
