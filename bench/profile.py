"""Where a page's time goes: the pages of the page benchmark, served in this process.

    .venv/bin/python -m bench.profile --only home,thread              # CPU ms per request
    .venv/bin/python -m bench.profile --only thread --persona admin --profile
    valgrind --tool=callgrind .venv/bin/python -m bench.profile --only home -n 0   # and -n 20
    .venv/bin/python -m bench.profile --database postgres --size 100000 --only space -n 0 --explain

Each page is requested through Django's WSGI handler, with every middleware, the way
gunicorn calls it (no socket, no HTTP parsing), with the benchmark's data and settings
(`bench/pages.py`). It prints the process's CPU milliseconds per request over `-n` requests
after a warm-up, and the Python function calls per request (cProfile's count, over five more
requests); `--profile` prints cProfile's top functions as well. On a busy machine CPU
time is inflated by contention; an instruction count does not drift: run under callgrind with
`-n 0` and `-n 20` and divide the difference by 20.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from bench import pages as bench_pages

CALL_COUNT_REQUESTS = 5


def handler() -> Any:
    from django.core.handlers.wsgi import WSGIHandler

    return WSGIHandler()


def environ(path: str, cookie: str) -> dict[str, Any]:
    from django.test.client import RequestFactory

    route, _, query = path.partition("?")
    factory = RequestFactory(SERVER_NAME="127.0.0.1")
    return factory._base_environ(  # type: ignore[attr-defined,no-any-return]
        PATH_INFO=route, QUERY_STRING=query, HTTP_COOKIE=cookie
    )


def serve(app: Any, page: bench_pages.Page) -> int:
    status: list[str] = []
    body = app(environ(page.path, page.cookie), lambda s, h, *rest: status.append(s))
    size = sum(len(chunk) for chunk in body)
    if hasattr(body, "close"):
        body.close()
    if not status[0].startswith("200"):
        raise RuntimeError(f"{page.persona} {page.name}: {status[0]}")
    return size


def print_queries(app: Any, page: bench_pages.Page, *, explain: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        serve(app, page)
    print(f"--- {page.persona} {page.name}: {len(captured)} queries")
    for query in captured:
        print(f"{query['time']:>6} {query['sql']}")
        if explain and query["sql"].startswith(("SELECT", "(SELECT")):
            # Look for SubPlans with many loops and sequential scans of large tables.
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                print("\n".join(f"       {row[0]}" for row in cursor.fetchall()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--only", default="", help="page names, comma-separated (default all)")
    parser.add_argument("--persona", default="", help="participant, facilitator or admin")
    parser.add_argument("-n", type=int, default=200, help="requests per page")
    parser.add_argument("--profile", action="store_true", help="cProfile's top functions")
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument(
        "--explain", action="store_true", help="and each SELECT's plan (PostgreSQL)"
    )
    args = parser.parse_args(argv)
    url = bench_pages.database_url(args.database, args.size, args.pg)
    bench_pages.ensure_data(args.database, args.size, url)
    bench_pages.set_up_like_the_server(args.database, args.size, url)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    app = handler()
    from bridgework.operations.startup import settle

    settle()  # as wsgi.py does: the collector's walk of the process's objects is not a page's cost
    for page in bench_pages.plan_pages(only):
        if args.persona and page.persona != args.persona:
            continue
        serve(app, page)  # warm up: templates compiled, connection open
        if args.sql or args.explain:
            print_queries(app, page, explain=args.explain)
        started = time.process_time()
        for _ in range(args.n):
            size = serve(app, page)
        spent = time.process_time() - started
        # Python function calls per request: the same on a busy machine as on an idle one.
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(CALL_COUNT_REQUESTS):
            serve(app, page)
        profiler.disable()
        stats = pstats.Stats(profiler)
        if args.n:
            print(
                f"{page.persona:11} {page.name:12} {spent / args.n * 1000:6.2f} ms CPU "
                f"{stats.total_calls // CALL_COUNT_REQUESTS:7,} calls "  # type: ignore[attr-defined]
                f"q {page.queries:3} {size:7} B",
                flush=True,
            )
        if args.profile:
            out = io.StringIO()
            stats.stream = out  # type: ignore[attr-defined]
            stats.sort_stats("cumulative").print_stats(45)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
