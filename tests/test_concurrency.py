"""Concurrent writers: one ETag, one winner; the feed never skips or repeats an entry."""

from __future__ import annotations

import threading
import time

from sqlalchemy import event

from service.store.database import SQLITE_CACHE_KIB, db
from tests.support.constants import RECOGNITION


def run_together(count: int, action) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        results[index] = action(index)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_eight_patches_holding_one_etag_give_one_200_and_seven_412(app, client, seeded, editor):
    etag = client.get(RECOGNITION).headers["ETag"]

    def patch(index: int) -> int:
        with app.test_client() as own_client:
            response = own_client.patch(
                RECOGNITION, json={"note": f"editor {index}"}, headers={**editor, "If-Match": etag}
            )
            return response.status_code

    statuses = run_together(8, patch)
    assert sorted(statuses) == [200] + [412] * 7
    history = client.get(f"{RECOGNITION}/history").json["items"]
    assert [entry["action"] for entry in history] == ["create", "update"], "exactly one write landed"
    assert client.get(RECOGNITION).headers["ETag"] == '"v2"'


def test_eight_deletes_holding_one_etag_give_one_204(app, client, seeded, editor):
    path = "/v1/ambassador-exchanges/amb_ef2a62b16b2afcb65991"

    def delete(index: int) -> int:
        with app.test_client() as own_client:
            return own_client.delete(path, headers={**editor, "If-Match": '"v1"'}).status_code

    statuses = run_together(8, delete)
    assert statuses.count(204) == 1
    assert set(statuses) <= {204, 404, 412}
    assert [e["action"] for e in client.get(f"{path}/history").json["items"]] == ["create", "delete"]


def test_a_reader_following_the_feed_during_writes_sees_every_entry_once(app, client, seeded, editor):
    writers, per_writer = 4, 12
    done = threading.Event()
    seen: list[int] = []
    start_after = client.get("/v1/changes?limit=500").json["items"][-1]["seq"]

    def write(index: int) -> None:
        with app.test_client() as own_client:
            for number in range(per_writer):
                body = {"publisher": f"Writer {index}", "title": f"Item {number}", "kind": "news"}
                assert own_client.post("/v1/sources", json=body, headers=editor).status_code == 201

    def read() -> None:
        after = start_after
        with app.test_client() as own_client:
            while True:
                finished = done.is_set()
                page = own_client.get("/v1/changes", query_string={"after": after, "limit": 7}).json
                seen.extend(item["seq"] for item in page["items"])
                if page["items"]:
                    after = page["items"][-1]["seq"]
                elif finished:
                    return
                else:
                    # A follower waits a moment on an empty page. Spinning would also
                    # starve the writer threads of the GIL: each of their statements
                    # took ~0.5 s, holding SQLite's write lock past others' busy timeout.
                    time.sleep(0.005)

    reader = threading.Thread(target=read)
    reader.start()
    run_together(writers, write)
    done.set()
    reader.join(timeout=60)
    everything = [
        item["seq"]
        for item in client.get("/v1/changes", query_string={"after": start_after, "limit": 500}).json["items"]
    ]
    assert len(everything) == writers * per_writer
    assert seen == everything, "the live reader saw each entry exactly once, in order"


def test_on_sqlite_a_write_request_checks_and_writes_in_one_locked_transaction(app, client, seeded, editor):
    """The token lookup and the checks run after BEGIN IMMEDIATE, so no other writer can
    commit between a check and the write it allows; the record read back for the
    answer, after the commit, runs without the lock."""

    if db.engine.dialect.name != "sqlite":
        return
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "commit", lambda _connection: statements.append("COMMIT"))
    try:
        created = client.post(
            "/v1/sources", json={"publisher": "AP", "title": "Locked", "kind": "news"}, headers=editor
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert created.status_code == 201
    assert statements[0] == "BEGIN", f"the lock comes before the token lookup: {statements}"
    committed = statements.index("COMMIT")
    assert statements[1] == "SELECT" and "INSERT" in statements[:committed], statements
    assert "SELECT" in statements[committed:], "the answer is read back after the commit"
    assert statements.count("BEGIN") == 1, "and that read does not take the lock again"


def test_each_sqlite_connection_keeps_a_small_page_cache(app):
    """A worker holds two connections per thread: each one's cache counts in its RSS."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
