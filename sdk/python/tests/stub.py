"""A scripted local API for the tests that need answers the real API cannot be made
to give on cue: a 503, a dropped connection, silence, a proxy's HTML."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import unittest
from typing import Any, Dict, List, Optional, Tuple, Union
from unittest import mock

from layers_connect import Layers

Answer = Union[str, Tuple[int, Dict[str, str], Any]]


def error_body(code: str, request_id: Optional[str] = "req_stub") -> Dict[str, Any]:
    error: Dict[str, Any] = {"code": code, "message": f"{code} from the stub"}
    if request_id:
        error["requestId"] = request_id
    return {"error": error}


class Stub:
    """Answers each request with the next scripted answer: (status, headers, JSON body or
    bytes), "drop" (close the connection unanswered) or "hang" (never answer)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers: List[Answer] = list(answers)
        self.requests: List[Dict[str, Any]] = []
        self._release = threading.Event()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
                answer = stub.answers.pop(0) if stub.answers else (200, {}, {})
                if answer == "drop":
                    self.close_connection = True
                    return
                if answer == "hang":
                    stub._release.wait(30)
                    self.close_connection = True
                    return
                status, headers, payload = answer  # type: ignore[misc]
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                headers = {"Content-Type": "application/json", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(0 if status == 204 else len(data)))
                self.end_headers()
                if status != 204:
                    self.wfile.write(data)

            do_GET = do_POST = do_DELETE = handle_one  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def client(self, **options: Any) -> Layers:
        return Layers(api_key="lp_test_stub_secret", base_url=self.url, **options)

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TransportTest(unittest.TestCase):
    def stub(self, *answers: Answer) -> Stub:
        stub = Stub(*answers)
        self.addCleanup(stub.close)
        return stub

    def no_sleep(self) -> List[float]:
        """Records the SDK's waits between tries instead of waiting."""
        slept: List[float] = []
        patcher = mock.patch("layers_connect._http._sleep", side_effect=slept.append)
        patcher.start()
        self.addCleanup(patcher.stop)
        return slept
