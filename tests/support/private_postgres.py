"""A private PostgreSQL server for fault tests: started and stopped by the test itself.

Made from the machine's own binaries (``initdb``, ``pg_ctl``) in a temporary folder,
on a free loopback port. PostgreSQL refuses to run as root, so as root the commands
run as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.databases import unavailable
from tests.support.served import free_port


def postgres_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PrivatePostgres:
    def __init__(self):
        # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="rs-private-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "socket"
        self.port = free_port()
        self.initdb = postgres_bin("initdb")
        self.pg_ctl = postgres_bin("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {done.stdout[-1500:]} {done.stderr[-1500:]}")

    def create(self) -> PrivatePostgres:
        self.socket_dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
