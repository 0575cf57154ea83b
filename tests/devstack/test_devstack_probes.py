"""Readiness probes: ports, HTTP answers, Redis, RQ worker registration."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from devstack import embedded_redis, probes


@pytest.fixture
def http_server():
    """A local server answering every GET with the status in ``server.status``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(self.server.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_port_in_use_sees_a_listener_and_not_a_free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert probes.port_in_use("127.0.0.1", port)
    assert not probes.port_in_use("127.0.0.1", port)


def test_answers_200_waits_accepts_and_fails_fast(http_server):
    url = f"http://127.0.0.1:{http_server.server_port}/.well-known/openid-configuration"
    assert probes.answers_200(url) is True

    http_server.status = 404
    with pytest.raises(probes.ProbeFailed, match="openid-configuration gave HTTP 404"):
        probes.answers_200(url)

    assert probes.answers_200(f"http://127.0.0.1:{free_port()}/") is False


def test_http_status_does_not_follow_redirects(http_server):
    http_server.status = 302
    assert probes.http_status(f"http://127.0.0.1:{http_server.server_port}/") == 302


def test_redis_probes(tmp_path):
    assert not probes.redis_answers(f"unix://{tmp_path}/nothing.sock")
    with embedded_redis.embedded_redis(tmp_path / "redis") as url:
        assert probes.redis_answers(url)
        client = redis.Redis.from_url(url)
        # What an RQ worker registers (rq.worker_registration): a set of keys, a hash per worker.
        client.sadd("rq:workers", "rq:worker:old", "rq:worker:new")
        client.hset("rq:worker:old", mapping={"pid": "111"})
        client.hset("rq:worker:new", mapping={"pid": "222"})
        client.close()

        assert probes.rq_worker_registered(url, 222)
        assert not probes.rq_worker_registered(url, 333)
