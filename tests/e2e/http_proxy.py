"""An HTTP proxy for end-to-end tests that loses the answers of table commits on purpose.

It forwards every request to a real server (the Iceberg REST catalog) unchanged, except the next
`lose` commits (POST .../namespaces/{ns}/tables/{table}), which it handles as `mode` says:
  "applied-no-answer"  forwards the commit (the server applies it), then closes the connection
                       without answering: the client cannot know it landed;
  "applied-502"        forwards it, then answers 502 Bad Gateway, as a proxy whose upstream timed out;
  "not-applied-502"    never forwards it and answers 502: the commit did not land.
"""

import http.client
import http.server
import re
import socket
import threading
import urllib.parse

from kafka_broker import free_port

COMMIT_PATH = re.compile(r"^/v1/(?:[^/]+/)?namespaces/[^/]+/tables/[^/?]+$")


class CommitLosingProxy:
    def __init__(self, target_url, mode="applied-no-answer", lose=1):
        assert mode in ("applied-no-answer", "applied-502", "not-applied-502")
        target = urllib.parse.urlsplit(target_url)
        self.target = (target.hostname, target.port)
        self.mode = mode
        self.lose = lose
        self.lost = 0
        self.forwarded_commits = 0
        self.port = free_port()
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _take_loss(self, method, path):
        """True when this request is a commit whose answer is to be lost."""
        if method != "POST" or not COMMIT_PATH.match(path):
            return False
        with self._lock:
            if self.lost >= self.lose:
                return False
            self.lost += 1
            return True

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self, body):
                conn = http.client.HTTPConnection(*proxy.target, timeout=60)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "accept-encoding")}
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                return response, data

            def _answer(self, status, headers, data):
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "transfer-encoding", "connection",
                                            "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if proxy._take_loss(self.command, self.path):
                    if proxy.mode != "not-applied-502":
                        self._forward(body)
                        proxy.forwarded_commits += 1
                    if proxy.mode == "applied-no-answer":
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self._answer(502, [("Content-Type", "text/plain")], b"upstream timed out")
                    return
                response, data = self._forward(body)
                if self.command == "POST" and COMMIT_PATH.match(self.path):
                    proxy.forwarded_commits += 1
                self._answer(response.status, response.getheaders(), data)

            do_GET = do_POST = do_HEAD = do_DELETE = do_PUT = _handle

        return Handler

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
