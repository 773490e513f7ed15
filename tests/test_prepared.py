"""Prepared queries: a query set built and compiled once, then run with each call's values,
giving what the query set itself would have given."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.prepared import prepared
from tests.conftest import Clock, make_person


@prepared
def _people_of(*, organisation_id: int, joined_after: datetime.datetime) -> QuerySet[Person]:
    return (
        Person.objects.filter(organisation_id=organisation_id, date_joined__gt=joined_after)
        .select_related("organisation")
        .annotate(label=Concat(F("chosen_name"), Value(" at "), F("organisation__name")))
        .order_by("chosen_name")
    )


@prepared
def _emails_named(*, name: str) -> QuerySet[Person, str]:
    return Person.objects.filter(chosen_name=name).order_by("email").values_list("email", flat=True)


def test_each_call_runs_the_query_with_its_own_values_and_gives_what_the_query_set_gives(
    organisation: Organisation, other_organisation: Organisation, clock: Clock
) -> None:
    before = clock.now() - datetime.timedelta(days=1)
    make_person(organisation, "bo@example.org", "Bo", set())
    make_person(organisation, "al@example.org", "Al", set())
    make_person(other_organisation, "cy@example.org", "Cy", set())

    here = list(_people_of(organisation_id=organisation.pk, joined_after=before))
    assert [(p.chosen_name, getattr(p, "label")) for p in here] == [  # noqa: B009
        ("Al", f"Al at {organisation.name}"),
        ("Bo", f"Bo at {organisation.name}"),
    ]
    assert here[0].organisation == organisation  # read beside the person, not afterwards

    elsewhere = _people_of(organisation_id=other_organisation.pk, joined_after=before)
    assert [p.chosen_name for p in elsewhere] == ["Cy"]
    assert list(_people_of(organisation_id=organisation.pk, joined_after=clock.now())) == []


def test_values_lists_come_back_as_the_query_set_gives_them(organisation: Organisation) -> None:
    make_person(organisation, "b@example.org", "Bo", set())
    make_person(organisation, "a@example.org", "Bo", set())
    assert list(_emails_named(name="Bo")) == ["a@example.org", "b@example.org"]
    assert list(_emails_named(name="Nobody")) == []


def test_slices_first_and_count_are_each_one_query(
    organisation: Organisation, django_assert_num_queries: Any
) -> None:
    for n in range(5):
        make_person(organisation, f"{n}@example.org", "Bo", set())
    bos = _emails_named(name="Bo")
    with django_assert_num_queries(4):
        assert bos[1:3] == ["1@example.org", "2@example.org"]
        assert bos[3:] == ["3@example.org", "4@example.org"]
        assert bos.first() == "0@example.org"
        assert bos.count() == 5
    assert _emails_named(name="Nobody").first() is None
    assert _emails_named(name="Nobody").count() == 0


def test_a_prepared_query_costs_one_query_and_no_more(
    organisation: Organisation, django_assert_num_queries: Any
) -> None:
    make_person(organisation, "bo@example.org", "Bo", set())
    with django_assert_num_queries(1):
        list(_emails_named(name="Bo"))


@prepared
def _people_named(*, name: str, active_only: bool) -> QuerySet[Person, str]:
    people = Person.objects.filter(chosen_name=name)
    if active_only:
        people = people.filter(is_active=True)
    return people.order_by("email").values_list("email", flat=True)


def test_a_switch_chooses_between_queries_each_compiled_once(
    organisation: Organisation, deactivated: Person
) -> None:
    make_person(organisation, "bo@example.org", deactivated.chosen_name, set())
    everyone = _people_named(name=deactivated.chosen_name, active_only=False)
    assert list(everyone) == sorted(["bo@example.org", deactivated.email])
    assert list(_people_named(name=deactivated.chosen_name, active_only=True)) == ["bo@example.org"]
    assert len(_people_named.compiled) == 2


def test_an_argument_that_does_not_reach_the_sql_as_given_is_refused(db: None) -> None:
    @prepared
    def containing(*, text: str) -> QuerySet[Person]:
        return Person.objects.filter(chosen_name__icontains=text)

    with pytest.raises(TypeError, match="text did not reach the SQL as given"):
        list(containing(text="a"))


def test_only_keyword_arguments_of_plain_types_can_be_prepared(db: None) -> None:
    def by_position(person_id: int) -> QuerySet[Person]:
        return Person.objects.filter(pk=person_id)

    def by_list(*, ids: list[int]) -> QuerySet[Person]:
        return Person.objects.filter(pk__in=ids)

    with pytest.raises(TypeError, match="must be keyword-only"):
        prepared(by_position)
    with pytest.raises(TypeError, match="must be a bool, int, str, date or datetime"):
        prepared(by_list)


def test_in_the_tests_a_builder_whose_query_depends_on_its_values_is_caught(
    organisation: Organisation,
) -> None:
    @prepared
    def branching(*, name: str) -> QuerySet[Person]:
        people = Person.objects.filter(chosen_name=name)
        return people if name.startswith("\x00") else people.filter(is_active=True)

    with pytest.raises(AssertionError, match="differs from its query set"):
        list(branching(name="Bo"))


def test_a_query_that_can_match_nothing_asks_the_database_nothing(
    organisation: Organisation, django_assert_num_queries: Any
) -> None:
    @prepared
    def nobody(*, name: str, anyone: bool) -> QuerySet[Person]:
        people = Person.objects.filter(chosen_name=name)
        return people if anyone else people.filter(pk__in=[])

    make_person(organisation, "bo@example.org", "Bo", set())
    with django_assert_num_queries(0):
        assert list(nobody(name="Bo", anyone=False)) == []
        assert nobody(name="Bo", anyone=False).count() == 0
    assert [p.chosen_name for p in nobody(name="Bo", anyone=True)] == ["Bo"]


def test_an_id_too_large_for_any_column_matches_nothing(
    organisation: Organisation, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        assert list(_people_of(organisation_id=10**23, joined_after=timezone.now())) == []
        assert _people_of(organisation_id=-(10**23), joined_after=timezone.now()).count() == 0
