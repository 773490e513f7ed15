"""The page benchmark: Bridgework's main pages against the bare-Django floor.

    .venv/bin/python -m bench.pages                        # generate (once) and measure
    .venv/bin/python -m bench.pages --sizes 1000 --databases sqlite --seconds 1
    make bench-pages

For each database (SQLite, PostgreSQL) and size (a demo-sized organisation of 1,000 people,
and a large one) it starts two gunicorn servers with one sync worker each on the same
Python: the floor (`bench/floor.py`, a one-file Django app answering "ok") and Bridgework.
Both are pinned to the first core and the load generator to the second where the machine
allows. Then for every main page of a participant, a facilitator and a program admin it
measures, interleaved, a burst against the floor and a burst against the page, each with 8
concurrent clients: requests per second as a ratio to the floor measured just before, p50
and p99 latency, CPU milliseconds of the Bridgework worker per request, the page's queries
and its HTML bytes. Results go to `bench/.data/pages-<database>-<size>.json` and the tables
after the marker in `bench/PAGES.md`.

The data comes from `bench/generate.py` with community spaces, threads, posts, reactions and
read markers (`--threads`), kept in `bench/.data/pages-<size>/` (SQLite) or the database
`bw_pages_bench_<size>` (PostgreSQL); `--generate` makes it again.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from bench import _setup

CONCURRENCY = 8
MARKER = "<!-- results: written by python -m bench.pages; everything below is replaced -->"
PAGES_MD = _setup.BENCH_DIR / "PAGES.md"
# Threads of twenty posts at both sizes: the thread page's "no more than 1.5 times its
# demo-size cost" compares a long organisation with a small one, not 20 posts with 5.
LARGE_THREADS, LARGE_POSTS = 2000, 20
SMALL_THREADS, SMALL_POSTS = 50, 20


@dataclass
class Page:
    persona: str
    name: str
    path: str
    cookie: str
    queries: int = 0
    status: int = 0
    html_bytes: int = 0


@dataclass
class Measured:
    persona: str
    name: str
    path: str
    status: int
    queries: int
    html_bytes: int
    requests: int
    rps: float
    floor_rps: float
    ratio: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    errors: int


@dataclass
class Run:
    database: str
    size: int
    started: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    label: str = ""
    results: list[Measured] = field(default_factory=list)


# --- data --------------------------------------------------------------------------------------


def sqlite_dir(size: int) -> Path:
    return _setup.DATA_DIR / f"pages-{size}"


def database_url(database: str, size: int, pg: str) -> str:
    if database == "postgres":
        return f"{pg.rstrip('/')}/bw_pages_bench_{size}"
    return str(sqlite_dir(size) / "bridgework.sqlite3")


def generate(url: str, size: int) -> None:
    threads, posts = (LARGE_THREADS, LARGE_POSTS) if size > 1000 else (SMALL_THREADS, SMALL_POSTS)
    command = [
        sys.executable,
        "-m",
        "bench.generate",
        "--people",
        str(size),
        # The pages read one person's practice, not the organisation's history: a tenth of
        # the insights benchmark's check-ins keeps generating quick.
        "--check-ins",
        str(size * 5),
        # A full first page of the cohorts list (20 cards) for each person at the small size
        # too: a third of the cohorts are open to join, and a participant sees those and their
        # own. With fewer, "no more than 1.5x its small-size cost" would compare a part-filled
        # page with a full one instead of a small organisation with a large one.
        "--cohorts",
        str(max(60, size // 500)),
        "--threads",
        str(threads),
        "--posts-per-thread",
        str(posts),
        "--database-url",
        url,
    ]
    subprocess.run(command, check=True, cwd=_setup.REPO_DIR)


def has_data(url: str) -> bool:
    if _setup.is_postgres(url):
        import psycopg

        try:
            with psycopg.connect(url, connect_timeout=3) as db:
                row = db.execute("SELECT count(*) FROM community_thread").fetchone()
                return bool(row and row[0])
        except psycopg.Error:
            return False
    return Path(url).exists()


def ensure_data(database: str, size: int, url: str, *, again: bool = False) -> None:
    """The data directory with the shared keys, and the generated organisation in it."""
    data_dir(database, size)
    if again or not has_data(url):
        generate(url, size)


def data_dir(database: str, size: int) -> Path:
    """The app's data directory for the server: the shared keys, and for SQLite the file."""
    directory = sqlite_dir(size)
    directory.mkdir(parents=True, exist_ok=True)
    keys = _setup.DATA_DIR / "keys"
    for name in ("secret_key", "master_keys", "insights_key"):
        link = directory / name
        if (keys / name).exists() and not link.exists():
            link.symlink_to(keys / name)
    return directory


