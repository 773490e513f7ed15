"""Choosing people for a cohort without a list of everyone: a search by name (or e-mail
address) and tick boxes for the matches, the people already ticked kept across searches.
Works as a plain form post; htmx only swaps the results while someone types.

A page shows at most `MATCHES_SHOWN` matches plus the people already chosen, whatever the
size of the organisation, in a constant number of queries. An e-mail address is shown only
beside a name that more than one person in the organisation goes by.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.ids import parse_id

MATCHES_SHOWN = 20
SHORTEST_QUERY = 2


@dataclass(frozen=True)
class PickerRow:
    pk: int
    name: str
    tell_apart: str  # the e-mail address, only when the name alone is ambiguous


@dataclass(frozen=True)
class Picker:
    query: str
    chosen: list[PickerRow]
    matches: list[PickerRow]
    more: bool  # more people match than are shown
    too_short: bool  # a query too short to search on
    by_email: bool = True  # an e-mail address is searched too

    @property
    def only_match(self) -> PickerRow | None:
        """The one person a search found, when nobody is chosen yet: a picker of one person
        chooses them already, rather than failing the form for an unticked box."""
        return self.matches[0] if len(self.matches) == 1 and not self.chosen else None


def _people(organisation: Organisation) -> QuerySet[Person]:
    return Person.objects.in_organisation(organisation).filter(is_active=True)


def _search(people: QuerySet[Person], query: str, *, by_email: bool) -> QuerySet[Person]:
    if by_email and "@" in query:
        return people.filter(email__istartswith=query)
    words = Q()
    for word in query.split()[:5]:
        words &= Q(chosen_name__icontains=word)
    return people.filter(words)


def build(
    organisation: Organisation,
    *,
    query: str,
    chosen_ids: Iterable[str],
    leave_out: QuerySet[Person] | None = None,
    by_email: bool = True,
) -> Picker:
    """The picker's state: who is ticked (from the form), and who matches the query;
    `leave_out`: people never offered (those already in the cohort). Without `by_email`
    (a participant choosing a colleague) people are found and shown by name only, as the
    list it replaced showed them: no address is searched or shown."""
    # Control characters never belong to a name, and PostgreSQL refuses NUL in a query.
    query = " ".join("".join(c if c.isprintable() else " " for c in query).split())[:100]
    ids = {pk for raw in chosen_ids if (pk := parse_id(raw)) is not None}
    people = _people(organisation)
    if leave_out is not None:
        people = people.exclude(pk__in=leave_out.values("pk"))
    chosen = list(people.filter(pk__in=ids).order_by(Lower("chosen_name"), "pk")) if ids else []
    too_short = 0 < len(query) < SHORTEST_QUERY
    found: list[Person] = []
    if query and not too_short:
        found = list(
            _search(people, query, by_email=by_email)
            .exclude(pk__in=ids)
            .order_by(Lower("chosen_name"), "pk")[: MATCHES_SHOWN + 1]
        )
    shown = [*chosen, *found[:MATCHES_SHOWN]]
    names = {person.chosen_name for person in shown}
    ambiguous = (
        set(
            people.filter(chosen_name__in=names)
            .values("chosen_name")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("chosen_name", flat=True)
        )
        if names and by_email
        else set()
    )

    def row(person: Person) -> PickerRow:
        extra = person.email if person.chosen_name in ambiguous else ""
        return PickerRow(person.pk, person.chosen_name, extra)

    return Picker(
        query=query,
        chosen=[row(p) for p in chosen],
        matches=[row(p) for p in found[:MATCHES_SHOWN]],
        more=len(found) > MATCHES_SHOWN,
        too_short=too_short,
        by_email=by_email,
    )
