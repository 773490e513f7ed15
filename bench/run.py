"""Benchmark the insights dashboard and its rollups on a generated database.

    .venv/bin/python -m bench.run                           # SQLite, 100,000 people
    .venv/bin/python -m bench.run --people 1000             # SQLite, the small size
    .venv/bin/python -m bench.run --database-url postgresql://postgres@127.0.0.1:5432/bw_bench
    .venv/bin/python -m bench.run --compare A.json B.json   # query counts must be equal

Measures, in this order: a full rebuild of the rollups, the incremental rollup of one day
(the last generated day, several runs: it is idempotent), then every dashboard view through
Django's test Client signed in as a program admin, with DEBUG off and the production static
files storage: a few warm-up requests, then `--requests` timed ones, then one more request
whose queries are counted. Writes everything to bench/.data/results-<database>-<people>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from bench import _setup

TARGET_P95_MS = 100.0
TARGET_DAY_S = 2.0
TARGET_REBUILD_S = 90.0


@dataclass
class ViewResult:
    name: str
    url: str
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    # CPU time of this process (the app, and SQLite itself, which runs in-process): what
    # other work on a shared machine cannot add to.
    cpu_p50_ms: float
    cpu_p95_ms: float
    queries: int
    bytes: int


@dataclass
class Results:
    database: str
    vendor: str
    server_version: str
    people: int
    check_ins: int
    commitments: int
    commit: str
    date: str
    python: str
    cpus: int
    rebuild_s: float | None = None
    rebuild_error: str = ""
    day: str = ""
    day_check_ins: int = 0
    day_runs_s: list[float] = field(default_factory=list)
    busiest_day: str = ""
    busiest_day_check_ins: int = 0
    busiest_day_runs_s: list[float] = field(default_factory=list)
    views: list[ViewResult] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0
    notes: list[str] = field(default_factory=list)


def log(message: str, end: str = "\n") -> None:
    print(message, end=end, flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=_setup.REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bench", "bridgework/insights"],
            cwd=_setup.REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() + ("+local changes" if dirty.stdout.strip() else "")


def dashboard_views(organisation: Any) -> list[tuple[str, dict[str, str]]]:
    """The views to time: the organisation, its largest and smallest cohorts, a few periods."""
    from django.db.models import Count, Q

    from bridgework.cohorts.models import Cohort, Membership

    members = Q(memberships__status=Membership.Status.MEMBER)
    cohorts = list(
        Cohort.objects.in_organisation(organisation)
        .annotate(size=Count("memberships", filter=members))
        .order_by("-size", "pk")
        .values_list("pk", "size")
    )
    views: list[tuple[str, dict[str, str]]] = [("organisation", {})]
    if cohorts:
        views.append(("largest cohort", {"cohort": str(cohorts[0][0])}))
        views.append(("smallest cohort", {"cohort": str(cohorts[-1][0])}))
    for period in period_keys():
        views.append((f"organisation, period {period}", {"period": period}))
        if cohorts:
            views.append(
                (
                    f"largest cohort, period {period}",
                    {"cohort": str(cohorts[0][0]), "period": period},
                )
            )
    return views


def period_keys() -> list[str]:
    """The dashboard's fixed periods other than the default one."""
    from bridgework.insights.models import Period

    return [p.value for p in Period][:3]


def rebuild_within(rollups: Any, organisation: Any, limit: int, results: Results) -> float | None:
    """Time the full rebuild; on PostgreSQL stop any one statement after `limit` seconds."""
    from django.db import DatabaseError, connection

    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [limit * 1000])
    started = time.perf_counter()
    try:
        rollups.rebuild(organisation=organisation)
    except DatabaseError as error:
        seconds = time.perf_counter() - started
        results.rebuild_error = str(error).splitlines()[0]
        results.notes.append(
            f"The full rebuild did not finish: one statement ran past {limit} s and was "
            f"cancelled after {seconds:.0f} s in all ({results.rebuild_error})."
        )
        log(f"  full rebuild                             FAILED after {seconds:.0f} s")
        return None
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
    seconds = round(time.perf_counter() - started, 2)
    log(f"  full rebuild                             {seconds:7.2f} s")
    return seconds


@contextmanager
def held_back(model: Any, field: str, day: date) -> Iterator[int]:
    """Take the rows of `model` whose `field` falls on `day` out of their table, and put
    them back (same ids and values) afterwards."""
    from django.db import connection, transaction
    from django.utils import timezone

    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    bounds = [start, start + timedelta(days=1)]
    where = f"{column} >= %s AND {column} < %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_held_back")
        cursor.execute(
            f"CREATE TABLE bench_held_back AS SELECT * FROM {table} WHERE {where}", bounds
        )
        cursor.execute(f"DELETE FROM {table} WHERE {where}", bounds)
        count = cursor.rowcount
    try:
        yield count
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM bench_held_back")
            cursor.execute("DROP TABLE bench_held_back")
        if connection.vendor == "postgresql":
            # The rows taken out left dead index entries for the very day the benchmark then
            # folds. Autovacuum would clear them on a server that runs it (these machines'
            # servers do not): clear them here, so the fold reads what a live table holds.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {table}")