# --- who signs in, and where they go ----------------------------------------------------------


def plan_pages(only: set[str] | None = None) -> list[Page]:
    """Sign in three people in this process (sessions live in the database, so the servers
    accept the cookies) and list their main pages, with queries and bytes counted here."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridgework.accounts.models import Organisation, Person, Role
    from bridgework.accounts.views import PEOPLE_PER_PAGE
    from bridgework.cohorts.models import Cohort, Membership, Session
    from bridgework.community.models import Space, Thread
    from bridgework.community.views.spaces import THREADS_PER_PAGE
    from bridgework.curriculum.models import Lesson

    organisation = Organisation.objects.get(slug="bench")
    people = Person.objects.filter(organisation=organisation, is_active=True).order_by("pk")
    leaders = people.filter(role_assignments__role__in=[Role.FACILITATOR, Role.PROGRAM_ADMIN])
    participant = (
        people.filter(cohort_memberships__status=Membership.Status.MEMBER)
        .exclude(pk__in=leaders.values("pk"))
        .first()
    )
    busy = Space.objects.filter(organisation=organisation).order_by("pk").first()
    assert participant is not None and busy is not None, "generate the data with --threads"
    facilitator = busy.facilitators.order_by("pk").first()
    admin = people.filter(role_assignments__role=Role.PROGRAM_ADMIN).order_by("pk").first()
    assert facilitator is not None and admin is not None
    thread = Thread.objects.filter(space=busy).order_by("-last_activity_at").first()
    lesson = Lesson.objects.filter(module__organisation=organisation).order_by("pk").first()
    assert thread is not None and lesson is not None
    lesson_path = f"/learn/{lesson.module.slug}/{lesson.slug}/"
    # The last page of the busy space and of the people list: a keyset page starts after a
    # row, so it should cost what the first page does however long the list.
    shown = Thread.objects.filter(space=busy, is_withheld=False).order_by(
        "-last_activity_at", "-pk"
    )
    last_threads = list(shown.values_list("pk", flat=True))[-(THREADS_PER_PAGE + 1)]
    everyone = Person.objects.filter(organisation=organisation)
    by_name = everyone.order_by("chosen_name", "pk").values_list("pk", flat=True)
    last_people = list(by_name)[-(PEOPLE_PER_PAGE + 1)]

    def cohort_of(person: Person, *, leads: bool) -> Cohort | None:
        cohorts = Cohort.objects.filter(organisation=organisation)
        if leads:
            return cohorts.filter(facilitators=person).order_by("pk").first()
        return cohorts.filter(memberships__person=person).order_by("pk").first()

    common = [
        ("home", "/"),
        ("practice", "/practice/"),
        ("assessment", "/practice/assessment/"),
        ("lesson", lesson_path),
        ("tips search", "/tips/?q=meeting"),
        ("community", "/community/"),
        ("space", f"/community/{busy.pk}/"),
        ("space end", f"/community/{busy.pk}/?after={last_threads}"),
        ("thread", f"/community/threads/{thread.pk}/"),
        ("cohorts", "/cohorts/"),
        # No query of its own (the session, the person, the layout): what every signed-in
        # page costs before it does anything, measured beside the floor in the same run.
        ("reflect", "/reflect/"),
    ]
    pages: list[Page] = []
    for persona, person, leads in (
        ("participant", participant, False),
        ("facilitator", facilitator, True),
        ("admin", admin, True),
    ):
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(person, backend="bridgework.accounts.backends.PersonBackend")
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        paths = list(common)
        cohort = cohort_of(person, leads=leads)
        if cohort is not None:
            session = Session.objects.filter(cohort=cohort).order_by("number").first()
            paths.append(("cohort", f"/cohorts/{cohort.pk}/"))
            if session is not None:
                paths.append(("session", f"/cohorts/sessions/{session.pk}/"))
        if leads:
            paths.append(("insights", "/insights/"))
        if persona == "admin":
            paths.append(("people", "/people/"))
            paths.append(("people end", f"/people/?after={last_people}"))
        paths.append(("healthz", "/healthz"))
        for name, path in paths:
            if only and name not in only:
                continue
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            pages.append(
                Page(
                    persona,
                    name,
                    path,
                    cookie,
                    queries=len(captured),
                    status=response.status_code,
                    html_bytes=len(response.content),
                )
            )
    return pages


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pin(core: int) -> list[str]:
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(core)] if taskset and (os.cpu_count() or 1) > 1 else []


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """A gunicorn with one sync worker; yields (port, worker pid)."""
    port = free_port()
    command = [
        *pin(0),
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        app,
    ]
    server = subprocess.Popen(command, cwd=_setup.REPO_DIR, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz" if "bridgework" in app else "/")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"{app} did not start") from None
                time.sleep(0.2)
        yield port, worker_pid(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def worker_pid(master: int) -> int:
    """gunicorn's one worker (taskset execs gunicorn in place, so the master is `master`)."""
    for _ in range(50):
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            found = children.read_text().split()
            if found:
                return int(found[0])
        time.sleep(0.1)
    return master


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# --- load ---------------------------------------------------------------------------------------


