"""Serving designs side by side: the sync worker against the paced one, interleaved.

``bench/run.py --serving`` measures each design in full, one after the other; on a
shared 2-core machine the drift between the two runs (±15 % seen) is larger than the
differences being asked about. Here every server is up at once on the same SQLite
file (an idle server costs nothing), and each scenario is measured on each server in
turn, ``--rounds`` times, the order reversed every round; medians are compared.

Servers: the service and the ceiling (``bench/ceiling_app.py``: the service's very
bytes from a bare WSGI app) under each design. Printed and written to ``--output``:
per scenario, req/s by design and its change against the first design, and the
service/ceiling ratio under each design with its change (issue 12: "the bench ratios
drop by at most 10 %").

    .venv/bin/python bench/serving.py --records 1000 --rounds 5 --duration 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run as bench  # noqa: E402 - after the path above

DESIGNS = {"sync": {"WORKER_CLASS": "sync"}, "paced": {"WORKER_CLASS": "paced"}}


def scenarios(facts: dict, etag: str) -> dict[str, tuple[str, tuple[str, ...], dict | None, str | None]]:
    """name: (path, headers, wrk environment, the ceiling's answer for it or None)."""
    gov = facts["government"]
    relations = f"/v1/governments/{gov}/relations?as_of={bench.AS_OF}"
    record = f"/v1/ambassador-exchanges/{facts['patch_ids'][0]}"
    return {
        "relations 200": (relations, (), None, "relations_200"),
        "relations 304": (relations, (f"If-None-Match: {etag}",), None, "relations_304"),
        "relations 200, as_of varied": (relations, (), bench.vary_as_of(gov), None),
        "one relation (RU)": (f"/v1/governments/{gov}/relations/RU?as_of={bench.AS_OF}", (), None, None),
        "one record": (record, (), None, "record_one"),
        "filtered page": (bench.FILTERED_PAGE, (), None, "filtered_page"),
    }


def drop(worst: tuple[float, str]) -> str:
    """The largest drop, as text: (change, scenario), the change below zero for a drop."""
    change, name = worst
    return "none dropped" if change >= 0 else f"largest drop {-change * 100:.0f} % ({name})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=3, help="seconds per measurement [%(default)s]")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", default=str(bench.ROOT / "bench" / "RESULTS-serving.md"))
    args = parser.parse_args()
    bench.ensure_wrk()
    began = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="rs-serving-"))
    url = f"sqlite:///{workdir / 'serving.sqlite3'}"
    base_env = {**os.environ, "LOG_LEVEL": "warning"}
    bench.log(f"migrate, seed, synth {args.records:,} records")
    bench.prepare(url, args.records, base_env)
    facts = bench.inspect(url, 10_000, 4)
    servers: dict[str, bench.Server] = {}
    try:
        for design, extra in DESIGNS.items():
            env = {**base_env, "DATABASE_URL": url, **extra}
            servers[f"service {design}"] = bench.Server("service:create_app()", env, workdir, design, 2)
            servers[f"service {design}"].start("/readyz")
        some = servers["service sync"].base
        gov = facts["government"]
        relations = f"/v1/governments/{gov}/relations?as_of={bench.AS_OF}"
        etag = bench.http(some + relations)[1]["ETag"]
        plan = scenarios(facts, etag)
        captured = [bench.capture(some, path) for path, headers, _, key in plan.values() if key and not headers]
        captured.append(bench.capture(some, relations, {"If-None-Match": etag}))
        answers = workdir / "ceiling.json"
        answers.write_text(json.dumps(captured), encoding="utf-8")
        for design, extra in DESIGNS.items():
            env = {**base_env, "CEILING_ANSWERS": str(answers), **extra}
            servers[f"ceiling {design}"] = bench.Server("bench.ceiling_app:app", env, workdir, f"c-{design}", 2)
            servers[f"ceiling {design}"].start("/")

        runs: dict[tuple[str, str], list[dict]] = {}
        for name, (path, headers, env, ceiling) in plan.items():
            targets = [s for s in servers if s.startswith("service") or ceiling]
            for server in targets:  # warm-up: imports done, answers remembered
                bench.wrk(
                    servers[server].base + path,
                    duration=1,
                    threads=2,
                    connections=args.connections,
                    headers=headers,
                    env=env,
                )
            for round_ in range(args.rounds):
                for server in targets if round_ % 2 == 0 else reversed(targets):
                    bench.wait_for_quiet(5)
                    running = servers[server]
                    measured = bench.wrk(
                        running.base + path,
                        duration=args.duration,
                        threads=2,
                        connections=args.connections,
                        headers=headers,
                        env=env,
                        server_pids=[running.process.pid] + running.worker_pids(),
                    )
                    runs.setdefault((name, server), []).append(measured)
                    bench.log(
                        f"  {name:28s} {server:15s} {measured['rps']:9.1f} req/s  p99 "
                        f"{measured['p99_ms']:7.1f} ms  errors {measured['errors']}  foreign "
                        f"{measured['foreign_cores']:.2f}"
                    )
        rss = {
            name: max((bench.proc_status(pid).get("VmHWM", 0) for pid in s.worker_pids()), default=0) / 1024
            for name, s in servers.items()
            if name.startswith("service")
        }
    finally:
        for server in servers.values():
            server.stop()

    def median(name: str, server: str) -> float | None:
        measured = runs.get((name, server))
        return statistics.median(m["rps"] for m in measured) if measured else None

    designs = list(DESIGNS)
    first = designs[0]
    lines = [
        "# Serving designs side by side",
        "",
        f"Produced by `bench/serving.py --records {args.records} --rounds {args.rounds} --duration {args.duration}` "
        f"on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in {(time.monotonic() - began) / 60:.1f} min, commit "
        f"{bench.machine().get('commit', '?')}.",
        "",
        f"All servers up at once on one SQLite file ({args.records:,} synthetic records plus the seed), 2 workers each "
        f"under the project's `gunicorn.conf.py`, `WORKER_CLASS` set per design; wrk, 2 threads, "
        f"{args.connections} connections, {args.duration} s per measurement, {args.rounds} rounds, each scenario "
        "measured on every server in turn (order reversed every round). Medians of req/s. The ceiling is "
        "`bench/ceiling_app.py` sending the service's very bytes under the same design.",
        "",
        "| scenario | "
        + " | ".join(f"{d} req/s" for d in designs)
        + " | change | "
        + " | ".join(f"/ ceiling ({d})" for d in designs)
        + " | ratio change |",
        "|---|" + "---:|" * (2 * len(designs) + 2),
    ]
    worst_ratio: tuple[float, str] = (0.0, "")
    worst_rps: tuple[float, str] = (0.0, "")
    for name, (_, _, _, ceiling) in plan.items():
        rps = [median(name, f"service {d}") for d in designs]
        ratios = [
            bench.ratio(r, median(name, f"ceiling {d}")) if ceiling else None for r, d in zip(rps, designs, strict=True)
        ]
        change = rps[-1] / rps[0] - 1
        ratio_change = ratios[-1] / ratios[0] - 1 if ratios[0] else None
        worst_rps = min(worst_rps, (change, name))
        if ratio_change is not None:
            worst_ratio = min(worst_ratio, (ratio_change, name))
        lines.append(
            f"| {name} | "
            + " | ".join(bench.fmt(r, 1) for r in rps)
            + f" | {change * 100:+.0f} % | "
            + " | ".join(bench.fmt(r) if r is not None else "" for r in ratios)
            + f" | {'' if ratio_change is None else f'{ratio_change * 100:+.0f} %'} |"
        )
    lines += [
        "",
        f"- Issue 12's bound, the bench ratios (to the ceiling) drop by at most 10 %: {drop(worst_ratio)}, "
        f"{'met' if worst_ratio[0] >= -0.10 else 'NOT met'}.",
        f"- Requests/s, `{designs[-1]}` against `{first}`: {drop(worst_rps)}.",
        "",
        "Peak RSS per worker (VmHWM, MB): " + ", ".join(f"{n} {v:.0f}" for n, v in rss.items()) + ".",
        "",
        "Every measurement, in order: req/s (p99 ms)",
        "",
    ]
    for (name, server), measured in runs.items():
        lines.append(f"- {name}, {server}: " + ", ".join(f"{m['rps']:.0f} ({m['p99_ms']:.1f})" for m in measured))
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
