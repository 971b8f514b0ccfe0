"""Receive Replicate's webhooks on http.server, verifying each one's signature.

Starts a receiver on a local port, runs a prediction whose webhook points at it, and prints the
verified event. In production the receiver is your public HTTPS endpoint: Replicate cannot
reach 127.0.0.1, so with a token this example needs WEBHOOK_PUBLIC_URL, a tunnel (ngrok,
cloudflared, ...) to WEBHOOK_PORT (default 8000). Without both, it runs against the emulator.
"""

import os
import queue
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from _offline import connect

import replicate

public_url = os.environ.get("WEBHOOK_PUBLIC_URL")
models = connect(offline=not public_url)
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


port = int(os.environ.get("WEBHOOK_PORT", "8000")) if public_url else 0
server = HTTPServer(("127.0.0.1", port), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = public_url or f"http://127.0.0.1:{server.server_address[1]}/hooks/replicate"

client.predictions.create(
    version=models.hello,
    input={"text": "webhook"},
    webhook=url,
    webhook_events_filter=["completed"],
)
print("verified webhook, prediction status:", events.get(timeout=60))
server.shutdown()
