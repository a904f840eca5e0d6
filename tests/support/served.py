"""A real deployment for tests: migrate, seed, make tokens with the CLI, serve with gunicorn.

Everything goes through the commands a user runs (alembic, ``python -m service``,
gunicorn with gunicorn.conf.py) on a loopback port, so these tests see what a newsroom
tool sees over HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.constants import PROJECT_ROOT


@dataclass
class Served:
    base_url: str
    write_token: str
    read_token: str
    process: subprocess.Popen
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        return run_cli(self.env, *args)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def request(
    method: str, url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 10
) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    prepared = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


def wait_until_ready(base_url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before it was ready")
        try:
            if request("GET", f"{base_url}/readyz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url} was not ready within {seconds} s")


@contextmanager
def served(database_url: str, log_path: Path, **settings: str) -> Iterator[Served]:
    """Yield a running, seeded service; on exit SIGTERM it and require a clean exit (0)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "INFO",
        "WEBHOOK_RESOLVE_NAMES": "0",  # no test asks a real DNS server
        **settings,
    }
    run_cli(env, "-m", "alembic", "upgrade", "head")
    run_cli(env, "-m", "service", "seed", "--if-empty")
    write_token = (
        run_cli(env, "-m", "service", "tokens", "create", "--name", "desk", "--scope", "write").strip().splitlines()[-1]
    )
    read_token = (
        run_cli(env, "-m", "service", "tokens", "create", "--name", "widget", "--scope", "read")
        .strip()
        .splitlines()[-1]
    )
    with gunicorn(env, log_path) as process:
        yield Served(f"http://127.0.0.1:{env['PORT']}", write_token, read_token, process, env)


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """gunicorn serving the app on ``env["PORT"]`` until the block ends (SIGTERM, then a kill after 40 s)."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "service:create_app()"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{env['PORT']}"
        try:
            wait_until_ready(base_url, process)
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
