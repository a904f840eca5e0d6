"""Faults: the database going away and coming back, and SIGTERM under load."""

from __future__ import annotations

import errno
import http.client
import json
import logging
import os
import sqlite3
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service import create_app
from service.store.database import db as _db
from service.store.models import Source
from service.store.seed import seed
from service.store.tokens import create_token
from tests.support.constants import PROBLEM
from tests.support.databases import fresh_database
from tests.support.private_postgres import PrivatePostgres
from tests.support.served import request, served


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    try:
        server.create().start()
        yield server
    finally:
        server.remove()


def timed(method: str, url: str):
    started = time.monotonic()
    answer = request(method, url, timeout=30)
    return answer, time.monotonic() - started


def test_database_outage_is_503_without_hanging_and_heals_without_restart(private_postgres, tmp_path):
    with served(private_postgres.url, tmp_path / "gunicorn.log") as server:
        governments = f"{server.base_url}/v1/governments?q=Taliban"
        assert request("GET", governments).status == 200

        private_postgres.stop()
        for path in ("/readyz", "/v1/governments?q=Taliban", "/v1/governments/af-islamic-emirate/relations"):
            answer, seconds = timed("GET", f"{server.base_url}{path}")
            assert answer.status == 503, answer.body[:500]
            assert answer.headers["Content-Type"].startswith(PROBLEM)
            assert seconds < 10, f"{path} took {seconds:.1f} s while the database was down"
            assert b"Traceback" not in answer.body
        write = request(
            "POST",
            f"{server.base_url}/v1/sources",
            {"publisher": "AP", "title": "During the outage", "kind": "news"},
            {"Authorization": f"Bearer {server.write_token}"},
        )
        assert write.status == 503

        private_postgres.start()
        deadline = time.monotonic() + 30
        while request("GET", f"{server.base_url}/readyz").status != 200:
            assert time.monotonic() < deadline, "not ready 30 s after the database came back"
            time.sleep(0.3)
        assert request("GET", governments).status == 200
        assert server.process.poll() is None, "the same gunicorn served before, during and after"


def test_sigterm_under_load_drains_in_flight_requests(tmp_path):
    """Requests sent before SIGTERM all get their full answer, including those still
    queued for a worker; connections opened after it may be refused (the server is
    leaving), which clients retry elsewhere. No write is half-applied."""
    database = tmp_path / "load.sqlite3"
    created: list[str] = []
    broken_in_flight: list[str] = []
    turned_away_after_term: list[str] = []
    sigterm_at: list[float] = []
    stop = threading.Event()

    with served(f"sqlite:///{database}", tmp_path / "gunicorn.log", WEB_CONCURRENCY="2") as server:
        host, port = server.base_url.removeprefix("http://").split(":")

        def client(number: int) -> None:
            while not stop.is_set():
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                sent_at = time.monotonic()
                try:
                    if number % 2:
                        body = f'{{"publisher": "Load {number}", "title": "t", "kind": "news"}}'
                        connection.request(
                            "POST",
                            "/v1/sources",
                            body,
                            {"Content-Type": "application/json", "Authorization": f"Bearer {server.write_token}"},
                        )
                    else:
                        connection.request("GET", "/v1/governments/af-islamic-emirate/relations?as_of=2025-07-04")
                    response = connection.getresponse()
                    payload = response.read()
                    if response.status == 201:
                        created.append(response.getheader("Location").rsplit("/", 1)[-1])
                    elif response.status != 200:
                        broken_in_flight.append(f"status {response.status}: {payload[:200]!r}")
                except (ConnectionError, http.client.HTTPException, OSError) as error:
                    if sigterm_at and sent_at > sigterm_at[0]:
                        turned_away_after_term.append(type(error).__name__)
                        return
                    broken_in_flight.append(f"{type(error).__name__}: {error}")
                    return
                finally:
                    connection.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        before_term = len(created)
        sigterm_at.append(time.monotonic())
        server.process.terminate()  # SIGTERM to the gunicorn master
        server.process.wait(timeout=40)
        stop.set()
        for thread in threads:
            thread.join(timeout=40)

    print(
        f"\nSIGTERM under load: {len(created)} writes answered 201 ({before_term} before SIGTERM), "
        f"{len(turned_away_after_term)} connections opened after SIGTERM turned away"
    )
    assert before_term > 0, "the load ran before SIGTERM"
    assert server.process.returncode == 0
    assert not broken_in_flight, f"{len(broken_in_flight)} in-flight requests broke: {broken_in_flight[:5]}"
    with sqlite3.connect(database) as connection:
        stored = {row[0] for row in connection.execute("SELECT id FROM sources WHERE publisher LIKE 'Load %'")}
        logged = [
            row[0]
            for row in connection.execute(
                "SELECT record_id FROM changes WHERE resource = 'sources' AND actor = 'desk' AND action = 'create'"
            )
        ]
    assert set(created) <= stored, "every 201 answered is stored"
    assert sorted(logged) == sorted(stored), "every stored write has exactly one change entry, and no more"


