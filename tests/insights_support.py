"""Shared set-up for the insights tests: people active in a given month, cohorts, and the
tables of a page read back as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from html.parser import HTMLParser

import time_machine
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts.models import Cohort, Membership
from bridgework.practice import services as practice_services

from .conftest import Cast, client_for, make_person

# A fixed calendar: people join and act in March 2026; April is when March is released.
MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)


def at(day: date, hour: int = 12) -> time_machine.travel:
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=UTC), tick=False)


def active_people(
    organisation: Organisation,
    count: int,
    *,
    prefix: str = "p",
    practice: str = "deep-curiosity",
    outcome: str = "done",
) -> list[Person]:
    """People who each made a commitment and checked in on it (today, whatever today is)."""
    people = []
    for n in range(count):
        person = make_person(
            organisation, f"{prefix}{n}@acme.test", f"{prefix} {n}", {Role.PARTICIPANT}
        )
        commit_and_check_in(person, practice=practice, outcome=outcome)
        people.append(person)
    return people


def commit_and_check_in(
    person: Person, *, practice: str = "deep-curiosity", outcome: str = "done"
) -> None:
    commitment = practice_services.commit(
        person=person, title="t", practice=practice, courage=1, cadence="daily"
    )
    practice_services.check_in(commitment=commitment, outcome=outcome)


def cohort_of(organisation: Organisation, name: str, people: list[Person]) -> Cohort:
    cohort = Cohort.objects.create(organisation=organisation, name=name, start_date=MARCH)
    for person in people:
        Membership.objects.create(cohort=cohort, person=person)
    return cohort


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in {"td", "th"}:
            self._cell = []
            # A cell across several columns stands for each of them.
            self._span = int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.extend([" ".join("".join(self._cell).split())] * self._span)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_rows(html: str, first_header: str) -> dict[str, list[str]]:
    """The rows (by their first cell) of the table whose first column has this heading."""
    for table in tables_of(html):
        if table and table[0][0] == first_header:
            return {row[0]: row[1:] for row in table[1:]}
    raise AssertionError(f"no table headed {first_header!r}")


def page(person: Person, **query: str | int) -> str:
    response = client_for(person).get(reverse("insights"), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def export(person: Person, **query: str | int) -> list[list[str]]:
    response = client_for(person).get(reverse("insights_export"), query)
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode())))


def first_number(text: str) -> int:
    """The count in "1,234 ± 12"."""
    return int(text.split("±")[0].strip().replace(",", ""))


__all__ = ["Cast"]
