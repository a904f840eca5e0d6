"""gunicorn's own answers are problem+json, and its log never quotes the request (issue 12, item 4).

Each malformed request goes over a raw socket to gunicorn as gunicorn.conf.py runs it;
the answer must be problem+json with the app's fields, and the captured log must hold
neither the token nor the header line that carried it.
"""

from __future__ import annotations

import json
import socket

import pytest

from service.gunicorn_worker import PROBLEM_MIMETYPE, ProblemErrors, classify
from tests.support.databases import fresh_database
from tests.support.served import served

TOKEN = "rs_LeakCanary_9f8e7d6c5b4a"
FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server-errors")
    with fresh_database("sqlite", folder) as url:
        with served(url, folder / "gunicorn.log") as running:
            running.log_path = folder / "gunicorn.log"
            yield running
        assert running.process.returncode == 0


def exchange(base_url: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(raw)
        answer = bytearray()
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    head, _, body = bytes(answer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, body


def assert_problem(answer, status: int) -> dict:
    got, headers, body = answer
    assert got == status, (got, body[:300])
    assert headers["content-type"] == PROBLEM_MIMETYPE
    assert b"<html" not in body.lower()
    problem = json.loads(body)
    assert set(problem) == FIELDS
    assert problem["status"] == status
    assert problem["request_id"] == headers["x-request-id"]
    assert problem["detail"]
    return problem


CASES = {
    "raw invalid bytes": (b"\xff\xfe\x00\x16\x03\x01 garbage\r\n\r\n", 400),
    "TLS to the plain port": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)), 400),
    "invalid request line": (b"GET /v1/countries\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "100 KB query": (b"GET /v1/countries?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "100 KB header": (b"GET /v1/countries HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100_000 + b"\r\n\r\n", 431),
    "header without a colon": (
        f"GET /v1/countries HTTP/1.1\r\nHost: x\r\nAuthorization Bearer {TOKEN}\r\n\r\n".encode(),
        400,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_gunicorn_errors_are_problem_json(server, case):
    raw, status = CASES[case]
    assert_problem(exchange(server.base_url, raw), status)


def test_the_log_holds_no_header_line_nor_token(server):
    raw, status = CASES["header without a colon"]
    problem = assert_problem(exchange(server.base_url, raw), status)
    log = server.log_path.read_text()
    assert problem["request_id"] in log, "the refusal is logged, by its request id"
    assert TOKEN not in log and "LeakCanary" not in log
    assert "Authorization Bearer" not in log and "X-Big" not in log and "bbbbbbbb" not in log


class CapturedLog:
    def __init__(self):
        self.lines = []

    def exception(self, message, *args):
        self.lines.append(("exception", message % args))

    def warning(self, message, *args):
        self.lines.append(("warning", message % args))

    def debug(self, message, *args):
        self.lines.append(("debug", message % args))


def test_an_error_before_the_app_answered_is_a_problem_json_500():
    """What gunicorn answers when the app fails before its headers (or a sync worker times out)."""

    class Worker(ProblemErrors):
        log = CapturedLog()

    ours, theirs = socket.socketpair()
    with ours, theirs:
        try:
            raise RuntimeError(f"boom with {TOKEN}")
        except RuntimeError as error:
            Worker().handle_error(None, ours, ("127.0.0.1", 5555), error)
        ours.close()
        answer = b""
        while data := theirs.recv(65536):
            answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"Content-Type: application/problem+json" in head
    problem = json.loads(body)
    assert set(problem) == FIELDS and problem["status"] == 500
    assert TOKEN not in body.decode()
    assert [kind for kind, _ in Worker.log.lines] == ["exception"]


def test_every_gunicorn_refusal_has_a_status_and_a_detail():
    from gunicorn.http import errors

    assert classify(errors.LimitRequestLine(100_000, 8190)) == (414, classify(errors.LimitRequestLine(1, 0))[1])
    assert classify(errors.InvalidHeader("Authorization Bearer x"))[0] == 400
    assert classify(errors.InvalidResponseHeader("x"))[0] == 500


def test_the_error_log_blanks_anything_like_a_credential():
    """The logger gunicorn.conf.py names: whatever gunicorn or a hook logs, tokens are blanked."""
    import logging

    from gunicorn.config import Config

    from service.gunicorn_worker import RedactingLogger

    logger = RedactingLogger(Config())
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    logger.error_log.addHandler(Keep())
    logger.warning("Invalid header %r", f"Authorization Bearer {TOKEN}")
    logger.info("token=%s", TOKEN)
    logger.info("booting worker with pid %s", 42)
    assert len(seen) == 3
    assert all(TOKEN not in line and "Bearer" not in line for line in seen), seen
    assert seen[2] == "booting worker with pid 42"


def test_the_sync_design_kept_for_comparison_answers_the_same(tmp_path):
    """WORKER_CLASS=sync really runs DrainingSyncWorker (gunicorn swaps a *SyncWorker with
    threads > 1 for its stock gthread worker, which writes HTML pages)."""
    with (
        fresh_database("sqlite", tmp_path) as url,
        served(url, tmp_path / "gunicorn.log", WORKER_CLASS="sync") as running,
    ):
        raw, status = CASES["header without a colon"]
        assert_problem(exchange(running.base_url, raw), status)
    assert TOKEN not in (tmp_path / "gunicorn.log").read_text()