# --- truthful statuses when the database fails a write (issue 12, item 3) -----------------

NEW_SOURCE = {"publisher": "AP", "title": "Envoy accepted", "kind": "news", "published": "2025-07-04"}


def count_sources(db, publisher: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Source).where(Source.publisher == publisher))


@pytest.fixture
def commit_then_lose_the_connection(app, db, monkeypatch):
    """The database applies the COMMIT, then the connection drops before its answer
    arrives: the DBAPI commit succeeds, the connection is closed, and the error the
    client sees is the closed connection's (a disconnect on both engines)."""
    dialect = db.engine.dialect
    real_commit = dialect.do_commit
    armed = threading.Event()

    def do_commit(dbapi_connection):
        real_commit(dbapi_connection)
        if armed.is_set():
            armed.clear()
            driver_connection = dbapi_connection.dbapi_connection
            driver_connection.close()
            driver_connection.commit()  # raises: the connection is closed

    monkeypatch.setattr(dialect, "do_commit", do_commit)
    return armed


def test_a_commit_whose_outcome_is_unknown_is_503_saying_it_may_have_been_applied(
    client, seeded, editor, db, commit_then_lose_the_connection, caplog
):
    commit_then_lose_the_connection.set()
    body = {**NEW_SOURCE, "publisher": "In doubt"}
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        response = client.post("/v1/sources", json=body, headers=editor)
    assert response.status_code == 503
    assert response.mimetype == PROBLEM
    detail = response.json["detail"]
    assert "may have been applied" in detail
    assert "Idempotency-Key" in detail and "/v1/changes" in detail
    assert "commit outcome unknown" in caplog.text
    db.session.rollback()
    assert count_sources(db, "In doubt") == 1, "the COMMIT had been applied, as the answer warned it might be"


def test_a_connection_lost_before_commit_is_an_ordinary_503(client, seeded, editor, db, monkeypatch):
    """A failure before COMMIT was sent is known not to have written anything: retry."""
    dialect = db.engine.dialect

    def lost(*_args, **_kwargs):
        raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dialect, "do_commit", lost)
    response = client.post("/v1/sources", json={**NEW_SOURCE, "publisher": "Not sent"}, headers=editor)
    monkeypatch.undo()
    assert response.status_code == 503
    assert "may have been applied" not in response.json["detail"]
    db.session.rollback()
    assert count_sources(db, "Not sent") == 0


def test_a_failing_end_of_request_rollback_never_escapes(database_url, db, seeded, write_token, monkeypatch):
    """The session's rollback at the end of a request fails (its connection is gone):
    the answer already made stands; nothing becomes an HTML 500."""
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WEBHOOK_RESOLVE_NAMES": False})
    real_close = Session.close
    failures, armed = [], [1]

    def close(self):
        if armed:
            failures.append(1)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
        return real_close(self)

    monkeypatch.setattr(Session, "close", close)
    client = fresh.test_client()
    read = client.get("/v1/governments?q=Taliban")
    write = client.post("/v1/sources", json=NEW_SOURCE, headers={"Authorization": f"Bearer {write_token}"})
    armed.clear()
    monkeypatch.undo()
    with fresh.app_context():
        _db.engine.dispose()
    assert failures, "the end-of-request rollback was made to fail"
    assert read.status_code == 200 and read.mimetype == "application/json"
    assert write.status_code == 201