def _client(job: tuple[int, str, str, float, int]) -> tuple[list[float], int]:
    port, path, cookie, seconds, least = job
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {1} if (os.cpu_count() or 1) > 1 else {0})
    latencies: list[float] = []
    errors = 0
    headers = {"Cookie": cookie, "Host": "127.0.0.1"} if cookie else {"Host": "127.0.0.1"}
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(latencies) < least:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
        latencies.append(time.perf_counter() - started)
    return latencies, errors


def burst(
    pool: Any, port: int, path: str, cookie: str, seconds: float, pid: int | None
) -> tuple[int, float, float, float, float, int]:
    """requests, requests/s, p50 ms, p99 ms, CPU ms per request, errors."""
    cpu_before = cpu_seconds(pid) if pid else 0.0
    started = time.perf_counter()
    outcomes = pool.map(_client, [(port, path, cookie, seconds, 1)] * CONCURRENCY)
    elapsed = time.perf_counter() - started
    cpu = (cpu_seconds(pid) - cpu_before) if pid else 0.0
    latencies = sorted(ms for lat, _ in outcomes for ms in lat)
    errors = sum(e for _, e in outcomes)
    count = len(latencies)
    p99 = latencies[min(count - 1, int(count * 0.99))] if latencies else 0.0
    return (
        count,
        count / elapsed,
        statistics.median(latencies) * 1000,
        p99 * 1000,
        cpu / count * 1000 if count else 0.0,
        errors,
    )


def server_env(database: str, size: int, url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BRIDGEWORK_ENV"}
    }
    env.update(
        BRIDGEWORK_ENV="local",
        BRIDGEWORK_DEBUG="false",
        BRIDGEWORK_LOG_LEVEL="WARNING",
        BRIDGEWORK_DATA_DIR=str(data_dir(database, size)),
        PYTHONPATH=str(_setup.REPO_DIR),
    )
    if database == "postgres":
        env["DATABASE_URL"] = url
    return env


def set_up_like_the_server(database: str, size: int, url: str) -> dict[str, str]:
    """Migrate and collect static files as `bridgework serve` does, then set Django up in
    this process exactly as the server is, and count the organisation's people as the worker
    `serve` starts does every minute (the benchmark runs no worker); returns the server's
    environment."""
    env = server_env(database, size, url)
    # Data generated by an older checkout gets this one's tables.
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], check=True, cwd=_setup.REPO_DIR, env=env
        )
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(env, DJANGO_SETTINGS_MODULE="bridgework.settings")
    import django

    django.setup()
    from bridgework.accounts.tasks import count_people_everywhere

    count_people_everywhere.call()
    return env


