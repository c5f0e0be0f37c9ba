"""What the live tests share: the server sdk/python/python.test.ts started and
seeded (read from environment variables), the sandbox consent an end-customer
would give in a browser, and an https webhook receiver.

Run the suite through vitest (``npx vitest run sdk/python``); run by hand
without those variables, every live test fails saying so.
"""

from __future__ import annotations

import http.server
import json
import logging
import os
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Dict, List, Optional, Tuple

from layers_connect import Layers


class Env:
    """The seeded tenant: one org, its project, keys with various powers, another org's project."""

    def __init__(self) -> None:
        missing = [name for name in ("LAYERS_BASE_URL", "LAYERS_TEST_KEY", "LAYERS_TEST_PROJECT_ID") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                f"{', '.join(missing)} not set: the live tests need the server that "
                "`npx vitest run sdk/python` starts and seeds (sdk/python/python.test.ts)."
            )
        self.base_url = os.environ["LAYERS_BASE_URL"]
        self.key = os.environ["LAYERS_TEST_KEY"]
        self.project_id = os.environ["LAYERS_TEST_PROJECT_ID"]
        self.return_url = os.environ["LAYERS_TEST_RETURN_URL"]
        self.limited_key = os.environ["LAYERS_TEST_LIMITED_KEY"]
        self.readonly_key = os.environ["LAYERS_TEST_READONLY_KEY"]
        self.other_project_id = os.environ["LAYERS_TEST_OTHER_PROJECT_ID"]
        self.paged_project_id = os.environ["LAYERS_TEST_PAGED_PROJECT_ID"]
        self.paged_account_ids = os.environ["LAYERS_TEST_PAGED_ACCOUNT_IDS"].split(",")
        self.tls_dir = os.environ.get("LAYERS_TEST_TLS_DIR", "")

    def client(self, key: Optional[str] = None, **options: object) -> Layers:
        return Layers(api_key=key or self.key, base_url=self.base_url, **options)  # type: ignore[arg-type]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_browser = urllib.request.build_opener(_NoRedirect)


def _location(request: urllib.request.Request) -> str:
    """The Location of a 303 answer (a browser would follow it; the test reads it)."""
    try:
        with _browser.open(request, timeout=30) as answer:
            raise AssertionError(f"expected a 303, got {answer.status}: {answer.read()[:300]!r}")
    except urllib.error.HTTPError as answer:
        with answer:
            if answer.code != 303:
                raise AssertionError(f"expected a 303, got {answer.code}: {answer.read()[:300]!r}") from None
            return answer.headers["Location"]


def consent(base_url: str, authorize_url: str, username: str, decision: str = "authorize") -> str:
    """Submits the sandbox consent form as the end-customer's browser would (every
    scope granted), then opens the callback it redirects to; answers where the
    callback sends the browser (the attempt's returnUrl)."""
    authorize = urllib.parse.urlsplit(authorize_url)
    platform = authorize.path.split("/")[2]
    fields: List[Tuple[str, str]] = urllib.parse.parse_qsl(authorize.query)
    scopes = dict(fields)["scope"].split(",")
    fields += [("username", username)] + [("granted_scope", scope) for scope in scopes] + [("decision", decision)]
    callback = _location(
        urllib.request.Request(
            f"{base_url}/sandbox/{platform}/consent",
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={"Origin": base_url, "Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    return _location(urllib.request.Request(callback))


class Delivery:
    def __init__(self, headers: Dict[str, str], raw_headers: object, body: bytes) -> None:
        self.headers = headers
        # The request's own headers object (an http.client.HTTPMessage), as a handler has it.
        self.raw_headers = raw_headers
        self.body = body
        self.received_at = time.time()


class Receiver:
    """An integrator's webhook endpoint: https on localhost, with the test run's certificate."""

    def __init__(self, tls_dir: str) -> None:
        self.deliveries: List[Delivery] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                delivery = Delivery({k.lower(): v for k, v in self.headers.items()}, self.headers, body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                with receiver._arrived:
                    receiver.deliveries.append(delivery)
                    receiver._arrived.notify_all()

            def log_message(self, format: str, *args: object) -> None:  # the test output stays unittest's
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem"))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://localhost:{self._server.server_address[1]}/hooks/layers"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(
        self,
        event_id: Optional[str] = None,
        matches: Optional[Callable[[dict], bool]] = None,
        timeout: float = 30.0,
    ) -> Delivery:
        """The first delivery with this webhook-id, or whose event ``matches``, waiting for it to arrive."""

        def wanted(delivery: Delivery) -> bool:
            if event_id is not None and delivery.headers.get("webhook-id") != event_id:
                return False
            return matches is None or matches(json.loads(delivery.body))

        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = next((d for d in self.deliveries if wanted(d)), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [json.loads(d.body)["type"] for d in self.deliveries]
                    raise AssertionError(f"no such delivery within {timeout:g} s (got {seen})")
                self._arrived.wait(remaining)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def connect(client: Layers, env: Env, username: str, platform: str = "tiktok") -> str:
    """A test-mode connection through the sandbox, end to end; answers the attempt's state."""
    created = client.social.create_oauth_url(env.project_id, platform, env.return_url)
    landed = consent(env.base_url, created["authorizeUrl"], username)
    if landed != env.return_url:
        raise AssertionError(f"the callback sent the browser to {landed}, not {env.return_url}")
    return created["state"]


class RetryLog:
    """The SDK's retries while in the block: the ``layers_retry`` of each log record of
    logger "layers_connect" (``status``, ``code``, ``retry_after``, ``delay``)."""

    def __enter__(self) -> "RetryLog":
        self.records: List[dict] = []
        self._logger = logging.getLogger("layers_connect")
        self._handler = logging.Handler(logging.DEBUG)
        self._handler.emit = lambda record: self.records.append(record.layers_retry)  # type: ignore[method-assign,attr-defined]
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self._handler)
        self._logger.setLevel(self._level)
