#!/usr/bin/env python3
"""The cold relations answer (``as_of`` varied), in process, for any tree of the service.

``GET /v1/governments/<busiest synthetic government>/relations?as_of=<random day of
2000-2024>`` with only a ``Host`` header (what wrk sends), N requests through the WSGI
app gunicorn serves (``service.create_app()``, the hot path in front), no network:

- ``time``: per-request wall time, one request after the other;
- ``threads:K``: the same requests from K threads at once (a gthread worker with K
  requests in hand): process CPU per request and context switches;
- ``cprofile``: the top functions, by cumulative and by own time.

The tree is the first argument, so the code before the hot path (``git archive 75a9fe9``)
runs in the same virtualenv against the same database:

    .venv/bin/python bench/profile_cold.py /tmp/before sqlite:////tmp/bench.sqlite3 threads:8 200
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import resource
import statistics
import sys
import threading
import time

from run import BUSIEST_GOVERNMENT  # bench/run.py, beside this script (stdlib imports only)


def main() -> None:
    root, url, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sys.path.insert(0, os.path.abspath(root))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.chdir(root)
    from sqlalchemy import create_engine, event, text
    from sqlalchemy.engine import Engine
    from werkzeug.test import EnvironBuilder

    import service

    engine = create_engine(url)
    with engine.connect() as connection:
        government = connection.execute(text(BUSIEST_GOVERNMENT)).first()[0]
    engine.dispose()

    app = service.create_app()
    rng = random.Random(7919)
    first = dt.date(2000, 1, 1)
    days = [first + dt.timedelta(days=rng.randint(0, 9100)) for _ in range(n + 5)]
    statuses: list[str] = []

    def environ(day: dt.date) -> dict:
        built = EnvironBuilder(
            path=f"/v1/governments/{government}/relations",
            query_string=f"as_of={day.isoformat()}",
            headers={"Host": "127.0.0.1:8000"},
        ).get_environ()
        built.pop("CONTENT_LENGTH", None)
        built.pop("CONTENT_TYPE", None)
        return built

    def call(one: dict) -> None:
        body = app(one, lambda status, headers, exc_info=None: statuses.append(status))
        try:
            for _ in body:
                pass
        finally:
            getattr(body, "close", lambda: None)()

    for day in days[:5]:
        call(environ(day))
    requests = [environ(day) for day in days[5:]]
    statuses.clear()

    if mode == "time":
        samples = []
        for one in requests:
            began = time.perf_counter()
            call(one)
            samples.append((time.perf_counter() - began) * 1e6)
        median, mean = statistics.median(samples), statistics.mean(samples)
        print(f"{root}: {n} requests, median {median:.0f} µs, mean {mean:.0f} µs")
    elif mode.startswith("threads:"):
        k = int(mode.split(":")[1])
        connects: list[int] = []
        event.listen(Engine, "connect", lambda *_: connects.append(1))
        barrier = threading.Barrier(k + 1)

        def worker(part: list[dict]) -> None:
            barrier.wait()
            for one in part:
                call(one)

        threads = [threading.Thread(target=worker, args=(requests[i::k],)) for i in range(k)]
        for thread in threads:
            thread.start()
        before, cpu, wall = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.perf_counter()
        barrier.wait()
        for thread in threads:
            thread.join()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_SELF)
        print(
            f"{root}: {k} threads, {n} requests: CPU {cpu / n * 1e6:.0f} µs/request, wall {wall / n * 1e6:.0f} "
            f"µs/request, {(after.ru_nvcsw - before.ru_nvcsw) / n:.0f} voluntary context switches/request, "
            f"{len(connects)} new connections"
        )
    else:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for one in requests:
            call(one)
        profiler.disable()
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        print(stream.getvalue())
    print(f"statuses: {sorted(set(statuses))}")


if __name__ == "__main__":
    main()
