"""A real OpenAI-compatible HTTP server on 127.0.0.1 that misbehaves on purpose (tests only).

Modes: "hang" reads the request and never answers; "fail" answers 500; "answer" fills every number
of the requested JSON schema with `number` (a model that obeys an injected instruction).
`refused_url()` is an address where nothing listens.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def refused_url() -> str:
    """A base URL on 127.0.0.1 where the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def fill(schema: dict[str, Any], number: int, defs: dict[str, Any] | None = None) -> Any:
    """A value of a JSON schema with every number set to `number`."""
    defs = schema.get("$defs", defs or {})
    if "$ref" in schema:
        return fill(defs[schema["$ref"].rsplit("/", 1)[-1]], number, defs)
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return fill(option, number, defs)
    if schema.get("type") == "object":
        return {name: fill(sub, number, defs) for name, sub in schema.get("properties", {}).items()}
    if schema.get("type") in ("integer", "number"):
        return number
    return None


class JSONHandler(BaseHTTPRequestHandler):
    """A quiet request handler that answers with JSON or raw bytes."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, payload: dict[str, Any], status: int = 200) -> None:
        self.reply_bytes(json.dumps(payload).encode(), status)

    def reply_bytes(self, data: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], stop: threading.Event) -> Iterator[ThreadingHTTPServer]:
    """A threaded HTTP server on a free port of 127.0.0.1; `stop` is set to free held requests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


class FakeServer:
    def __init__(self, mode: str, number: int = 999) -> None:
        self.mode = mode
        self.number = number
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JSONHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if fake.mode == "hang":
                    fake.release.wait(60)
                    return
                if fake.mode == "fail":
                    self.reply({"error": {"message": "internal error"}}, 500)
                    return
                schema = body["response_format"]["json_schema"]["schema"]
                content = json.dumps(fill(schema, fake.number))
                message = {"role": "assistant", "content": content}
                self.reply(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "fake",
                        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                    },
                )

        return Handler

    @contextmanager
    def running(self) -> Iterator[FakeServer]:
        with serving(self._handler(), self.release) as self._server:
            yield self
