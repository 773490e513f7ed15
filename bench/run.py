"""Benchmark the insights releases and dashboard on a generated database.

    .venv/bin/python -m bench.run                           # SQLite, 100,000 people
    .venv/bin/python -m bench.run --people 1000             # SQLite, the small size
    .venv/bin/python -m bench.run --database-url postgresql://postgres@127.0.0.1:5432/bw_bench
    .venv/bin/python -m bench.run --compare A.json B.json   # query counts must be equal

Measures, in this order: computing the release of every closed month of the generated data
(the organisation's releases are removed first, so each month is computed from the source
tables as the worker would), then every dashboard view through
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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from bench import _setup

TARGET_P95_MS = 100.0
TARGET_RELEASE_S = 60.0


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
    # Seconds to compute each month's release, by month (YYYY-MM).
    release_s: dict[str, float] = field(default_factory=dict)
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


def run(url: str, *, requests: int, dashboard_only: bool = False) -> Results:
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

    from bridgework.insights import releases
    from bridgework.insights.models import Release

    # The generated data ends on its "today" (`generate --until`): release as of the day after.
    last = CheckIn.objects.filter(person__organisation=organisation).latest("created_at")
    today = timezone.localtime(last.created_at).date() + timedelta(days=1)
    if dashboard_only:
        results.notes.append("The dashboard was timed on the releases already stored.")
    else:
        Release.objects.filter(organisation=organisation).delete()
    month = releases._first_month(organisation, today)
    while not dashboard_only and month <= releases.last_closed_month(today):
        started = time.perf_counter()
        releases.release_month(organisation=organisation, month=month, today=today)
        seconds = round(time.perf_counter() - started, 2)
        results.release_s[f"{month:%Y-%m}"] = seconds
        log(f"  release {month:%Y-%m}: {seconds:.2f} s")
        month = releases.next_month(month)

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
    if results.release_s:
        worst = max(results.release_s.values())
        verdict = "meets" if worst <= TARGET_RELEASE_S else "MISSES"
        lines.append(
            f"release of one month, worst of {len(results.release_s)}: {worst:.2f} s "
            f"({verdict} <= {TARGET_RELEASE_S:.0f} s)"
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
        print("| release of a month | seconds | target |\n|---|---|---|")
        for month, seconds in data["release_s"].items():
            print(f"| {month} | {seconds:.2f} | ≤ 60 |")
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
    parser.add_argument("--output", default=None, help="JSON file for the results")
    parser.add_argument(
        "--dashboard-only",
        action="store_true",
        help="time the dashboard on the releases already stored (no release is made again)",
    )
    parser.add_argument("--compare", nargs="+", metavar="RESULTS_JSON")
    parser.add_argument("--report", nargs="+", metavar="RESULTS_JSON")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args.compare)
    if args.report:
        return report(args.report)
    url = args.database_url or _setup.default_sqlite_path(args.people)
    results = run(url, requests=args.requests, dashboard_only=args.dashboard_only)
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
