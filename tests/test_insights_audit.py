"""The insights audit list: every entry reachable page by page, narrowed by kind and month.

Entries are written with fixed times (March and April 2026); nothing depends on today.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts.models import Cohort
from bridgework.insights.audit import PER_PAGE
from bridgework.insights.models import AuditEntry, Period

from .conftest import Cast, CountQueries, QueryCount, client_for
from .insights_support import MARCH, tables_of

MARCH_NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)
APRIL_NOON = datetime(2026, 4, 10, 12, tzinfo=UTC)
# The four queries of the list itself (months, count, page, cohort names) and what every
# signed-in page costs (the session, and the person with their organisation and roles).
AUDIT_PAGE_QUERIES = 6


def record(
    person: Person | None,
    *,
    at: datetime,
    view: str = "organisation",
    kind: str = AuditEntry.Format.PAGE,
    count: int = 1,
) -> None:
    organisation = person.organisation if person else None
    assert organisation is not None
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=organisation,
            person=person,
            at=at + timedelta(minutes=n),
            view=view,
            period=Period.QUARTER,
            format=kind,
        )
        for n in range(count)
    )


def audit_rows(client: Client, **query: str) -> list[list[str]]:
    response = client.get(reverse("insights_audit"), query)
    assert response.status_code == 200
    return the_table(response.content.decode())


def the_table(html: str) -> list[list[str]]:
    """The audit table's rows, its header first; none when the page has no table."""
    tables = tables_of(html)
    return tables[0] if tables else []


@pytest.fixture
def admin(cast: Cast) -> Client:
    return client_for(cast.program_admin)


def test_the_list_shows_who_looked_when_at_which_view_and_how(
    cast: Cast, admin: Client, organisation: Organisation
) -> None:
    cohort = Cohort.objects.create(organisation=organisation, name="Spring", start_date=MARCH)
    record(cast.program_admin, at=MARCH_NOON, view=f"cohort {cohort.pk}")
    record(cast.program_admin, at=APRIL_NOON, kind=AuditEntry.Format.CSV)

    rows = audit_rows(admin)

    assert rows[1:] == [
        [
            "10 Apr 2026, 12:00",
            "Ada Admin",
            "The whole organisation",
            "The last 3 closed months",
            "CSV export",
        ],
        ["10 Mar 2026, 12:00", "Ada Admin", "Cohort: Spring", "The last 3 closed months", "Page"],
    ]


def test_views_and_exports_can_be_listed_apart(cast: Cast, admin: Client) -> None:
    record(cast.program_admin, at=MARCH_NOON, count=3)
    record(cast.program_admin, at=APRIL_NOON, kind=AuditEntry.Format.CSV, count=2)

    exports = audit_rows(admin, kind="csv")
    views = audit_rows(admin, kind="page")

    assert [row[4] for row in exports[1:]] == ["CSV export"] * 2
    assert [row[4] for row in views[1:]] == ["Page"] * 3


def test_a_month_lists_only_what_happened_in_it(cast: Cast, admin: Client) -> None:
    record(cast.program_admin, at=MARCH_NOON, count=2)
    record(cast.program_admin, at=APRIL_NOON, count=4)

    march = audit_rows(admin, month="2026-03")

    assert [row[0] for row in march[1:]] == ["10 Mar 2026, 12:01", "10 Mar 2026, 12:00"]


def test_only_months_with_entries_are_offered_newest_first(cast: Cast, admin: Client) -> None:
    record(cast.program_admin, at=MARCH_NOON)
    record(cast.program_admin, at=APRIL_NOON)

    page = admin.get(reverse("insights_audit")).content.decode()

    assert '<option value="2026-04">April 2026</option>' in page
    assert page.index("April 2026") < page.index("March 2026")
    assert "February 2026" not in page


def test_a_month_not_on_the_list_is_explained_next_to_the_field_and_filters_nothing(
    cast: Cast, admin: Client
) -> None:
    record(cast.program_admin, at=MARCH_NOON, count=2)

    response = admin.get(reverse("insights_audit"), {"month": "1999-13", "kind": "csv"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a month from the list." in html
    assert 'id="id_month_error"' in html
    # The valid choice still applies: there are no CSV exports.
    assert "Nothing matches these choices." in html


def test_a_long_list_is_split_into_pages_that_keep_the_filters(cast: Cast, admin: Client) -> None:
    record(cast.program_admin, at=MARCH_NOON, count=PER_PAGE * 2 + 7)
    record(cast.program_admin, at=APRIL_NOON, count=5)

    first = admin.get(reverse("insights_audit"), {"month": "2026-03"}).content.decode()
    last = audit_rows(admin, month="2026-03", page="3")

    assert len(the_table(first)) - 1 == PER_PAGE
    assert "Page 1 of 3" in first
    assert 'href="?month=2026-03&amp;page=2">Older</a>' in first
    assert len(last) - 1 == 7
    assert last[-1][0] == "10 Mar 2026, 12:00"


def test_a_page_number_past_the_end_shows_the_last_page(cast: Cast, admin: Client) -> None:
    record(cast.program_admin, at=MARCH_NOON, count=PER_PAGE + 1)

    rows = audit_rows(admin, page="99")

    assert len(rows) - 1 == 1


def test_an_entry_of_a_removed_account_still_shows(cast: Cast, admin: Client) -> None:
    record(cast.facilitator, at=MARCH_NOON)
    AuditEntry.objects.update(person=None)

    assert audit_rows(admin)[1][1] == "A removed account"


def test_nothing_is_listed_from_another_organisation(cast: Cast, admin: Client) -> None:
    record(cast.stranger, at=MARCH_NOON, count=3)

    page = admin.get(reverse("insights_audit")).content.decode()

    assert "Nobody has looked at insights yet." in page


def test_no_match_says_so_and_offers_the_whole_list(cast: Cast, admin: Client) -> None:
    record(cast.program_admin, at=MARCH_NOON)

    page = admin.get(reverse("insights_audit"), {"kind": "csv"}).content.decode()

    assert "Nothing matches these choices." in page
    assert f'<a href="{reverse("insights_audit")}">Show everything</a>' in page


@pytest.mark.parametrize("query", [{}, {"kind": "page", "month": "2026-03", "page": "2"}])
def test_the_audit_list_makes_a_fixed_number_of_queries_at_any_size(
    cast: Cast,
    admin: Client,
    organisation: Organisation,
    query: dict[str, str],
    count_queries: CountQueries,
) -> None:
    def queries() -> QueryCount:
        return count_queries(admin.get, reverse("insights_audit"), query)

    for n in range(3):
        Cohort.objects.create(organisation=organisation, name=f"C{n}", start_date=MARCH)
    record(cast.program_admin, at=MARCH_NOON, count=PER_PAGE + 1)
    small = queries()
    record(cast.facilitator, at=MARCH_NOON, count=PER_PAGE * 4)
    record(cast.program_admin, at=APRIL_NOON, kind=AuditEntry.Format.CSV, count=30)
    large = queries()

    assert small == large == AUDIT_PAGE_QUERIES