def busiest_recent_day(organisation: Any) -> date:
    """The day of the last two weeks with the most check-ins: the worst day to fold."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from bridgework.practice.models import CheckIn

    rows = CheckIn.objects.filter(person__organisation=organisation)
    last = rows.order_by("-created_at").first()
    if last is None:
        return date.today()
    since = last.created_at - timedelta(days=14)
    busiest = (
        rows.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n", "-day")
        .first()
    )
    return busiest["day"] if busiest else last.created_at.date()


def measure_view(
    client: Any, name: str, url: str, params: dict[str, str], requests: int
) -> ViewResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} {params} answered {response.status_code}")
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    result = ViewResult(
        name=name,
        url=url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""),
        requests=requests,
        p50_ms=round(statistics.median(times), 1),
        p95_ms=round(percentile(times, 0.95), 1),
        max_ms=round(max(times), 1),
        cpu_p50_ms=round(statistics.median(cpu), 1),
        cpu_p95_ms=round(percentile(cpu, 0.95), 1),
        queries=len(queries.captured_queries),
        bytes=len(response.content),
    )
    log(
        f"  {name:<40} p50 {result.p50_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  "
        f"max {result.max_ms:7.1f} ms  CPU p95 {result.cpu_p95_ms:6.1f} ms  "
        f"{result.queries:3d} queries"
    )
    return result


def run(
    url: str, *, requests: int, day_runs: int, skip_rebuild: bool, rebuild_limit: int
) -> Results:
    _setup.configure(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from bridgework.accounts.models import Organisation, Person
    from bridgework.practice.models import CheckIn, Commitment

    log(f"Benchmark on {_setup.describe(url)}")
    # A database generated before the latest insights migration still works.
    call_command("migrate", verbosity=0)
    # The manifest storage (DEBUG off) needs collected static files, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    organisation = Organisation.objects.get(slug="bench")
    admin = Person.objects.get(email="admin@bench.example.com")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        server_version = str(cursor.fetchone()[0])
    results = Results(
        database=_setup.describe(url),
        vendor=connection.vendor,
        server_version=server_version,
        people=Person.objects.filter(organisation=organisation).count(),
        check_ins=CheckIn.objects.filter(person__organisation=organisation).count(),
        commitments=Commitment.objects.filter(person__organisation=organisation).count(),
        commit=git_commit(),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        python=platform.python_version(),
        cpus=len(os.sched_getaffinity(0)),
        # Other work on the machine slows every number here; the 1-minute load says how much.
        load_before=round(os.getloadavg()[0], 2),
    )
    log(f"  {results.people:,} people, {results.commitments:,} commitments, ", end="")
    log(f"{results.check_ins:,} check-ins")

    try:
        from bridgework.insights import rollups
    except ImportError:
        results.notes.append("bridgework.insights.rollups does not exist yet: nothing to time.")
        log("  no insights app yet")
        return results

    # The worker folds today and yesterday: the last generated day is the everyday case. Its
    # check-ins are held back while the rollups are rebuilt, so the first timed run folds a
    # day the rollups have not seen (as the first fold after midnight does); the runs after
    # it fold the same day again (as every quarter of an hour does). The busiest day of the
    # last two weeks, folded again later, is the worst case of a fold.
    last = CheckIn.objects.filter(person__organisation=organisation).latest("created_at")
    last_day = timezone.localtime(last.created_at).date()
    if not skip_rebuild:
        with held_back(CheckIn, "created_at", last_day) as held:
            results.rebuild_s = rebuild_within(rollups, organisation, rebuild_limit, results)
        results.notes.append(
            f"The {held:,} check-ins of {last_day} were held back during the full rebuild and "
            "put back before the incremental runs, so the first run of the last day folds "
            "them for the first time."
        )
    if last_day.day == 1:
        results.notes.append(
            f"{last_day} is the first day of a month: its first fold moves every active "
            "person into the new month, and the refresh works out every period again."
        )
    for label, day in (
        ("day", last_day),
        ("busiest_day", busiest_recent_day(organisation)),
    ):
        check_ins = CheckIn.objects.filter(
            person__organisation=organisation, created_at__date=day
        ).count()
        runs = []
        for _ in range(day_runs):
            started = time.perf_counter()
            # The generated data ends on its "today" (`generate --until`): refresh as of it.
            rollups.update_day(organisation=organisation, day=day, today=last_day)
            runs.append(round(time.perf_counter() - started, 3))
        setattr(results, label, day.isoformat())
        setattr(results, f"{label}_check_ins", check_ins)
        setattr(results, f"{label}_runs_s", runs)
        log(
            f"  incremental {label.replace('_', ' ')} {day} ({check_ins:,} check-ins): "
            + ", ".join(f"{s:.2f} s" for s in runs)
        )

    try:
        dashboard = reverse("insights")
    except NoReverseMatch:
        results.notes.append("No URL named 'insights' yet: the dashboard was not timed.")
        return results
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    for name, params in dashboard_views(organisation):
        results.views.append(measure_view(client, name, dashboard, params, requests))
    try:
        export = reverse("insights_export")
    except NoReverseMatch:
        pass
    else:
        results.views.append(measure_view(client, "CSV export, organisation", export, {}, requests))
    return results


def summarise(results: Results) -> list[str]:
    lines = []
    if results.rebuild_s is not None:
        verdict = "meets" if results.rebuild_s <= TARGET_REBUILD_S else "MISSES"
        lines.append(
            f"full rebuild {results.rebuild_s:.1f} s ({verdict} <= {TARGET_REBUILD_S:.0f} s)"
        )
    for label, runs in (
        ("last day", results.day_runs_s),
        ("busiest recent day", results.busiest_day_runs_s),
    ):
        if runs:
            verdict = "meets" if max(runs) <= TARGET_DAY_S else "MISSES"
            lines.append(
                f"incremental {label}, worst of {len(runs)}: {max(runs):.2f} s ({verdict} <= 2 s)"
            )
    for view in results.views:
        verdict = "meets" if view.p95_ms <= TARGET_P95_MS else "MISSES"
        lines.append(f"{view.name}: p95 {view.p95_ms:.1f} ms ({verdict} <= 100 ms)")
    lines.extend(f"note: {note}" for note in results.notes)
    return lines


def compare(paths: list[str]) -> int:
    """Query counts per view must be equal across sizes; print them side by side."""
    loaded = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    by_view: dict[str, list[int | None]] = {}
    for index, data in enumerate(loaded):
        for view in data["views"]:
            by_view.setdefault(view["name"], [None] * len(loaded))[index] = view["queries"]
    header = " | ".join(f"{d['people']:,} people ({d['vendor']})" for d in loaded)
    print(f"| view | {header} |")
    print("|---" * (len(loaded) + 1) + "|")
    unequal = 0
    for name, counts in by_view.items():
        if len({c for c in counts if c is not None}) > 1:
            unequal += 1
        print(f"| {name} | " + " | ".join("-" if c is None else str(c) for c in counts) + " |")
    print("query counts are equal" if not unequal else f"{unequal} view(s) differ")
    return 1 if unequal else 0


def report(paths: list[str]) -> int:
    """The results as Markdown tables, for bench/RESULTS.md."""
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        print(f"### {data['vendor']} {data['server_version']}, {data['people']:,} people\n")
        print(
            f"{data['people']:,} people, {data['commitments']:,} commitments, "
            f"{data['check_ins']:,} check-ins; commit {data['commit']}, {data['date']}, "
            f"Python {data['python']}, {data['cpus']} CPUs, load {data.get('load_before')} before "
            f"and {data.get('load_after')} after.\n"
        )
        rebuild = data["rebuild_s"]
        print("| rollups | seconds | target |\n|---|---|---|")
        shown = "did not finish" if rebuild is None else f"{rebuild:.1f}"
        print(f"| full rebuild | {shown} | ≤ 90 |")
        runs = ", ".join(f"{s:.2f}" for s in data["day_runs_s"])
        day = (
            f"incremental day {data.get('day')} ({data.get('day_check_ins', 0):,} check-ins;"
            " first fold, then folded again)"
        )
        print(f"| {day} | {runs} | ≤ 2 |")
        if data.get("busiest_day_runs_s"):
            runs = ", ".join(f"{s:.2f}" for s in data["busiest_day_runs_s"])
            day = (
                f"incremental busiest recent day {data['busiest_day']} "
                f"({data['busiest_day_check_ins']:,} check-ins)"
            )
            print(f"| {day} | {runs} | ≤ 2 |")
        print()
        print("| view | p50 ms | p95 ms | max ms | CPU p50 / p95 ms | queries | requests |")
        print("|---|---|---|---|---|---|---|")
        for v in data["views"]:
            print(
                f"| {v['name']} | {v['p50_ms']} | {v['p95_ms']} | {v['max_ms']} | "
                f"{v.get('cpu_p50_ms', '-')} / {v.get('cpu_p95_ms', '-')} | "
                f"{v['queries']} | {v['requests']} |"
            )
        for note in data["notes"]:
            print(f"\nNote: {note}")
        print()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000, help="picks the default SQLite file")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per view (>= 50)")
    parser.add_argument("--day-runs", type=int, default=3)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument(
        "--rebuild-limit",
        type=int,
        default=300,
        help="PostgreSQL: cancel a rebuild statement after",
    )
    parser.add_argument("--output", default=None, help="JSON file for the results")
    parser.add_argument("--compare", nargs="+", metavar="RESULTS_JSON")
    parser.add_argument("--report", nargs="+", metavar="RESULTS_JSON")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args.compare)
    if args.report:
        return report(args.report)
    url = args.database_url or _setup.default_sqlite_path(args.people)
    results = run(
        url,
        requests=args.requests,
        day_runs=args.day_runs,
        skip_rebuild=args.skip_rebuild,
        rebuild_limit=args.rebuild_limit,
    )
    results.load_after = round(os.getloadavg()[0], 2)
    output = Path(
        args.output or _setup.DATA_DIR / f"results-{results.vendor}-{results.people}.json"
    )
    output.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    log("")
    for line in summarise(results):
        log(line)
    log(f"results written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
