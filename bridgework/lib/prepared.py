"""Queries whose SQL is built once per process.

Building a query set and compiling it to SQL is most of the ORM's Python on a typical page
(filters resolved, joins set up, columns listed, SQL assembled: about half of home's CPU,
bench/PAGES.md). For a query a page runs on every request with only its values changing,
`@prepared` builds the query set once, with a marker in place of each value, compiles it,
remembers where each marker landed among the SQL's parameters, and from then on runs the
same SQL with the request's values put in those places.

Calling a prepared builder gives `Rows`: iterate it for every row, slice it (`[:21]`) for a
window of them, `first()`, or `count()`. Rows come back as the query set would give them:
model instances with their `select_related` objects and annotations, or the tuples of
`values_list`. Each shape (all rows, each slice, the count) is compiled once.

The builder takes keyword arguments only. Those of type `bool` choose the query's shape
(say, whether the reader is a facilitator): each combination is compiled once, and the
builder may branch on them. All others must reach the SQL as parameters (ids, strings,
dates and times), and the builder must build the same query whatever their values: no `if`
on them, no `__in` with a list of varying length, none transformed on its way into the SQL
(`__icontains` wraps it: such a value is refused when the query is first built). Build from
a model's manager (`Membership.objects.filter(cohort_id=...)`), not from an object's related
manager (`cohort.memberships`), and pass a time the query compares with (`now`) rather than
reading the clock inside. With `PREPARED_QUERIES_CHECK` on (the tests), every call also
builds the query set from the real values and fails if its SQL or parameters differ: the
whole test suite checks every prepared query against the ORM.

Queries of a page that are not run on most visits (a form's POST, a later page of a list)
stay plain query sets: preparing is for the few that every visit pays for.
"""

from __future__ import annotations

import copy
import datetime
import inspect
from collections.abc import Callable, Iterator
from functools import update_wrapper
from typing import Any, NamedTuple, overload

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

type Adapt = Callable[[Any], Any]
# All rows ("all"), a slice of them (start, stop), the first ("first") or their count ("count").
type Shape = str | tuple[int | None, int | None]

# Markers no real value equals: ids are positive, nobody is born in the year 1111.
_MARKERS: dict[str, Callable[[int], Any]] = {
    "int": lambda n: -(10**15) - n,
    "str": lambda n: f"\x00prepared-{n}\x00",
    "date": lambda n: datetime.date(1111, 1, 1) + datetime.timedelta(days=n),
    "datetime": lambda n: datetime.datetime(1111, 1, 1, 0, 0, n, tzinfo=datetime.UTC),
}
# What a 64-bit integer column holds: the widest of the ORM's integer fields.
_SMALLEST_INT, _LARGEST_INT = -(2**63), 2**63 - 1
# Slices compiled per builder; more are run through the ORM, uncompiled.
_SHAPES_KEPT = 32


class _Compiled(NamedTuple):
    queryset: QuerySet[Any]
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str, Adapt], ...]

    def bind(self, values: dict[str, Any]) -> tuple[Any, ...]:
        params = list(self.params)
        for position, name, adapt in self.slots:
            params[position] = adapt(values[name])
        return tuple(params)


class Prepared[R]:
    """A builder of a query set, compiled once per database and shape."""

    def __init__(self, build: Callable[..., QuerySet[Any, R]]) -> None:
        update_wrapper(self, build)
        self.build = build
        self.markers, self.switches = _arguments(build)
        self.compiled: dict[tuple[str, Shape, tuple[bool, ...]], _Compiled] = {}

    def __call__(self, **values: Any) -> Rows[R]:
        if values.keys() != self.markers.keys() | set(self.switches):
            raise TypeError(
                f"{self.build.__qualname__} takes {', '.join([*self.markers, *self.switches])}"
            )
        return Rows(self, values)

    def shaped(self, values: dict[str, Any], shape: Shape) -> QuerySet[Any, R]:
        queryset = self.build(**values)
        if shape == "count":
            return queryset.order_by().values_list("pk")
        if shape == "first":  # as QuerySet.first(): by primary key unless ordered
            return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]
        if isinstance(shape, tuple):
            return queryset[shape[0] : shape[1]]
        return queryset

    def compiled_for(self, shape: Shape, values: dict[str, Any]) -> _Compiled | None:
        alias = DEFAULT_DB_ALIAS
        switched = {name: bool(values[name]) for name in self.switches}
        key = (alias, shape, tuple(switched.values()))
        if key not in self.compiled:
            if len(self.compiled) >= _SHAPES_KEPT:
                return None
            self.compiled[key] = _compile(self, alias, shape, switched)
        return self.compiled[key]


