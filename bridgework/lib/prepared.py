"""Queries whose SQL is built once per process.

Building a query set and compiling it to SQL is most of the ORM's Python on a typical page
(filters resolved, joins set up, columns listed, SQL assembled: about half of home's CPU,
bench/PAGES.md). For a query a page runs on every request with only its values changing,
`@prepared` builds the query set once, with a marker in place of each value, compiles it,
remembers where each marker landed among the SQL's parameters, and from then on runs the
same SQL with the request's values put in those places. Rows come back as the query set
would give them: model instances with their `select_related` objects and annotations, or
the tuples of `values_list`.

The builder must take only keyword arguments that reach the SQL as parameters (ids,
strings, dates and times) and build the same query whatever their values: no `if` on an
argument, no `__in` with a list of varying length, no argument transformed on its way into
the SQL (`__icontains` wraps it). A value that cannot be placed is refused when the query
is first built. With `PREPARED_QUERIES_CHECK` on (the tests), every call also builds the
query set from the real values and fails if its SQL or parameters differ: the whole test
suite checks every prepared query against the ORM.
"""

from __future__ import annotations

import copy
import datetime
import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

type Adapt = Callable[[Any], Any]

# Markers no real value equals: ids are positive, nobody is born in the year 1111.
_MARKERS: dict[str, Callable[[int], Any]] = {
    "int": lambda n: -(10**15) - n,
    "str": lambda n: f"\x00prepared-{n}\x00",
    "date": lambda n: datetime.date(1111, 1, 1) + datetime.timedelta(days=n),
    "datetime": lambda n: datetime.datetime(1111, 1, 1, 0, 0, n, tzinfo=datetime.UTC),
}


class _Compiled(NamedTuple):
    queryset: QuerySet[Any]
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str, Adapt], ...]


def _identity(value: Any) -> Any:
    return value


def _adapters(alias: str, marker: Any) -> tuple[Adapt, ...]:
    """How a value may be turned into a parameter on its way into the SQL (SQLite passes
    dates and times as text)."""
    ops = connections[alias].ops
    if isinstance(marker, datetime.datetime):
        return (_identity, ops.adapt_datetimefield_value)
    if isinstance(marker, datetime.date):
        return (_identity, ops.adapt_datefield_value)
    return (_identity,)


def _markers(build: Callable[..., QuerySet[Any]]) -> dict[str, Any]:
    markers = {}
    for n, (name, parameter) in enumerate(inspect.signature(build).parameters.items()):
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{build.__qualname__}: {name} must be keyword-only")
        hint = parameter.annotation
        kind = (hint if isinstance(hint, str) else getattr(hint, "__name__", "")).rpartition(".")[2]
        if kind not in _MARKERS:
            raise TypeError(f"{build.__qualname__}: {name} must be an int, str, date or datetime")
        markers[name] = _MARKERS[kind](n)
    return markers


def _compile(build: Callable[..., QuerySet[Any]], alias: str) -> _Compiled:
    markers = _markers(build)
    queryset = build(**markers)
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    slots = []
    placed = set()
    for position, param in enumerate(params):
        for name, marker in markers.items():
            adapt = next(
                (
                    a
                    for a in _adapters(alias, marker)
                    if type(param) is type(a(marker)) and param == a(marker)
                ),
                None,
            )
            if adapt is not None:
                slots.append((position, name, adapt))
                placed.add(name)
    if missing := set(markers) - placed:
        raise TypeError(
            f"{build.__qualname__}: {', '.join(sorted(missing))} did not reach the SQL as given"
        )
    return _Compiled(queryset, compiler, sql, tuple(params), tuple(slots))


def prepared[R](build: Callable[..., QuerySet[Any, R]]) -> Callable[..., list[R]]:
    """Run `build`'s query set with these values, compiling it only on the first call."""
    compiled: dict[str, _Compiled] = {}

    @functools.wraps(build)
    def run(**values: Any) -> list[R]:
        alias = DEFAULT_DB_ALIAS
        if alias not in compiled:
            compiled[alias] = _compile(build, alias)
        entry = compiled[alias]
        params = list(entry.params)
        for position, name, adapt in entry.slots:
            params[position] = adapt(values[name])
        if getattr(settings, "PREPARED_QUERIES_CHECK", False):
            _check(build(**values), alias, entry.sql, params)
        compiler = copy.copy(entry.compiler)
        compiler.connection = connections[alias]
        bound = (entry.sql, tuple(params))
        compiler.as_sql = lambda *args, **kwargs: bound  # type: ignore[method-assign]
        queryset = entry.queryset.all()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return list(queryset)

    return run


def _check(queryset: QuerySet[Any], alias: str, sql: str, params: list[Any]) -> None:
    expected_sql, expected_params = queryset.query.get_compiler(using=alias).as_sql()
    if (expected_sql, list(expected_params)) != (sql, params):
        raise AssertionError(
            f"a prepared query differs from its query set:\n{expected_sql}\n{expected_params}"
            f"\nprepared:\n{sql}\n{params}"
        )
