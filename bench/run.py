#!/usr/bin/env python3
"""Benchmark harness (``make bench``): the service under gunicorn, driven by wrk.

For each dataset size (records = recognitions + ambassador exchanges made by
``python -m service synth``), on a fresh SQLite file (and, with ``--postgres URL``, a
fresh randomly named PostgreSQL database, dropped at the end):

1. migrate (``alembic upgrade head``), seed, synth (timed);
2. serve the service under gunicorn with the project's gunicorn.conf.py on 127.0.0.1
   (WEB_CONCURRENCY=2, a free port), and measure with wrk, after a short warm-up each:
   relations 200, relations 304 (If-None-Match), one relation, a filtered page, a
   ~10k-row CSV export, and PATCH (If-Match; 412s counted apart);
3. read the workers' peak RSS (VmHWM), and their RSS around one big CSV export;
4. serve and measure the references: the ceiling (bench/ceiling_app.py: a bare WSGI
   app sending the very bytes, headers included, the service sent for relations 200,
   relations 304, the filtered page and one record) under the same gunicorn settings,
   and again under gunicorn's defaults; the baseline (bench/baseline_app.py: the same
   relations answer from one hand-written SQL query, checked equal to the service's);
   the service as it was before the hot path (``--before REF``, exported with
   ``git archive``) for the cold relations answer; and, on SQLite, Datasette (from
   bench/requirements.txt in .venv-bench) serving the same file, on the filtered
   page's query.

Then it prints one table with every target, its measured ratio and whether it is met,
and writes bench/RESULTS.md and bench/results.json. Every wait is bounded in time;
traffic stays on 127.0.0.1.

    .venv/bin/python bench/run.py --sizes 1000,100000
    .venv/bin/python bench/run.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test --postgres-sizes 100000
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

AS_OF = "2025-07-04"
SEED = 1
# The service before the hot path (service/hotpath.py): main's last commit without it.
BEFORE_HOT_PATH = "75a9fe9"
# Requests measured against the ceiling: scenario -> the least share of the ceiling's req/s.
CEILING_TARGETS = {
    "relations_200": 0.7,
    "relations_304": 0.8,
    "filtered_page": 0.5,
    "record_one": 0.6,
}
CEILING_LABELS = {
    "relations_200": "relations 200",
    "relations_304": "relations 304",
    "filtered_page": "filtered page",
    "record_one": "one record",
}
# The cold relations answer (as_of varied) against the service before the hot path:
# no slower, within the run-to-run noise of a 10 s wrk run on a shared machine.
COLD_TARGET = 0.95
P50_GROWTH_TARGET = 1.5
PEAK_RSS_TARGET_MB = 150
FOREIGN_LIMIT = 0.25  # cores used by other work during a measurement before it is flagged
SCENARIOS = (
    ("relations_200", "relations 200"),
    ("relations_304", "relations 304"),
    ("relations_cold", "relations 200, as_of varied"),
    ("relation_one", "one relation (RU)"),
    ("record_one", "one record"),
    ("filtered_page", "filtered page"),
    ("csv_export", "CSV export"),
    ("patch", "PATCH (If-Match)"),
    *((f"ceiling_{key}", f"ceiling (bare WSGI): {label}") for key, label in CEILING_LABELS.items()),
    *((f"defaults_{key}", f"ceiling, gunicorn defaults: {label}") for key, label in CEILING_LABELS.items()),
    ("before_relations_cold", "before the hot path: relations 200, as_of varied"),
    ("baseline", "baseline (1 SQL query)"),
    ("datasette", "Datasette: the filtered page's query"),
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- processes, HTTP, /proc ------------------------------------------------------


def run(command: list[str], *, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("bench: wrk is missing; install the Debian package `wrk` (apt-get install wrk).")
    log("wrk is missing: apt-get install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=300, check=False, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, timeout=300, check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: could not install wrk")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url: str, *, headers: dict | None = None, timeout: float = 60) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def capture(base: str, target: str, headers: dict | None = None) -> dict[str, Any]:
    """One answer exactly as sent (status line, headers but Date and Server, body), for the ceiling."""
    host, port = base.removeprefix("http://").split(":")
    connection = HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        kept = [
            (name, value)
            for name, value in response.getheaders()
            if name.lower() not in ("date", "server", "connection", "keep-alive", "transfer-encoding")
        ]
        return {
            "target": target,
            "conditional": "If-None-Match" in (headers or {}),
            "status": f"{response.status} {response.reason}",
            "headers": kept,
            "body": base64.b64encode(body).decode("ascii"),
            "bytes": len(body),
        }
    finally:
        connection.close()


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty when it is gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_busy_ticks() -> int:
    """Busy CPU ticks of the whole machine, all cores (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal


def process_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def own_ticks() -> float:
    import resource

    seconds = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        seconds += usage.ru_utime + usage.ru_stime
    return seconds * CLK_TCK


class CpuMeter:
    """CPU used during a measurement by processes that are not the server, wrk or this harness.

    The machine is shared: anything else running steals cores from the server (and wrk
    runs on the same cores too). Reported as "foreign" cores so a contaminated run shows.
    """

    def __init__(self, server_pids: list[int]):
        self.pids = server_pids

    def __enter__(self) -> CpuMeter:
        self.began = time.monotonic()
        self.busy0, self.server0, self.own0 = cpu_busy_ticks(), process_ticks(self.pids), own_ticks()
        return self

    def __exit__(self, *exc) -> None:
        seconds = time.monotonic() - self.began
        busy = cpu_busy_ticks() - self.busy0
        server = process_ticks(self.pids) - self.server0
        own = own_ticks() - self.own0
        self.server_cores = server / CLK_TCK / seconds
        self.wrk_cores = own / CLK_TCK / seconds
        self.foreign_cores = max(busy - server - own, 0) / CLK_TCK / seconds


def wait_for_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """Wait (at most max_wait s) until the machine's other load is under threshold cores; return it."""
    deadline = time.monotonic() + max_wait
    while True:
        before, began = cpu_busy_ticks(), time.monotonic()
        time.sleep(1.0)
        cores = (cpu_busy_ticks() - before) / CLK_TCK / (time.monotonic() - began)
        if cores < threshold or time.monotonic() >= deadline:
            return cores


def database_backends(url: str) -> list[int]:
    """PostgreSQL backend processes serving the bench database (its CPU is the server's too)."""
    if not url.startswith("postgresql"):
        return []
    name = url.rsplit("/", 1)[-1].split("?")[0]
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f" {name} ".encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class Server:
    """gunicorn with the project's gunicorn.conf.py (of ``root``), on 127.0.0.1 and a free port;
    with ``defaults``, gunicorn's own settings but the bind and the worker count; or any
    ``command`` (with ``{port}`` in it) that serves on that port."""

    def __init__(
        self,
        app_spec: str,
        env: dict,
        workdir: Path,
        name: str,
        workers: int,
        *,
        root: Path = ROOT,
        defaults: bool = False,
        command: list[str] | None = None,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)}
        self.app_spec = app_spec
        self.log_path = workdir / f"gunicorn-{name}.log"
        self.workers = workers
        self.root = root
        if command is not None:
            self.command = [part.format(port=self.port) for part in command]
        elif defaults:
            self.command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
            self.command.append(app_spec)
        else:
            self.command = [str(BIN / "gunicorn"), "--config", str(root / "gunicorn.conf.py"), app_spec]
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str, timeout: float = 90) -> None:
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.root,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            try:
                status, _, _ = http(self.base + ready_path, timeout=10)
                if status == 200 and len(children(self.process.pid)) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready in {timeout} s: {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def log_tail_all(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()
        self.process = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wrk(
    url: str,
    *,
    duration: int,
    threads: int,
    connections: int,
    headers: tuple[str, ...] = (),
    env: dict | None = None,
    server_pids: list[int] | None = None,
) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
    ]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    with CpuMeter(server_pids or []) as meter:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 90, env={**os.environ, **(env or {})}
        )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON ") :])
            data.update(server_cores=meter.server_cores, wrk_cores=meter.wrk_cores, foreign_cores=meter.foreign_cores)
            seconds = data["duration_us"] / 1e6
            data["rps"] = data["requests"] / seconds if seconds else 0.0
            data["p50_ms"] = data["p50_us"] / 1000
            data["p99_ms"] = data["p99_us"] / 1000
            data["errors"] = sum(
                data[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout")
            )
            return data
    raise RuntimeError(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")


# --- datasets ------------------------------------------------------------------------


@contextmanager
def database(engine: str, workdir: Path, postgres_url: str | None) -> Iterator[str]:
    if engine == "sqlite":
        path = workdir / f"bench-{secrets.token_hex(4)}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from service.config import normalise_database_url

    server_url = normalise_database_url(postgres_url)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"rs_bench_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, records: int, env: dict) -> dict[str, Any]:
    """Migrate, seed, synth (timed), and a write token for the PATCH scenario."""
    env = {**env, "DATABASE_URL": url}
    run([str(BIN / "alembic"), "-c", str(ROOT / "alembic.ini"), "upgrade", "head"], env=env, timeout=300)
    run([str(BIN / "python"), "-m", "service", "seed"], env=env, timeout=300)
    began = time.perf_counter()
    synth = run(
        [str(BIN / "python"), "-m", "service", "synth", "--records", str(records), "--seed", str(SEED)],
        env=env,
        timeout=3600,
    )
    seconds = time.perf_counter() - began
    if url.startswith("postgresql"):
        # Planner statistics as autovacuum would have them a minute after the load.
        from sqlalchemy import create_engine, text

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    token = (
        run(
            [str(BIN / "python"), "-m", "service", "tokens", "create", "--name", "bench", "--scope", "write"],
            env=env,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return {"synth_seconds": seconds, "synth_output": synth.stdout.strip().splitlines()[-1], "token": token}


# The synthetic government with the most records, and how many: the bench's relations answer.
BUSIEST_GOVERNMENT = (
    "SELECT government_id, count(*) FROM (SELECT government_id FROM recognitions "
    "UNION ALL SELECT government_id FROM ambassador_exchanges) AS records "
    "WHERE government_id LIKE 'synth-%' GROUP BY government_id "
    "ORDER BY count(*) DESC, government_id LIMIT 1"
)


def inspect(url: str, csv_rows: int, write_connections: int) -> dict[str, Any]:
    """The busiest synthetic government, a ~csv_rows CSV filter, records to PATCH."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        busiest = connection.execute(text(BUSIEST_GOVERNMENT)).one()
        quietest = connection.execute(
            text(
                "SELECT government_id FROM ambassador_exchanges WHERE government_id LIKE 'synth-%' "
                "GROUP BY government_id ORDER BY count(*), government_id LIMIT 1"
            )
        ).scalar_one()
        patch_ids = list(
            connection.execute(
                text("SELECT id FROM ambassador_exchanges WHERE government_id = :g ORDER BY id LIMIT :n"),
                {"g": quietest, "n": write_connections},
            ).scalars()
        )
        total = connection.execute(text("SELECT count(*) FROM ambassador_exchanges")).scalar_one()
        candidates: list[tuple[str, int]] = [("", total)]
        for column in ("rank", "direction", "country"):
            for value, n in connection.execute(
                text(f"SELECT {column}, count(*) FROM ambassador_exchanges GROUP BY {column}")
            ):
                candidates.append((f"{column}={value}", n))
        for rank, direction, n in connection.execute(
            text("SELECT rank, direction, count(*) FROM ambassador_exchanges GROUP BY rank, direction")
        ):
            candidates.append((f"rank={rank}&direction={direction}", n))
        db_bytes = None
        if url.startswith("postgresql"):
            db_bytes = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    if url.startswith("sqlite"):
        path = url[len("sqlite:///") :]
        db_bytes = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    # The filter whose row count is nearest (on a log scale) to csv_rows.
    csv_filter, csv_count = min(candidates, key=lambda c: (abs(math.log(max(c[1], 1) / csv_rows)), c[0]))
    return {
        "government": busiest[0],
        "government_records": busiest[1],
        "patch_ids": patch_ids,
        "csv_filter": csv_filter,
        "csv_rows": csv_count,
        "exchanges": total,
        "db_bytes": db_bytes,
    }


# --- one dataset -------------------------------------------------------------------

FILTERED_PAGE = "/v1/ambassador-exchanges?country=FR&rank=ambassador&limit=50"
# Datasette's equivalent of the filtered page: the same table, filters and page size, as
# JSON; no total count and no facets, which the service's page does not compute either.
DATASETTE_QUERY = "{table}?country=FR&rank=ambassador&_size=50&_nocount=1&_nofacet=1"
BENCH_BIN = ROOT / ".venv-bench" / "bin"


def vary_as_of(government: str) -> dict[str, str]:
    return {"BENCH_MODE": "vary_as_of", "BENCH_PATH": f"/v1/governments/{government}/relations?as_of="}


def export_before(ref: str, workdir: Path) -> Path:
    """The service's tree at ``ref`` (git archive), to serve beside the current one."""
    target = workdir / f"before-{ref}"
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, timeout=120, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, timeout=120, check=True)
    return target


def memory_of(server: Server) -> dict[int, dict[str, int]]:
    return {pid: proc_status(pid) for pid in server.worker_pids()}


def big_export(server: Server, path: str, deadline_s: float) -> dict[str, Any]:
    """Stream one big CSV export, reading the workers' RSS before and after."""
    before = memory_of(server)
    began = time.perf_counter()
    rows = size = 0
    outcome = "complete"
    status = None
    try:
        with urllib.request.urlopen(server.base + path, timeout=60) as response:
            status = response.status
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                rows += chunk.count(b"\r\n")
                if time.perf_counter() - began > deadline_s:
                    outcome = f"stopped by the harness after {deadline_s:.0f} s"
                    break
    except Exception as error:  # the worker may be killed mid-stream (gunicorn TIMEOUT)
        outcome = f"interrupted: {type(error).__name__}: {error}"
    seconds = time.perf_counter() - began
    time.sleep(0.5)
    after = memory_of(server)
    deltas = [after[pid].get("VmRSS", 0) - before.get(pid, {}).get("VmRSS", 0) for pid in after if pid in before]
    return {
        "path": path,
        "status": status,
        "outcome": outcome,
        "seconds": seconds,
        "rows": max(rows - 1, 0),
        "bytes": size,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "max_rss_delta_kb": max(deltas, default=None),
        "workers_replaced": sorted(set(after) - set(before)),
    }


def measure(engine: str, records: int, args, workdir: Path, base_env: dict, before_root: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {"engine": engine, "records": records, "scenarios": {}}
    with database(engine, workdir, args.postgres) as url:
        log(f"{engine} {records:,}: migrate, seed, synth")
        prepared = prepare(url, records, base_env)
        result.update(synth_seconds=prepared["synth_seconds"], synth_output=prepared["synth_output"])
        log(f"  {prepared['synth_output']} (wall {prepared['synth_seconds']:.1f} s)")
        facts = inspect(url, args.csv_rows, args.write_connections)
        result.update({k: v for k, v in facts.items() if k != "patch_ids"})
        env = {**base_env, "DATABASE_URL": url}
        if args.timeout:
            env["TIMEOUT"] = str(args.timeout)
        gov = facts["government"]
        relations = f"/v1/governments/{gov}/relations?as_of={AS_OF}"
        load = dict(duration=args.duration, threads=args.threads, connections=args.connections)
        warm = dict(duration=args.warmup, threads=args.threads, connections=args.connections)

        def scenario(
            name: str, path: str, *, headers: tuple[str, ...] = (), env: dict | None = None, **extra
        ) -> dict[str, Any]:
            if args.warmup:
                wrk(server.base + path, headers=headers, env=env, **warm)
            attempts = []
            for _ in range(1 + args.retries):  # another try when other work took the CPU
                quiet = wait_for_quiet(args.quiet_wait)
                pids = [server.process.pid] + server.worker_pids() + database_backends(url)
                attempts.append(wrk(server.base + path, headers=headers, env=env, server_pids=pids, **load))
                attempts[-1]["idle_load_before"] = quiet
                if attempts[-1]["foreign_cores"] <= FOREIGN_LIMIT:
                    break
            measured = min(attempts, key=lambda a: a["foreign_cores"])
            measured.update(extra, attempts=len(attempts))
            result["scenarios"][name] = measured
            log(
                f"  {name:15s} {measured['rps']:9.1f} req/s  p50 {measured['p50_ms']:8.2f} ms  "
                f"p99 {measured['p99_ms']:8.2f} ms  errors {measured['errors']}  cores: server "
                f"{measured['server_cores']:.2f} wrk {measured['wrk_cores']:.2f} "
                f"foreign {measured['foreign_cores']:.2f}"
            )
            return measured

        with Server("service:create_app()", env, workdir, f"{engine}-{records}", args.workers) as server:
            server.start("/readyz")
            for path in (relations, "/v1/ambassador-exchanges?limit=1"):  # one request per worker, imports done
                for _ in range(args.workers * 2):
                    http(server.base + path)
            status, headers, body = http(server.base + relations)
            if status != 200:
                raise RuntimeError(f"relations answered {status}: {body[:500]!r}")
            etag = headers.get("ETag")
            result["relations_bytes"] = len(body)
            check_304, _, _ = http(server.base + relations, headers={"If-None-Match": etag})
            result["relations_countries"] = len(json.loads(body)["items"])
            log(
                f"  government {gov}: {facts['government_records']} records, {result['relations_countries']} "
                f"countries, {len(body):,} bytes; If-None-Match gives {check_304}"
            )

            # The very answers the ceiling will send: captured before anything is measured (and
            # before the PATCH scenario changes the record).
            record = f"/v1/ambassador-exchanges/{facts['patch_ids'][0]}"
            targets = {"relations_200": relations, "filtered_page": FILTERED_PAGE, "record_one": record}
            captured = [capture(server.base, target) for target in targets.values()]
            captured.append(capture(server.base, relations, {"If-None-Match": etag}))
            answers_file = workdir / f"ceiling-{engine}-{records}.json"
            answers_file.write_text(json.dumps(captured), encoding="utf-8")
            result["ceiling_answers"] = [
                {"target": c["target"], "status": c["status"], "bytes": c["bytes"], "headers": len(c["headers"])}
                for c in captured
            ]

            scenario("relations_200", relations)
            scenario("relations_304", relations, headers=(f"If-None-Match: {etag}",), check_status=check_304)
            scenario("relations_cold", relations, env=vary_as_of(gov))
            scenario("relation_one", f"/v1/governments/{gov}/relations/RU?as_of={AS_OF}")
            scenario("record_one", record)
            scenario("filtered_page", FILTERED_PAGE)
            csv_path = "/v1/ambassador-exchanges?format=csv" + (
                f"&{facts['csv_filter']}" if facts["csv_filter"] else ""
            )
            scenario("csv_export", csv_path, filter=facts["csv_filter"] or "(none)", rows=facts["csv_rows"])
            paths = ",".join(f"/v1/ambassador-exchanges/{record_id}" for record_id in facts["patch_ids"])
            patch_env = {"BENCH_MODE": "patch", "BENCH_PATCH_PATHS": paths, "BENCH_TOKEN": prepared["token"]}
            wait_for_quiet(args.quiet_wait)
            measured = wrk(
                server.base + "/v1/ambassador-exchanges/" + facts["patch_ids"][0],
                duration=args.duration,
                threads=len(facts["patch_ids"]),
                connections=len(facts["patch_ids"]),
                env=patch_env,
                server_pids=[server.process.pid] + server.worker_pids() + database_backends(url),
            )
            seconds = measured["duration_us"] / 1e6
            measured["ok_rps"] = measured["patch_ok"] / seconds if seconds else 0.0
            result["scenarios"]["patch"] = measured
            log(
                f"  {'patch':15s} {measured['ok_rps']:9.1f} ok/s   p50 {measured['p50_ms']:8.2f} ms  "
                f"p99 {measured['p99_ms']:8.2f} ms  200s {measured['patch_ok']}  412s {measured['patch_412']}  "
                f"other {measured['patch_other']}  foreign cores {measured['foreign_cores']:.2f}"
            )
            result["workers_after"] = memory_of(server)
            result["peak_rss_kb"] = max((m.get("VmHWM", 0) for m in result["workers_after"].values()), default=0)
            log(f"  peak worker RSS {result['peak_rss_kb'] / 1024:.1f} MB")

            # Last: it may outlive gunicorn's TIMEOUT and get a worker killed, which must not
            # disturb the scenarios above.
            export_path = "/v1/ambassador-exchanges?format=csv"
            log(f"  big CSV export: {export_path} ({facts['exchanges']:,} rows)")
            result["big_export"] = big_export(server, export_path, args.export_deadline)
            time.sleep(1)
            result["big_export"]["worker_timeouts"] = server.log_tail_all().count("WORKER TIMEOUT")
            log(
                f"    {result['big_export']['outcome']}: {result['big_export']['rows']:,} rows in "
                f"{result['big_export']['seconds']:.1f} s, max worker RSS delta "
                f"{(result['big_export']['max_rss_delta_kb'] or 0) / 1024:.1f} MB, "
                f"WORKER TIMEOUTs in the log: {result['big_export']['worker_timeouts']}"
            )

        ceiling_env = {**base_env, "CEILING_ANSWERS": str(answers_file)}
        ceiling_headers = {"relations_304": (f"If-None-Match: {etag}",)}
        for defaults, prefix in ((False, "ceiling"), (True, "defaults")):
            with Server(
                "bench.ceiling_app:app",
                ceiling_env,
                workdir,
                f"{prefix}-{engine}-{records}",
                args.workers,
                defaults=defaults,
            ) as server:
                server.start("/")
                for key in CEILING_TARGETS:
                    target = relations if key == "relations_304" else targets.get(key, relations)
                    scenario(f"{prefix}_{key}", target, headers=ceiling_headers.get(key, ()))

        if before_root is not None:
            with Server(
                "service:create_app()",
                {**env, "PYTHONPATH": str(before_root)},
                workdir,
                f"before-{engine}-{records}",
                args.workers,
                root=before_root,
            ) as server:
                # Not /readyz: the older code calls a database migrated past its head unready.
                server.start(relations)
                for _ in range(args.workers * 2):
                    http(server.base + relations)
                scenario("before_relations_cold", relations, env=vary_as_of(gov), ref=args.before)

        with Server("bench.baseline_app:app", env, workdir, f"baseline-{engine}-{records}", args.workers) as server:
            server.start(relations)
            _, _, baseline_body = http(server.base + relations)
            same = (
                "identical bytes"
                if baseline_body == body
                else "equal JSON"
                if json.loads(baseline_body) == json.loads(body)
                else "DIFFERENT"
            )
            log(f"  baseline answer vs service: {same}")
            scenario("baseline", relations, answer=same)

        datasette = BENCH_BIN / "datasette"
        if engine == "sqlite" and datasette.exists():
            sqlite_file = url[len("sqlite:///") :]
            command = [str(datasette), "serve", sqlite_file, "--host", "127.0.0.1", "--port", "{port}"]
            with Server("datasette", env, workdir, f"datasette-{engine}-{records}", 0, command=command) as server:
                table = f"/{Path(sqlite_file).stem}/ambassador_exchanges.json"
                server.start(table + "?_size=1")
                status, _, answer = http(server.base + DATASETTE_QUERY.format(table=table))
                rows = len(json.loads(answer).get("rows", [])) if status == 200 else None
                log(f"  Datasette answers the filtered page's query with {status}, {rows} rows")
                scenario("datasette", DATASETTE_QUERY.format(table=table), status=status, rows=rows)
        elif engine == "sqlite":
            log(f"  Datasette is not installed in {BENCH_BIN.parent} (make bench installs it): not measured")
    return result


# --- report ----------------------------------------------------------------------------


def machine() -> dict[str, str]:
    def out(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": out(["nproc"]),
        "cpu": cpu,
        "free": out(["free", "-h"]),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": (out(["wrk", "-v"]).splitlines() or ["?"])[0],
        "gunicorn": out([str(BIN / "gunicorn"), "--version"]),
        "commit": out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
        + (" with uncommitted changes" if out(["git", "-C", str(ROOT), "status", "--porcelain"]) else ""),
    }


def verdict(value: float | None, target: float, higher_is_better: bool = True) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "met" if ok else "**not met**"


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def per_core(s: dict) -> float | None:
    """Requests per CPU-second the server used: less sensitive to other work on a shared machine."""
    rps = s["ok_rps"] if "ok_rps" in s else s["rps"]
    return rps / s["server_cores"] if s.get("server_cores") else None


def p50_growth(results: list[dict], engine: str, key: str) -> tuple[float | None, str]:
    """p50 at the largest size over p50 at the smallest, and the sizes compared."""
    runs = sorted((r for r in results if r["engine"] == engine), key=lambda r: r["records"])
    if len(runs) < 2 or key not in runs[0]["scenarios"] or key not in runs[-1]["scenarios"]:
        return None, f"{runs[0]['records']:,} only" if runs else "none"
    small, big = runs[0]["scenarios"][key], runs[-1]["scenarios"][key]
    sizes = f"{runs[0]['records']:,} → {runs[-1]['records']:,}: {small['p50_ms']:.2f} → {big['p50_ms']:.2f} ms"
    return ratio(big["p50_ms"], small["p50_ms"]), sizes


def targets_table(results: list[dict]) -> list[str]:
    """Every target of issue 15 with its measured ratio and whether it is met."""
    lines = [
        "## Targets",
        "",
        "Each ratio is of req/s measured in this run, on this machine; in brackets the same ratio of requests "
        "per server CPU-second, which other work on a shared machine disturbs less. The ceiling sends the "
        "service's very bytes (status line, headers, body) for the same request under the same "
        "`gunicorn.conf.py`; the ratio to the ceiling under gunicorn's defaults (`--bind`, `--workers` only: no "
        "access log, gunicorn's sync worker) is shown for information.",
        "",
        "| engine | records | target | measured | verdict | (info) against gunicorn's defaults |",
        "|---|---:|---|---|---|---|",
    ]
    largest: dict[str, int] = {}
    for r in results:
        largest[r["engine"]] = max(largest.get(r["engine"], 0), r["records"])
    for r in results:
        sc = r["scenarios"]
        design = f" ({r['serving']})" if r.get("serving") not in (None, "default") else ""
        lead = f"| {r['engine']} | {r['records']:,}{design} "
        for key, target in CEILING_TARGETS.items():
            ours, ceiling, defaults = sc.get(key), sc.get(f"ceiling_{key}"), sc.get(f"defaults_{key}")
            if ours is None or ceiling is None:
                continue
            value = ratio(ours["rps"], ceiling["rps"])
            cpu = ratio(per_core(ours), per_core(ceiling))
            info = f"{fmt(ratio(ours['rps'], defaults['rps']))}" if defaults else "n/a"
            label = CEILING_LABELS[key]
            lines.append(
                f"{lead}| {label} / ceiling ≥ {target} | {fmt(value)} [{fmt(cpu)}] | {verdict(value, target)} "
                f"| {info} |"
            )
        cold, before = sc.get("relations_cold"), sc.get("before_relations_cold")
        if cold and before:
            value = ratio(cold["rps"], before["rps"])
            lines.append(
                f"{lead}| cold relations (as_of varied) / before the hot path ({before.get('ref')}) ≥ {COLD_TARGET} "
                f"| {fmt(value)} [{fmt(ratio(per_core(cold), per_core(before)))}] | {verdict(value, COLD_TARGET)} | |"
            )
        rss = r["peak_rss_kb"] / 1024
        lines.append(
            f"{lead}| peak RSS per worker ≤ {PEAK_RSS_TARGET_MB} MB | {rss:.0f} MB | "
            f"{verdict(rss, PEAK_RSS_TARGET_MB, False)} | |"
        )
        if sc.get("datasette") and sc.get("filtered_page"):
            value = ratio(sc["filtered_page"]["rps"], sc["datasette"]["rps"])
            lines.append(
                f"{lead}| filtered page / Datasette, same query on the same SQLite file (info) | {fmt(value)} "
                f"[{fmt(ratio(per_core(sc['filtered_page']), per_core(sc['datasette'])))}] | (info) | |"
            )
        if sc.get("baseline"):
            value = ratio(sc["relations_200"]["rps"], sc["baseline"]["rps"])
            lines.append(f"{lead}| relations 200 / baseline (info) | {fmt(value)} | (info) | |")
    for engine in sorted(largest):
        for key in ("relations_200", "filtered_page"):
            value, sizes = p50_growth(results, engine, key)
            lines.append(
                f"| {engine} | all | p50 growth, {key.replace('_', ' ')}, ≤ {P50_GROWTH_TARGET}× ({sizes}) | "
                f"{fmt(value)} | {verdict(value, P50_GROWTH_TARGET, False)} | |"
            )
    return lines


def render(results: list[dict], info: dict, args, total_seconds: float, command: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` (`make bench`) on {info['date']}, "
        f"in {total_seconds / 60:.1f} min. Raw numbers: `bench/results.json`.",
        "",
        "Where the time goes and what to change: `bench/PROFILE.md`.",
        "",
        *[f"Note: {note}" for note in getattr(args, "notes", None) or []],
        *([""] if getattr(args, "notes", None) else []),
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, `nproc` = {info['nproc']} (wrk runs on the same cores as the server)",
        f"- Kernel {info['kernel']}; Python {info['python']}; SQLite {info['sqlite']}; "
        f"{info['wrk']}; {info['gunicorn']}",
        f"- Code: commit {info.get('commit', '?')} of this repository",
    ]
    if args.postgres:
        lines.append(f"- PostgreSQL: {info.get('postgres', '?')}")
    lines += [
        "",
        "```",
        info["free"],
        "```",
        "",
        "## Method",
        "",
        f"- Data: `python -m service seed` plus `python -m service synth --records N --seed {SEED}` "
        "(N = recognitions + ambassador exchanges; about N/5 sources and one government per 500 records on top; "
        "one change-log row per record). PostgreSQL gets `ANALYZE` after the load; SQLite gets none (the service "
        "never runs it).",
        f"- Server: gunicorn with the project's `gunicorn.conf.py` ({args.serving or 'its default'} worker design, "
        f"WEB_CONCURRENCY={args.workers}, "
        f"TIMEOUT={args.timeout or 'default 30'} s, access log to a file), on 127.0.0.1.",
        f"- Load: wrk {args.threads} threads, {args.connections} connections, {args.duration} s per scenario after "
        f"a {args.warmup} s warm-up, 30 s request timeout. PATCH: {args.write_connections} threads of one "
        "connection each, each editing its own exchange's `note` (GET once for the ETag, then PATCH with "
        "If-Match taking the next ETag from each 200; 412s counted apart); its req/s counts PATCH 200s only.",
        f"- Relations: `GET /v1/governments/<busiest synthetic government>/relations?as_of={AS_OF}`; 304: the same "
        "with `If-None-Match`; as_of varied: the same with a random day of 2000–2024 per request, so the "
        "service cannot replay a remembered answer (the cost of building one); one relation: "
        "`.../relations/RU`; filtered page: "
        "`/v1/ambassador-exchanges?country=FR&rank=ambassador&limit=50`; CSV export: "
        f"`/v1/ambassador-exchanges?format=csv&<filter>` with the filter whose row count is nearest {args.csv_rows:,} "
        "(JSON and CSV pages stop at 500 rows; a CSV without `limit` streams every matching row).",
        "- Ceiling: `bench/ceiling_app.py`, a bare WSGI app sending the very bytes (status line, headers "
        "but Date and Server, body) the service sent for relations 200, relations 304, the filtered page and "
        "one record (`/v1/ambassador-exchanges/<id>`), under the project's `gunicorn.conf.py` and again "
        "under gunicorn's defaults. Baseline: `bench/baseline_app.py`, Flask with one hand-written SQL query "
        "on a raw DB-API connection and the same classification, checked to give the same answer before it "
        "is measured. Before: the service at commit `--before` (its tree from `git archive`, same "
        "virtualenv, same database), on the cold relations answer. Datasette (SQLite only; "
        "`bench/requirements.txt` in `.venv-bench`, one process as Datasette runs): the same SQLite file, "
        "`/<db>/ambassador_exchanges.json?country=FR&rank=ambassador&_size=50&_nocount=1&_nofacet=1`, "
        "the filtered page's query (no total count or facets, which the page does not compute either).",
        "- The machine is shared with other work: before each scenario the harness waits (at most "
        f"{args.quiet_wait:.0f} s) until the whole machine uses under 0.25 cores, and during it it counts the CPU "
        "used by the server (gunicorn master and workers, and PostgreSQL's backends for the bench database) "
        "and by everything that is neither the server nor wrk "
        'nor the harness ("foreign"; a scenario with more than 0.25 foreign cores is run again up to '
        f"{args.retries} more time(s) and the least disturbed try kept; ⚠: still above 0.25, slowed by other work).",
        "- Peak RSS: the largest VmHWM of the gunicorn workers after all service scenarios (including the big "
        "export). Export memory: the workers' VmRSS before and after one unfiltered CSV export of every exchange, "
        "made after the other scenarios (it may outlive gunicorn's TIMEOUT and get a worker killed).",
        "",
    ]

    lines += [
        "## Results",
        "",
        "| engine | records | synth s | DB MB | scenario | req/s | p50 ms | p99 ms | server / foreign cores | "
        "req per server CPU-s | notes |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|---:|---|",
    ]
    for r in results:
        first = True
        for key, label in SCENARIOS:
            s = r["scenarios"].get(key)
            if s is None:
                continue
            notes = []
            if key == "relations_200":
                notes.append(
                    f"{r['relations_bytes']:,} B, {r['relations_countries']} countries, "
                    f"{r['government_records']} records"
                )
            if key.startswith(("ceiling_", "defaults_")):
                notes.append("the service's bytes, headers included")
            if key == "before_relations_cold":
                notes.append(f"commit {s.get('ref')}")
            if key == "datasette":
                notes.append(f"status {s.get('status')}, {s.get('rows')} rows")
            if key == "relations_304":
                notes.append(f"check: {s.get('check_status')}")
            if key == "csv_export":
                per = s["bytes"] / s["requests"] if s["requests"] else 0
                notes.append(
                    f"filter `{s['filter']}`: {s['rows']:,} rows, {per / 1e6:.2f} MB each, "
                    f"{s['rows'] * s['rps']:,.0f} rows/s"
                )
            if key == "patch":
                notes.append(f"{s['patch_ok']} ok, {s['patch_412']} × 412, {s['patch_other']} other, {s['gets']} GETs")
            if key == "baseline":
                notes.append(f"answer vs service: {s.get('answer')}")
            if s.get("errors") and key != "patch":
                notes.append(f"**{s['errors']} errors** (status {s['errors_status']}, timeout {s['errors_timeout']})")
            rps = s["ok_rps"] if key == "patch" else s["rps"]
            lead = (
                f"| {r['engine']} | {r['records']:,} | {r['synth_seconds']:.1f} | {r['db_bytes'] / 1e6:,.0f} "
                if first
                else "| | | | "
            )
            first = False
            cores = f"{s['server_cores']:.2f} / {s['foreign_cores']:.2f}" + (
                " ⚠" if s["foreign_cores"] > FOREIGN_LIMIT else ""
            )
            lines.append(
                f"{lead}| {label} | {rps:,.1f} | {s['p50_ms']:,.2f} | {s['p99_ms']:,.2f} | {cores} | "
                f"{fmt(per_core(s), 1)} | {'; '.join(notes)} |"
            )
    lines += ["", *targets_table(results), ""]
    lines += [
        "",
        "CSV export memory (one unfiltered export of every exchange, after the other scenarios; "
        "runs before 27 Nov 23:40 made it first, on a fresh server):",
        "",
        "| engine | records | outcome | rows | seconds | rows/s | worker RSS before → after MB (max Δ) |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        e = r["big_export"]
        before = max((m.get("VmRSS", 0) for m in e["rss_before_kb"].values()), default=0) / 1024
        after = max((m.get("VmRSS", 0) for m in e["rss_after_kb"].values()), default=0) / 1024
        rate = e["rows"] / e["seconds"] if e["seconds"] else 0
        outcome = e["outcome"] + (f"; worker(s) replaced: {e['workers_replaced']}" if e["workers_replaced"] else "")
        if e.get("worker_timeouts"):
            outcome += f"; gunicorn logged WORKER TIMEOUT × {e['worker_timeouts']}"
        lines.append(
            f"| {r['engine']} | {r['records']:,} | {outcome} | {e['rows']:,} | {e['seconds']:.1f} | "
            f"{rate:,.0f} | {before:.0f} → {after:.0f} ({(e['max_rss_delta_kb'] or 0) / 1024:+.1f}) |"
        )
    lines.append("")
    return "\n".join(lines)


def serving_designs(args, base_env: dict) -> list[tuple[str, dict]]:
    """(name, environment) of each serving design to measure: ``--serving sync,paced`` or the default."""
    if not args.serving:
        return [("default", base_env)]
    return [(name, {**base_env, "WORKER_CLASS": name}) for name in args.serving.split(",") if name.strip()]


# Scenarios that measure a reference, not the service (left out of the designs' comparison).
REFERENCES = ("ceiling_", "defaults_", "before_", "baseline", "datasette")


def serving_comparison(results: list[dict]) -> str:
    """With ``--serving``: each design's ratios (against its own ceiling and baseline) and req/s
    beside the first design's, per dataset."""
    designs = list(dict.fromkeys(r.get("serving", "default") for r in results))
    if len(designs) < 2:
        return ""
    lines = [
        "",
        "## Serving designs compared",
        "",
        f"Each design measured in full on the same data (`--serving {','.join(designs)}`); ratios against "
        f"the ceiling and baseline served by the same design; req/s beside the `{designs[0]}` design's.",
        "",
        "| engine | records | design | relations200 / ceiling | relations200 / baseline | relations304 / ceiling "
        "| " + " | ".join(f"{label} req/s" for key, label in SCENARIOS if not key.startswith(REFERENCES)) + " |",
        "|---|---:|---|---:|---:|---:|" + "---:|" * sum(not key.startswith(REFERENCES) for key, _ in SCENARIOS),
    ]
    first = {(r["engine"], r["records"]): r for r in results if r.get("serving") == designs[0]}
    for r in results:
        sc, reference = r["scenarios"], first.get((r["engine"], r["records"]))
        cells = []
        for key, _ in SCENARIOS:
            if key.startswith(REFERENCES):
                continue
            rps = sc.get(key, {}).get("ok_rps" if key == "patch" else "rps")
            base = (reference or {}).get("scenarios", {}).get(key, {}).get("ok_rps" if key == "patch" else "rps")
            change = "" if r is reference or not base or rps is None else f" ({(rps / base - 1) * 100:+.0f} %)"
            cells.append(f"{fmt(rps, 1)}{change}")
        lines.append(
            f"| {r['engine']} | {r['records']:,} | {r.get('serving')} | "
            f"{fmt(ratio(sc['relations_200']['rps'], sc['ceiling_relations_200']['rps']))} | "
            f"{fmt(ratio(sc['relations_200']['rps'], sc['baseline']['rps']))} | "
            f"{fmt(ratio(sc['relations_304']['rps'], sc['ceiling_relations_304']['rps']))} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,100000,1000000",
        help="comma-separated record counts for SQLite (empty: none) [%(default)s]",
    )
    parser.add_argument("--postgres", metavar="URL", help="also run on a fresh database on this PostgreSQL server")
    parser.add_argument("--postgres-sizes", help="sizes for PostgreSQL [default: --sizes]")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario [%(default)s]")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds before each scenario [%(default)s]")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads [%(default)s]")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections [%(default)s]")
    parser.add_argument("--write-connections", type=int, default=4, help="PATCH connections [%(default)s]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn WEB_CONCURRENCY [%(default)s]")
    parser.add_argument("--timeout", type=int, default=None, help="gunicorn TIMEOUT [the project's default]")
    parser.add_argument("--csv-rows", type=int, default=10_000, help="rows wanted in the CSV scenario [%(default)s]")
    parser.add_argument("--export-deadline", type=float, default=180, help="seconds allowed to the big export")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30,
        help="seconds to wait, before each scenario, for other processes to leave the CPU [%(default)s]",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=1,
        help="extra tries of a scenario slowed by other work; the least disturbed is kept [%(default)s]",
    )
    parser.add_argument(
        "--serving",
        help="comma-separated gunicorn designs to compare side by side (WORKER_CLASS of gunicorn.conf.py: "
        "sync, paced), each measured in full on every dataset [gunicorn.conf.py's default only]",
    )
    parser.add_argument(
        "--before",
        default=BEFORE_HOT_PATH,
        help="commit of the service before the hot path, measured beside it on the cold relations answer "
        "(empty: not measured) [%(default)s]",
    )
    parser.add_argument("--max-minutes", type=float, default=60, help="skip datasets not started by then")
    parser.add_argument("--workdir", help="where SQLite files and logs go [a new temporary folder, removed after]")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--render-only", metavar="RESULTS_JSON", help="only write the report again from a results.json")
    args = parser.parse_args()
    if args.render_only:
        saved = json.loads(Path(args.render_only).read_text(encoding="utf-8"))
        stored = argparse.Namespace(**{**vars(args), **saved.get("args", {})})
        report = render(
            saved["results"],
            saved["machine"],
            stored,
            saved.get("total_seconds", 0),
            saved.get("command", "bench/run.py"),
        )
        if saved.get("failures"):
            report += "\n## Failed runs\n\n" + "\n".join(f"- {f}" for f in saved["failures"]) + "\n"
        Path(args.output).write_text(report, encoding="utf-8")
        print(report)
        return

    ensure_wrk()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    plan = [("sqlite", n) for n in sizes]
    if args.postgres:
        pg_sizes = [int(s) for s in (args.postgres_sizes or args.sizes).split(",") if s.strip()]
        plan += [("postgresql", n) for n in pg_sizes]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="rs-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base_env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "PORT", "HOST")}
    base_env["PYTHONPATH"] = str(ROOT)
    info = machine()
    if args.postgres:
        from sqlalchemy import create_engine, text

        from service.config import normalise_database_url

        engine = create_engine(normalise_database_url(args.postgres))
        with engine.connect() as connection:
            info["postgres"] = connection.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
    before_root = export_before(args.before, workdir) if args.before else None
    began = time.perf_counter()
    results: list[dict] = []
    failures: list[str] = []
    try:
        for engine_name, records in plan:
            if time.perf_counter() - began > args.max_minutes * 60:
                log(f"skipping {engine_name} {records:,}: past --max-minutes {args.max_minutes}")
                continue
            for design, design_env in serving_designs(args, base_env):
                try:
                    results.append(measure(engine_name, records, args, workdir, design_env, before_root))
                    results[-1]["serving"] = design
                except Exception as error:  # report the sizes that did run
                    log(f"{engine_name} {records:,} {design} FAILED: {type(error).__name__}: {error}")
                    failures.append(f"{engine_name} {records:,} {design}: {type(error).__name__}: {str(error)[:300]}")
    finally:
        total = time.perf_counter() - began
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        if results:
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            command = " ".join(["bench/run.py"] + sys.argv[1:])
            report = render(results, info, args, total, command)
            report += serving_comparison(results)
            if failures:
                report += "\n## Failed runs\n\n" + "\n".join(f"- {failure}" for failure in failures) + "\n"
            Path(args.output).write_text(report, encoding="utf-8")
            Path(args.output).with_name("results.json").write_text(
                json.dumps(
                    {
                        "machine": info,
                        "command": command,
                        "args": vars(args),
                        "total_seconds": total,
                        "failures": failures,
                        "results": results,
                    },
                    indent=1,
                    default=str,
                ),
                encoding="utf-8",
            )
            print(report)
            log(f"wrote {args.output} in {total / 60:.1f} min")


if __name__ == "__main__":
    main()