class Rows[R]:
    """One call's rows of a prepared query; read when iterated, sliced or counted.

    An integer no database column holds (an id of 23 digits typed into an address) matches
    no row, as the ORM has it, rather than reaching the database and failing there."""

    def __init__(self, prepared: Prepared[R], values: dict[str, Any]) -> None:
        self.prepared = prepared
        self.values = values
        self.matches_nothing = any(
            type(value) is int and not _SMALLEST_INT <= value <= _LARGEST_INT
            for value in values.values()
        )

    def __iter__(self) -> Iterator[R]:
        return iter(self._fetch("all"))

    @overload
    def __getitem__(self, index: slice) -> list[R]: ...
    @overload
    def __getitem__(self, index: int) -> R: ...
    def __getitem__(self, index: slice | int) -> list[R] | R:
        if isinstance(index, int):
            return self._fetch("all")[index]
        if index.step is not None:
            raise ValueError("A prepared query is sliced without a step.")
        return self._fetch((index.start, index.stop))

    def first(self) -> R | None:
        found = self._fetch("first")
        return found[0] if found else None

    def count(self) -> int:
        if self.matches_nothing:
            return 0
        entry = self.prepared.compiled_for("count", self.values)
        if entry is None:
            return self.query_set().count()
        params = entry.bind(self.values)
        self._check("count", entry.sql, params)
        if not entry.sql:
            return 0
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            # The ORM's own SQL, compiled above; the values are parameters.
            cursor.execute(f"SELECT COUNT(*) FROM ({entry.sql}) counted", params)  # noqa: S608
            row = cursor.fetchone()
        return int(row[0])

    def query_set(self) -> QuerySet[Any, R]:
        """The query set itself, built with the ORM, for what a prepared query cannot do."""
        return self.prepared.build(**self.values)

    def _fetch(self, shape: Shape) -> list[R]:
        if self.matches_nothing:
            return []
        entry = self.prepared.compiled_for(shape, self.values)
        if entry is None:
            return list(self.prepared.shaped(self.values, shape))
        params = entry.bind(self.values)
        self._check(shape, entry.sql, params)
        if not entry.sql:
            return []
        compiler = copy.copy(entry.compiler)
        compiler.connection = connections[DEFAULT_DB_ALIAS]
        compiler.as_sql = lambda *args, **kwargs: (entry.sql, params)  # type: ignore[method-assign]
        queryset = entry.queryset.all()
        queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return list(queryset)

    def _check(self, shape: Shape, sql: str, params: tuple[Any, ...]) -> None:
        if not getattr(settings, "PREPARED_QUERIES_CHECK", False):
            return
        queryset = self.prepared.shaped(self.values, shape)
        try:
            expected = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
        except EmptyResultSet:
            expected = ("", ())
        if (expected[0], tuple(expected[1])) != (sql, params):
            raise AssertionError(
                f"a prepared query differs from its query set:\n{expected[0]}\n{expected[1]}"
                f"\nprepared:\n{sql}\n{params}"
            )


def prepared[R](build: Callable[..., QuerySet[Any, R]]) -> Prepared[R]:
    """Compile `build`'s query set once; each call runs it with that call's values."""
    return Prepared(build)


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


def _arguments(build: Callable[..., Any]) -> tuple[dict[str, Any], list[str]]:
    """A marker for each of the builder's values, and the names of its switches."""
    markers, switches = {}, []
    for n, (name, parameter) in enumerate(inspect.signature(build).parameters.items()):
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{build.__qualname__}: {name} must be keyword-only")
        hint = parameter.annotation
        kind = (hint if isinstance(hint, str) else getattr(hint, "__name__", "")).rpartition(".")
        if kind[2] == "bool":
            switches.append(name)
        elif kind[2] in _MARKERS:
            markers[name] = _MARKERS[kind[2]](n)
        else:
            raise TypeError(
                f"{build.__qualname__}: {name} must be a bool, int, str, date or datetime"
            )
    return markers, switches


def _compile(
    prepared: Prepared[Any], alias: str, shape: Shape, switched: dict[str, bool]
) -> _Compiled:
    markers = prepared.markers
    queryset = prepared.shaped(markers | switched, shape)
    if queryset._known_related_objects:  # type: ignore[attr-defined]
        # A related manager's query set would give every row the marker's object.
        raise TypeError(f"{prepared.build.__qualname__}: build from a model's manager")
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a filter that matches nothing (`pk__in=[]`): no query at all
        sql, params = "", ()
    slots = []
    for position, param in enumerate(params):
        for name, marker in markers.items():
            for adapt in _adapters(alias, marker):
                adapted = adapt(marker)
                if type(param) is type(adapted) and param == adapted:
                    slots.append((position, name, adapt))
                    break
                if isinstance(param, str) and isinstance(adapted, str) and adapted in param:
                    # Changed on its way in (`__icontains` wraps it): it cannot be put back.
                    raise TypeError(
                        f"{prepared.build.__qualname__}: {name} did not reach the SQL as given"
                    )
    # A value the query does not use (in this shape, or with these switches) has no slot.
    return _Compiled(queryset, compiler, sql, tuple(params), tuple(slots))
