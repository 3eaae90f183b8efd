"""A local OpenAI-compatible server with scripted answers, for testing the real client path
over HTTP (langchain-openai → openai → this server)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tool_answer(arguments: str, name: str = "LLMTriage") -> dict[str, Any]:
    return {"kind": "tool", "name": name, "arguments": arguments}


class StubLLM:
    """Each request takes the next scripted step: tool call, text, HTTP status, or delay."""

    def __init__(self) -> None:
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                step = stub.script.popleft() if stub.script else {"kind": "status", "code": 500}
                stub.respond(self, body, step)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def respond(self, h: BaseHTTPRequestHandler, body: dict[str, Any],
                step: dict[str, Any]) -> None:
        kind = step["kind"]
        if kind == "sleep":
            time.sleep(step["seconds"])
            step = step["then"]
            kind = step["kind"]
        if kind == "status":
            payload = json.dumps({"error": {"message": "scripted", "type": "server_error"}})
            h.send_response(step["code"])
            h.send_header("Content-Type", "application/json")
            h.end_headers()
            h.wfile.write(payload.encode())
            return
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if kind == "tool":
            message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {
                "name": step["name"], "arguments": step["arguments"]}}]
            finish = "tool_calls"
        else:
            message["content"] = step["text"]
            finish = "stop"
        out = {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
               "model": body.get("model", "stub"),
               "choices": [{"index": 0, "message": message, "finish_reason": finish}],
               "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}}
        data = json.dumps(out).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def __enter__(self) -> StubLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
