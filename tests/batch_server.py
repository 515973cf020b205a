"""A fake OpenAI Batch API on 127.0.0.1 (files, batches, chat completions), real HTTP (tests only).

A batch steps through `statuses` on successive retrieves (validating, in_progress, then its end);
`hold` keeps every batch in_progress until set; `plans` scripts each batch by creation order:
expire it after answering some lines, or fail it. `fails(body)` picks the lines answered with an
error line. `answer(body)` is the model: the message content for a request, live or batched.
Everything paid for is counted in `paid` (custom_ids whose line got an answer) and `live`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

from llm_server import JSONHandler, serving

from pipeline.llm.budget import estimate_tokens

Answer = Callable[[dict[str, Any]], Any]


@dataclass
class Plan:
    """How one batch ends: "completed", "expired" after answering `answered` lines, or "failed"."""

    status: str = "completed"
    answered: int | None = None  # lines answered before it expires (None: all)


@dataclass
class FakeBatchServer:
    answer: Answer
    statuses: tuple[str, ...] = ("validating", "in_progress", "in_progress", "finalizing")
    plans: list[Plan] = field(default_factory=list)
    fails: Callable[[dict[str, Any]], bool] = lambda body: False
    hold: threading.Event = field(default_factory=threading.Event)
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    submitted: list[list[str]] = field(default_factory=list)  # custom_ids of each batch created
    paid: list[str] = field(default_factory=list)
    live: list[dict[str, Any]] = field(default_factory=list)
    retrieves: int = 0

    def __post_init__(self) -> None:
        self.hold.set()
        self._lock = threading.Lock()
        self._polls: dict[str, int] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        content = self.answer(body)
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        prompt = sum(estimate_tokens(str(message.get("content") or "")) for message in body["messages"])
        prompt += estimate_tokens(json.dumps(body.get("response_format") or body.get("tools") or ""))
        usage = {"prompt_tokens": prompt, "completion_tokens": estimate_tokens(text)}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            ],
            "usage": {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]},
        }

    # -- the Batch API ----------------------------------------------------------------------

    def _upload(self, content_type: str, data: bytes) -> dict[str, Any]:
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + data)
        parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        assert parts["purpose"].get_content() == "batch"
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = parts["file"].get_payload(decode=True)
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(self.files[file_id]),
            "created_at": 0,
            "filename": "requests.jsonl",
            "purpose": "batch",
            "status": "processed",
        }

    def _create(self, request: dict[str, Any]) -> dict[str, Any]:
        assert request["endpoint"] == "/v1/chat/completions" and request["completion_window"] == "24h"
        lines = [json.loads(line) for line in self.files[request["input_file_id"]].splitlines()]
        assert all(line["url"] == "/v1/chat/completions" and line["method"] == "POST" for line in lines)
        batch_id = f"batch_{len(self.batches) + 1}"
        self.submitted.append([line["custom_id"] for line in lines])
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": request["endpoint"],
            "input_file_id": request["input_file_id"],
            "completion_window": "24h",
            "created_at": 0,
            "status": "validating",
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
        }
        self._polls[batch_id] = 0
        return self.batches[batch_id]

    def _retrieve(self, batch_id: str) -> dict[str, Any]:
        self.retrieves += 1
        batch = self.batches[batch_id]
        if batch["status"] in ("completed", "expired", "failed"):
            return batch
        step = self._polls[batch_id]
        self._polls[batch_id] += 1
        if not self.hold.is_set():
            batch["status"] = "in_progress"
        elif step < len(self.statuses):
            batch["status"] = self.statuses[step]
        else:
            self._finish(batch)
        return batch

    def _finish(self, batch: dict[str, Any]) -> None:
        index = int(batch["id"].split("_")[1]) - 1
        plan = self.plans[index] if index < len(self.plans) else Plan()
        batch["status"] = plan.status
        if plan.status == "failed":
            batch["errors"] = {"object": "list", "data": [{"code": "invalid_file", "message": "refused"}]}
            return
        lines = [json.loads(line) for line in self.files[batch["input_file_id"]].splitlines()]
        answered = lines if plan.answered is None else lines[: plan.answered]
        output, errors = [], []
        for line in answered:
            if self.fails(line["body"]):
                error = {"message": "the model is overloaded", "type": "server_error"}
                response = {"status_code": 500, "request_id": "r", "body": {"error": error}}
                errors.append(
                    {"id": "e", "custom_id": line["custom_id"], "response": response, "error": None}
                )
                continue
            self.paid.append(line["custom_id"])
            response = {"status_code": 200, "request_id": "r", "body": self.completion(line["body"])}
            output.append({"id": "o", "custom_id": line["custom_id"], "response": response, "error": None})
        if plan.status == "expired":
            for line in lines[len(answered) :]:
                error = {"code": "batch_expired", "message": "not completed within the window"}
                errors.append({"id": "x", "custom_id": line["custom_id"], "response": None, "error": error})
        for name, rows in (("output_file_id", output), ("error_file_id", errors)):
            if rows:
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = "".join(json.dumps(row) + "\n" for row in rows).encode()
                batch[name] = file_id
        batch["request_counts"] = {"total": len(lines), "completed": len(output), "failed": len(errors)}

    # -- HTTP ---------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JSONHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                with fake._lock:
                    if self.path == "/v1/files":
                        self.reply(fake._upload(self.headers["Content-Type"], data))
                    elif self.path == "/v1/batches":
                        self.reply(fake._create(json.loads(data)))
                    elif self.path == "/v1/chat/completions":
                        body = json.loads(data)
                        fake.live.append(body)
                        self.reply(fake.completion(body))
                    else:
                        self.reply({"error": {"message": "no such route"}}, 404)

            def do_GET(self) -> None:
                with fake._lock:
                    if match := re.fullmatch(r"/v1/files/([\w-]+)/content", self.path):
                        self.reply_bytes(fake.files[match[1]])
                    elif match := re.fullmatch(r"/v1/batches/([\w-]+)", self.path):
                        self.reply(fake._retrieve(match[1]))
                    elif self.path.startswith("/v1/batches"):
                        data = list(reversed(fake.batches.values()))
                        self.reply({"object": "list", "data": data, "has_more": False})
                    else:
                        self.reply({"error": {"message": "no such route"}}, 404)

        return Handler

    @contextmanager
    def running(self) -> Iterator[FakeBatchServer]:
        with serving(self._handler(), self.hold) as self._server:
            yield self
