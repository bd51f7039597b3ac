"""An example receiver of Verkställ's webhooks, with the standard library only (issue 20).

It checks each delivery's signature, refuses a forged one and a replayed one (a timestamp more
than five minutes off), takes each event once, by its `Verkstall-Event-Id` (delivery is at
least once: an event whose answer was lost, or that a sending worker posted just before it
died, comes again; it is answered 200 and not taken twice), and appends what it took to a
JSON-lines file. A real system would keep the taken ids with what it stored (here they live
as long as the process), fetch the order with its API key (`GET /api/orders/{order}/`) and,
for a `message_sent` event, the message (`GET /api/messages/{message}/`): no payload carries
a name or a text.

    VERKSTALL_WEBHOOK_SECRET=<secret shown when the webhook was registered> \
        python webhook_receiver.py [port] [events.jsonl]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300


def verified(secret: str, header: str, body: bytes, now: float) -> bool:
    """`Verkstall-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False  # replayed (or a clock far off)
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts.get("v1", ""))


class Receiver(ThreadingHTTPServer):
    def __init__(self, address, secret: str, log_path: str):
        super().__init__(address, Handler)
        self.secret = secret
        self.log_path = log_path
        self.seen: set[str] = set()
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        signature = self.headers.get("Verkstall-Signature", "")
        if not verified(self.server.secret, signature, body, time.time()):
            return self._answer(401, "bad signature")
        event = json.loads(body)
        event_id = self.headers.get("Verkstall-Event-Id", "")
        if str(event.get("id")) != event_id:
            return self._answer(400, "event id differs")
        with self.server.lock:
            if event_id in self.server.seen:
                return self._answer(200, "already taken")
            self.server.seen.add(event_id)
            with open(self.server.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(event, ensure_ascii=False) + "\n")
        return self._answer(200, "taken")

    def _answer(self, status: int, text: str):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, format, *args):
        pass


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    log_path = sys.argv[2] if len(sys.argv) > 2 else "events.jsonl"
    server = Receiver(("127.0.0.1", port), os.environ["VERKSTALL_WEBHOOK_SECRET"], log_path)
    server.serve_forever()


if __name__ == "__main__":
    main()
