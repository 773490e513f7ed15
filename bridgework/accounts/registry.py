"""What each app contributes to the whole, registered from its `AppConfig.ready()`.

Accounts owns the person, so it is the one place every app may import. Instead of one app
reaching into another's models, each app registers here what it knows about a person:

- its section of "Download my data" (`ExportSection`): everything the person wrote there;
- how a person is erased from it (`Erasure`): which models it answers for, and any step the
  database's `on_delete` does not already take;
- what it does when an assessment is taken (`on_assessment_taken`): practice fires it,
  insights keeps its pseudonymous scores, and neither imports the other;
- a way other than e-mail a reminder may take (`on_reminder_delivery`): chat offers one,
  practice and cohorts ask it about each reminder, and neither of them imports chat;
- what it does when a check-in is recorded (`on_check_in_recorded`): practice fires it
  wherever the check-in was made, chat shows it on the reminder message it answers;
- what it lets go of when a person is deactivated (`on_deactivation`): a secret address of
  theirs, say, which reactivating them must not bring back.

These are plain lists of typed values, read in the order the apps are installed. They are
explicit calls, not signals: a reader can follow every line from `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.db import models

from bridgework.jobs import outbox

if TYPE_CHECKING:
    from bridgework.jobs.models import OutgoingEmail

    from .models import Person


@dataclass(frozen=True, kw_only=True)
class ExportSection:
    """One app's part of "Download my data".

    `build` returns the part's top-level keys of the JSON file, read with the person's own
    key and holding only what they wrote or chose (never another person's words); `template`
    renders the same keys in the HTML file, from `data`. `covers` names the models
    the part reads, so the test that walks every model can tell which ones are exported.
    """

    app: str
    template: str
    covers: tuple[type[models.Model], ...]
    build: Callable[[Person], Mapping[str, Any]]


@dataclass(frozen=True, kw_only=True)
class Erasure:
    """How one app lets a person go.

    The person's data key is destroyed first (every copy of their ciphertext becomes
    unreadable) and their row is deleted last. In between `step`, when there is one, does
    what `on_delete` cannot: rows found by a pseudonym, say. Rows pointing at the person are
    removed (`CASCADE`) or keep their place without a name (`SET_NULL`), as each model's
    foreign key says; `covers` lists the models the app answers for, and a test checks that
    each of them really lets go of an erased person.
    """

    app: str
    covers: tuple[type[models.Model], ...]
    step: Callable[[Person], None] | None = None
    # What erasing this person changes beyond their own data, in a sentence the "Delete my
    # account" page shows before they confirm; empty when nothing.
    consequence: Callable[[Person], str] | None = None


@dataclass(frozen=True, kw_only=True)
class AssessmentTaken:
    """A self-assessment was just saved: its practice-level scores, never item answers."""

    person: Person
    scores: Mapping[str, float]
    taken_at: datetime


_export_sections: list[ExportSection] = []
_erasures: list[Erasure] = []
_assessment_listeners: list[Callable[[AssessmentTaken], None]] = []
_elsewhere_sign_ins: list[Callable[[Person], str | None]] = []


def add(*, export: ExportSection | None = None, erasure: Erasure | None = None) -> None:
    """An app's contributions about people; adding the same one twice keeps one."""
    if export is not None and export not in _export_sections:
        _export_sections.append(export)
    if erasure is not None and erasure not in _erasures:
        _erasures.append(erasure)


def on_assessment_taken(listener: Callable[[AssessmentTaken], None]) -> None:
    if listener not in _assessment_listeners:
        _assessment_listeners.append(listener)


def on_sign_in_elsewhere(check: Callable[[Person], str | None]) -> None:
    """A rule that answers where a person signs in when it is not with a Bridgework password
    (the organisation's identity provider), or None."""
    if check not in _elsewhere_sign_ins:
        _elsewhere_sign_ins.append(check)


def sign_in_elsewhere(person: Person) -> str | None:
    """Where the person signs in, when it is not with a password they could type here."""
    for check in _elsewhere_sign_ins:
        if (elsewhere := check(person)) is not None:
            return elsewhere
    return None


# What each app revokes when a person is deactivated, however that happens (an admin, SCIM):
# anything that would otherwise let them, or whoever holds an address they handed out, back
# in once they are reactivated. Each step runs in the deactivation's transaction.
_deactivation_steps: list[Callable[[Person], None]] = []


