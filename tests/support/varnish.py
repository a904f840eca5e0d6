"""Varnish on loopback for the tests: Debian's varnishd, non-root, its work folder in a
temporary directory, with the project's VCL (deploy/varnish/default.vcl) and an
``origin.vcl`` naming the origin on loopback and a loopback-only purge ACL."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.constants import PROJECT_ROOT
from tests.support.served import free_port

VCL = PROJECT_ROOT / "deploy" / "varnish" / "default.vcl"
ORIGIN_VCL = """\
backend origin {{
    .host = "127.0.0.1";
    .port = "{port}";
    .probe = {{
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }}
}}

acl purgers {{
    "127.0.0.1";
    "::1";
}}
"""


def varnishd() -> str:
    """The varnishd to run, or a skip saying how to get one (a failure in CI, which must run these)."""
    found = shutil.which("varnishd") or next(
        (p for p in ("/usr/sbin/varnishd", "/usr/local/sbin/varnishd") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    message = "varnishd is not installed: run scripts/varnish-deps.sh (Debian's varnish package)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI must run the Varnish tests: {message}", pytrace=False)
    pytest.skip(message)


@dataclass
class Varnish:
    base_url: str
    workdir: Path
    process: subprocess.Popen

    def admin(self, *command: str) -> str:
        adm = shutil.which("varnishadm") or "/usr/bin/varnishadm"
        done = subprocess.run([adm, "-n", str(self.workdir), *command], capture_output=True, text=True, timeout=10)
        return done.stdout + done.stderr

    def origin_sick(self) -> bool:
        return "sick" in self.admin("backend.list").lower()


@contextmanager
def varnish_in_front(origin_port: int, folder: Path, listen_port: int | None = None) -> Iterator[Varnish]:
    binary = varnishd()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "origin.vcl").write_text(ORIGIN_VCL.format(port=origin_port))
    port = listen_port or free_port()
    workdir = folder / "work"
    command = [
        binary,
        "-F",  # in the foreground: a child of the test, stopped with it
        "-j",
        "none",  # no privilege switch: the test's own user, its own folders
        "-n",
        str(workdir),
        "-a",
        f"127.0.0.1:{port}",
        "-T",
        f"127.0.0.1:{free_port()}",
        "-f",
        str(VCL),
        "-p",
        f"vcl_path={folder}",
        "-s",
        "malloc,64m",
    ]
    with open(folder / "varnishd.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    running = Varnish(base_url, workdir, process)
    try:
        deadline = time.monotonic() + 30
        while "healthy" not in running.admin("backend.list").lower().replace("health ", ""):
            if process.poll() is not None:
                raise RuntimeError(f"varnishd exited: {(folder / 'varnishd.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"varnishd's origin never became healthy: {running.admin('backend.list')}")
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
