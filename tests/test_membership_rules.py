"""A cohort membership's own rule: a request to join waits until a facilitator decides."""

from __future__ import annotations

from datetime import date

from bridgework.accounts.models import Person
from bridgework.cohorts.models import Membership

from .cohorts_support import make_cohort

START = date(2026, 3, 2)


def request_from(person: Person, facilitator: Person) -> Membership:
    cohort = make_cohort(facilitator, start=START)
    return Membership.objects.create(
        cohort=cohort, person=person, status=Membership.Status.REQUESTED
    )


def test_an_approved_request_is_a_membership_from_then_on(
    participant: Person, facilitator: Person
) -> None:
    request = request_from(participant, facilitator)
    assert request.joined_at is None
    request.decide(approve=True)
    member = Membership.objects.get(pk=request.pk)
    assert member.status == Membership.Status.MEMBER
    assert member.joined_at is not None


def test_a_declined_request_is_gone(participant: Person, facilitator: Person) -> None:
    request = request_from(participant, facilitator)
    request.decide(approve=False)
    assert not Membership.objects.filter(pk=request.pk).exists()


def test_deciding_leaves_an_existing_member_as_they_are(
    participant: Person, facilitator: Person
) -> None:
    cohort = make_cohort(facilitator, [participant], start=START)
    member = Membership.objects.get(cohort=cohort, person=participant)
    member.decide(approve=False)
    assert Membership.objects.get(pk=member.pk).status == Membership.Status.MEMBER