def on_deactivation(step: Callable[[Person], None]) -> None:
    if step not in _deactivation_steps:
        _deactivation_steps.append(step)


def deactivation_steps() -> tuple[Callable[[Person], None], ...]:
    return tuple(_deactivation_steps)


def person_deactivated(person: Person) -> None:
    """Every app's step for a person just deactivated; called by `Person.deactivate`."""
    for step in _deactivation_steps:
        step(person)


def export_sections() -> tuple[ExportSection, ...]:
    return tuple(_export_sections)


def erasures() -> tuple[Erasure, ...]:
    return tuple(_erasures)


def assessment_taken(event: AssessmentTaken) -> None:
    """Tell every listener; called inside the practice service's transaction."""
    for listener in _assessment_listeners:
        listener(event)


def my_data(person: Person) -> dict[str, Any]:
    """Every app's part of a person's data, as one mapping of top-level keys."""
    data: dict[str, Any] = {}
    for section in _export_sections:
        part = section.build(person)
        clash = data.keys() & part.keys()
        if clash:
            raise ValueError(f"{section.app} repeats the export keys {sorted(clash)}.")
        data.update(part)
    return data


def erasure_consequences(person: Person) -> list[str]:
    """Every app's sentence about what erasing this person changes for others."""
    sentences = (erasure.consequence(person) for erasure in _erasures if erasure.consequence)
    return [sentence for sentence in sentences if sentence]


def erase_steps(person: Person) -> None:
    """Every app's own erasure step, for a person whose key is gone and row is about to go."""
    for erasure in _erasures:
        if erasure.step is not None:
            erasure.step(person)


# Apps that seal their own secrets with the master key (an identity provider's client
# secret) re-seal them when the master key is rotated, while the old key is still loaded.
# Each returns how many values it re-sealed.
_rotation_steps: list[Callable[[], int]] = []


def on_master_key_rotation(step: Callable[[], int]) -> None:
    if step not in _rotation_steps:
        _rotation_steps.append(step)


def master_key_rotated() -> int:
    """Run every app's re-sealing step under the new master key (settings' first key)."""
    return sum(step() for step in _rotation_steps)


@dataclass(frozen=True, kw_only=True)
class DueReminder:
    """A reminder just claimed, asked about inside the claiming transaction: whose it is and
    what it is about (a commitment's period, or a session). Ids only, never any text."""

    person: Person
    kind: Literal["commitment", "session"]
    object_id: int
    period: date | None = None  # the commitment's period; None for a session


# A route either takes the reminder, writing what it needs in the caller's transaction and
# returning what to call once that transaction has committed, or leaves it (None) to e-mail.
type ReminderRoute = Callable[[DueReminder], Callable[[], object] | None]

_reminder_routes: list[ReminderRoute] = []


def on_reminder_delivery(route: ReminderRoute) -> None:
    if route not in _reminder_routes:
        _reminder_routes.append(route)


def reminder_routes() -> tuple[ReminderRoute, ...]:
    return tuple(_reminder_routes)


def route_reminder(reminder: DueReminder) -> Callable[[], object] | None:
    """What to call after the commit if a route took the reminder; None means e-mail it."""
    for route in _reminder_routes:
        if (after_commit := route(reminder)) is not None:
            return after_commit
    return None


def route_or_email(
    reminder: DueReminder, queue_email: Callable[[], OutgoingEmail | None]
) -> Callable[[], object]:
    """In the claiming transaction: hand the reminder to a route, or else queue its e-mail.
    What it returns sends it; call that once the transaction has committed."""
    if (after_commit := route_reminder(reminder)) is not None:
        return after_commit
    email = queue_email()
    return lambda: outbox.send(email)


@dataclass(frozen=True, kw_only=True)
class CheckInRecorded:
    """A commitment's check-in for one period was recorded or corrected. Ids only: never
    the answer's note."""

    person_id: int
    commitment_id: int
    period: date


_check_in_listeners: list[Callable[[CheckInRecorded], None]] = []


def on_check_in_recorded(listener: Callable[[CheckInRecorded], None]) -> None:
    if listener not in _check_in_listeners:
        _check_in_listeners.append(listener)


def check_in_listeners() -> tuple[Callable[[CheckInRecorded], None], ...]:
    return tuple(_check_in_listeners)


def check_in_recorded(event: CheckInRecorded) -> None:
    """Tell every listener; called inside the practice service's transaction, so a listener
    that talks to the outside leaves that for after the commit."""
    for listener in _check_in_listeners:
        listener(event)