def measure(database: str, size: int, url: str, seconds: float, only: set[str]) -> Run:
    env = set_up_like_the_server(database, size, url)
    # Queries and bytes are counted in this process.
    pages = plan_pages(only)
    run = Run(database, size, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.getloadavg())
    floor_env = {**env, "PYTHONPATH": str(_setup.REPO_DIR)}
    context = multiprocessing.get_context("fork")
    with (
        gunicorn("bench.floor:application", floor_env) as (floor_port, _),
        gunicorn("bridgework.wsgi:application", env) as (app_port, app_pid),
        context.Pool(CONCURRENCY) as pool,
    ):
        for page in pages:  # warm up: templates compiled, connections open
            _client((app_port, page.path, page.cookie, 0.0, 1))
        burst(pool, floor_port, "/", "", 0.5, None)
        for page in pages:
            floor = burst(pool, floor_port, "/", "", seconds, None)
            got = burst(pool, app_port, page.path, page.cookie, seconds, app_pid)
            floor_after = burst(pool, floor_port, "/", "", seconds / 2, None)
            floor_rps = (floor[1] + floor_after[1]) / 2
            measured = Measured(
                page.persona,
                page.name,
                page.path,
                page.status,
                page.queries,
                page.html_bytes,
                got[0],
                round(got[1], 1),
                round(floor_rps, 1),
                round(got[1] / floor_rps, 4) if floor_rps else 0.0,
                round(got[2], 1),
                round(got[3], 1),
                round(got[4], 2),
                got[5],
            )
            run.results.append(measured)
            print(
                f"{database:8} {size:>7} {page.persona:11} {page.name:12} "
                f"{measured.rps:8.1f}/s ratio {measured.ratio:6.3f} p50 {measured.p50_ms:7.1f} "
                f"p99 {measured.p99_ms:7.1f} cpu {measured.cpu_ms:6.1f} ms "
                f"q {page.queries:3} {page.html_bytes:7} B"
                + (f" ERRORS {measured.errors}" if measured.errors else ""),
                flush=True,
            )
    run.load_after = os.getloadavg()
    return run


# --- report -------------------------------------------------------------------------------------


def table(run: Run) -> str:
    lines = [
        f"### {run.label + ': ' if run.label else ''}{run.database}, {run.size:,} people "
        f"({run.started})",
        "",
        f"Load average before {run.load_before[0]:.1f}, after {run.load_after[0]:.1f} "
        f"(1 min; {os.cpu_count()} cores).",
        "",
        "| who | page | req/s | floor req/s | ratio | p50 ms | p99 ms | CPU ms/req "
        "| queries | HTML bytes |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in run.results:
        status = "" if r.status == 200 and not r.errors else f" ⚠ {r.status}/{r.errors} errors"
        lines.append(
            f"| {r.persona} | {r.name}{status} | {r.rps:.1f} | {r.floor_rps:.0f} | "
            f"{r.ratio:.3f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.cpu_ms:.1f} | {r.queries} | "
            f"{r.html_bytes:,} |"
        )
    return "\n".join(lines) + "\n"


def write_report(runs: list[Run]) -> None:
    text = PAGES_MD.read_text(encoding="utf-8") if PAGES_MD.exists() else "# Page benchmark\n"
    head = text.split(MARKER, 1)[0].rstrip() + "\n\n" + MARKER + "\n\n"
    machine = (
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"c={CONCURRENCY}, one gunicorn sync worker per server.\n\n"
    )
    stored = sorted(_setup.DATA_DIR.glob("pages-*.json"))
    body = [table(load(path)) for path in stored] if stored else [table(r) for r in runs]
    PAGES_MD.write_text(head + machine + "\n".join(body), encoding="utf-8")


def load(path: Path) -> Run:
    raw = json.loads(path.read_text(encoding="utf-8"))
    results = [Measured(**item) for item in raw.pop("results")]
    return Run(**raw, results=results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000", help="people, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each burst")
    parser.add_argument("--only", default="", help="page names, comma-separated (default all)")
    parser.add_argument("--generate", action="store_true", help="generate the data again")
    parser.add_argument(
        "--label", default="", help="names this run in the report (e.g. a branch being compared)"
    )
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    runs = []
    for database in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            url = database_url(database, size, args.pg)
            ensure_data(database, size, url, again=args.generate)
            # Each run in a fresh process: Django is set up once per process and database.
            child = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.pages",
                    "--_one",
                    json.dumps([database, size, url, args.seconds, sorted(only), args.label]),
                ],
                cwd=_setup.REPO_DIR,
                check=False,
            )
            if child.returncode == 0:
                runs.append(load(result_path(database, size, args.label)))
    write_report(runs)
    print(f"wrote {PAGES_MD}")
    return 0


def result_path(database: str, size: int, label: str) -> Path:
    return _setup.DATA_DIR / f"pages-{label + '-' if label else ''}{database}-{size}.json"


def one(spec: str) -> int:
    database, size, url, seconds, only, label = json.loads(spec)
    run = measure(database, size, url, seconds, set(only))
    run.label = label
    out = result_path(database, size, label)
    out.write_text(json.dumps(asdict(run), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--_one":
        raise SystemExit(one(sys.argv[2]))
    raise SystemExit(main())