def test_a_read_only_sqlite_file_is_503_and_the_log_names_it(tmp_path, caplog):
    """SQLite opens a file it may not write read-only (we run as root, which may write
    any file, so the test asks for that mode in the URL): reads work, writes are 503."""
    path = tmp_path / "ro.sqlite3"
    url = f"sqlite:///{path}"
    writable = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with writable.app_context():
        _db.create_all()
        seed()
        token = create_token("desk", "write")
        _db.session.remove()
        _db.engine.dispose()
    read_only = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{path}?mode=ro&uri=true"})
    client = read_only.test_client()
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        write = client.post("/v1/sources", json=NEW_SOURCE, headers={"Authorization": f"Bearer {token}"})
    assert client.get("/v1/governments?q=Taliban").status_code == 200
    with read_only.app_context():
        _db.engine.dispose()
    assert write.status_code == 503, write.get_data(as_text=True)
    assert write.mimetype == PROBLEM
    assert "read-only" in write.json["detail"]
    assert "Retry-After" not in write.headers
    assert "read-only" in caplog.text


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MiB tmpfs of our own; skipped, saying why, where mounting is not allowed."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True, text=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder) -> None:
    """Write a file until the file system has no byte left."""
    descriptor = os.open(folder / "filler", os.O_CREAT | os.O_WRONLY)
    try:
        while True:
            os.write(descriptor, b"\0" * 65536)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    try:  # the last partial blocks
        while True:
            os.write(descriptor, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def test_sqlite_on_a_full_disk_is_507_without_retry_after_and_logs_disk_full(small_disk, caplog):
    path = small_disk / "full.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        _db.create_all()
        seed()
        token = create_token("desk", "write")
        _db.session.remove()
    client = app.test_client()
    editor = {"Authorization": f"Bearer {token}"}
    fill(small_disk)
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        full = [client.post("/v1/sources", json={**NEW_SOURCE, "title": f"Full {n}"}, headers=editor) for n in range(3)]
    (small_disk / "filler").unlink()
    after = client.post("/v1/sources", json={**NEW_SOURCE, "title": "After"}, headers=editor)
    with app.app_context():
        _db.engine.dispose()
    statuses = [answer.status_code for answer in full]
    assert 507 in statuses, statuses
    for answer in full:
        if answer.status_code == 507:
            assert answer.mimetype == PROBLEM
            assert "Retry-After" not in answer.headers
            assert "disk is full" in answer.json["detail"]
    assert [r for r in caplog.records if r.levelno == logging.ERROR and "disk full" in r.getMessage()]
    assert after.status_code == 201, "the service writes again once space is freed"
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        titles = {row[0] for row in connection.execute("SELECT title FROM sources WHERE publisher = 'AP'")}
        created = connection.execute(
            "SELECT count(*) FROM changes WHERE resource = 'sources' AND action = 'create' AND actor = 'desk'"
        ).fetchone()[0]
    answered_201 = {f"Full {n}" for n, answer in enumerate(full) if answer.status_code == 201} | {"After"}
    assert titles == answered_201, "a write refused for the full disk left nothing behind"
    assert created == len(titles), "each stored write has its one change entry"


# --- lost connections during a burst of keyed writes (issue 12, item 6) ---------------------


@pytest.fixture
def postgres_url(tmp_path):
    with fresh_database("postgresql", tmp_path) as url:
        yield url


def terminate_backends(database_url: str, times: int, every: float, stop: threading.Event) -> int:
    """From a connection of its own, end every other backend of the database, ``times`` times."""
    done = 0
    killer = create_engine(database_url)
    try:
        with killer.connect() as connection:
            for _ in range(times):
                if stop.wait(every):
                    break
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                connection.commit()
                done += 1
    finally:
        killer.dispose()
    return done


def test_terminated_backends_during_a_keyed_write_burst_store_each_write_exactly_once(postgres_url, tmp_path):
    """Clients POST with an Idempotency-Key each and retry the same key on a 503, a 409
    or a lost connection; the database's backends are terminated 6 times meanwhile.
    Every key ends acknowledged (201), and every acknowledged write is stored once."""
    clients, per_client, attempts_per_key = 4, 12, 40
    statuses: list[int | str] = []
    acknowledged: dict[str, str] = {}
    unacknowledged: list[str] = []
    replayed: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    with served(postgres_url, tmp_path / "gunicorn.log") as server:
        host, port = server.base_url.removeprefix("http://").split(":")

        def writer(number: int) -> None:
            for index in range(per_client):
                key, title = f"burst-{number}-{index}", f"Burst {number}-{index}"
                body = json.dumps({"publisher": "Burst", "title": title, "kind": "news"})
                headers = {
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {server.write_token}",
                    "Idempotency-Key": key,
                }
                for _ in range(attempts_per_key):
                    connection = http.client.HTTPConnection(host, int(port), timeout=20)
                    try:
                        connection.request("POST", "/v1/sources", body, headers)
                        response = connection.getresponse()
                        response.read()
                        status: int | str = response.status
                    except (ConnectionError, http.client.HTTPException, OSError) as error:
                        status = type(error).__name__
                    finally:
                        connection.close()
                    with lock:
                        statuses.append(status)
                    if status == 201:
                        with lock:
                            acknowledged[key] = title
                            if response.getheader("Idempotent-Replayed") == "true":
                                replayed.append(key)
                        break
                    assert status in (503, 409) or isinstance(status, str), f"{key}: answered {status}"
                    time.sleep(0.1)
                else:
                    with lock:
                        unacknowledged.append(key)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        terminated = terminate_backends(postgres_url, 6, 0.25, stop)
        for thread in threads:
            thread.join(60)
        stop.set()

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            stored = [row[0] for row in connection.execute(text("SELECT title FROM sources WHERE publisher = 'Burst'"))]
            logged = connection.execute(
                text("SELECT count(*) FROM changes WHERE resource = 'sources' AND action = 'create' AND actor = 'desk'")
            ).scalar_one()
    finally:
        engine.dispose()
    tally = {str(status): statuses.count(status) for status in set(statuses)}
    duplicates = len(stored) - len(set(stored))
    print(
        f"\nbackends terminated {terminated} times during {clients * per_client} keyed writes: "
        f"{len(acknowledged)} acknowledged ({len(replayed)} by a replay), {len(stored)} stored, "
        f"{duplicates} duplicates, statuses seen {tally}"
    )
    assert terminated == 6
    assert not unacknowledged, f"keys never acknowledged: {unacknowledged[:5]}"
    assert duplicates == 0, "a retried key was applied twice"
    assert sorted(stored) == sorted(acknowledged.values()), "every acknowledged write is stored exactly once"
    assert logged == len(stored), "each stored write has its one change entry"
