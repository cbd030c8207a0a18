"""Small loopback servers (127.0.0.1, ephemeral ports): one that never answers, one that follows a script, one
that serves files. Each is stopped by the context manager or fixture that started it."""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self


@contextlib.contextmanager
def black_hole() -> Iterator[str]:
    """A port that accepts TCP connections (the kernel's backlog does) and never sends a byte back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@dataclass
class Step:
    """One scripted answer: a status (with headers and a JSON body), or `drop` to close without answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


class _LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 (ephemeral port), served on a thread while the with-block runs."""

    def __init__(self, handler: Any) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Self:
        # A short poll: shutdown() waits for the loop to notice (the default 0.5 s made every test wait).
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedServer(_LoopbackServer):
    """Answers POSTs with the steps of a script in order, then with `final` for ever; counts requests."""

    def __init__(self, script: list[Step], final: Step) -> None:
        self.script = list(script)
        self.final = final
        self.requests = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer.lock:
                    outer.requests += 1
                    step = outer.script.pop(0) if outer.script else outer.final
                if step.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                payload = json.dumps(step.body).encode()
                self.send_response(step.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            # an operation of any method gets the script's answers (the vendor's fetch operations may be GETs)
            do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(Handler)


class _QuietFileHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class FileServer(_LoopbackServer):
    """Files served from a directory over HTTP, as a vendor's documentation site would serve its specs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        super().__init__(functools.partial(_QuietFileHandler, directory=str(root)))

    def add(self, name: str, content: bytes) -> str:
        """Serve `content` as `name`; its URL."""
        (self.root / name).write_bytes(content)
        return f"{self.url}/{name}"
