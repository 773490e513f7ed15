"""Named people shared by every test: one in each position the product knows."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http.response import HttpResponseBase
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from zeal.constants import initialize_app_registry
from zeal.patch import patch as patch_orm_for_zeal

from bridgework.accounts import services
from bridgework.accounts.encryption import key_cache
from bridgework.accounts.models import (
    CommunityGroup,
    GroupMembership,
    Invitation,
    Organisation,
    Person,
    Role,
)
from bridgework.accounts.tasks import count_people_everywhere
from bridgework.curriculum.models import (
    DiscussionQuestion,
    Lesson,
    Module,
    ReflectionPrompt,
    Tip,
)
from bridgework.lib import keyfiles
from bridgework.operations import health

from .subprocess_support import make_migrated_data_dir

ZEAL_MIDDLEWARE = "zeal.middleware.zeal_middleware"
ZEAL_ALLOWED = [
    # cohorts.services.enrol runs get_or_create once per person enrolled (it must not lose a
    # waiting request): a form post bounded by the people chosen, not a page that grows with
    # the data. Worth batching; allowed until then.
    {"model": "cohorts.Membership", "field": "get()"},
    # allauth keeps a SAML sign-in's state in a session of its own: finishing the sign-in
    # reads that one and the browser's own, two reads of the same table, not one per row.
    {"model": "sessions.Session", "field": "get()"},
    # Person.role_set reads a person's roles once per object: a request reads them for the
    # signed-in person and for the one person acted on (a pause, a role change). Pages that
    # list people prefetch roles, and their query counts are pinned.
    {"model": "accounts.Person", "field": "role_assignments"},
    # allauth's own view for removing a security key reads it twice, once to check it and
    # once to delete it; one key, not one per row.
    {"model": "mfa.Authenticator", "field": "get()"},
]
PASSWORD = "correct horse battery staple"

POSITIONS = [
    "anonymous",
    "participant",
    "facilitator",
    "program_admin",
    "group_member",
    "participant_and_member",
    "deactivated",
    "stranger",
]


@pytest.fixture(autouse=True, scope="session")
def _no_n_plus_one_on_any_page() -> Iterator[None]:
    """django-zeal watches every request of every test (and the browser tests' live server):
    a page that loads a related object, or runs a `get()`, once per row fails with
    NPlusOneError. Set-up code outside a request may loop freely."""
    initialize_app_registry()
    patch_orm_for_zeal()
    with override_settings(
        MIDDLEWARE=[ZEAL_MIDDLEWARE, *settings.MIDDLEWARE], ZEAL_ALLOWLIST=ZEAL_ALLOWED
    ):
        yield


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # Each test starts with nothing cached (the admin's totals are kept for a minute, the
    # health probe's answer for a second).
    cache.clear()
    health.forget_last_probe()


@pytest.fixture(autouse=True)
def _in_english_afterwards() -> Iterator[None]:
    """A signed-in request leaves its person's language active in the thread that served it;
    the next test starts in the site's language again, as a fresh request would."""
    yield
    translation.deactivate()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    repeated = pytest.mark.skip(reason="runs on its own SQLite database: the SQLite run covers it")
    for item in items:
        if "own_sqlite" in item.keywords:
            item.add_marker(repeated)


# --- the clock --------------------------------------------------------------------------------

# Where a test does not choose its own day: an ordinary mid-month, mid-week, mid-year day.
ORDINARY_DAY = datetime(2026, 6, 17, 12, tzinfo=UTC)

# The days on which date arithmetic goes wrong: a month begins or ends, a year ends, and the
# clocks change in the organisation's zone (Europe/London: the last Sundays of March and
# October, at 01:00 UTC). On those two the clock stands half an hour before the change, so
# anything a test does "an hour later" happens across it.
CALENDAR_EDGES = [
    pytest.param((datetime(2026, 4, 1, 12, tzinfo=UTC), "UTC"), id="first-of-a-month"),
    pytest.param((datetime(2026, 4, 30, 12, tzinfo=UTC), "UTC"), id="last-of-a-month"),
    pytest.param((datetime(2026, 12, 31, 12, tzinfo=UTC), "UTC"), id="31-december"),
    pytest.param(
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "Europe/London"), id="clocks-go-forward"
    ),
    pytest.param((datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/London"), id="clocks-go-back"),
]

# `@on_calendar_edges` runs a test that takes `clock` once on each of those days.
on_calendar_edges = pytest.mark.parametrize("clock", CALENDAR_EDGES, indirect=True)


class Clock:
    """Time stands still for the test (Django's clock, datetime and time.time alike) until the
    test moves it."""

    def __init__(self, traveller: time_machine.Traveller) -> None:
        self._traveller = traveller

    def now(self) -> datetime:
        return timezone.now()

    def today(self) -> date:
        return timezone.localdate()

    def move_to(self, moment: datetime) -> None:
        self._traveller.move_to(moment)

    def advance(self, delta: timedelta) -> None:
        self._traveller.shift(delta)


@pytest.fixture
def clock(request: pytest.FixtureRequest, settings: object) -> Iterator[Clock]:
    """A stopped clock: on ORDINARY_DAY, or on the (moment, time zone) the test is parametrised
    with (`on_calendar_edges`)."""
    moment, zone = getattr(request, "param", (ORDINARY_DAY, "UTC"))
    settings.TIME_ZONE = zone  # type: ignore[attr-defined]
    with time_machine.travel(moment, tick=False) as traveller:
        yield Clock(traveller)


# --- query counts ---------------------------------------------------------------------------


class QueryCount(int):
    """How many statements one request ran: a number to pin and to compare with the same page
    at another size. When an assertion fails, it lists the statements."""

    statements: list[str]

    def __new__(cls, statements: list[str]) -> QueryCount:
        count = super().__new__(cls, len(statements))
        count.statements = statements
        return count

    def __repr__(self) -> str:
        return f"{int(self)} queries:\n" + "\n".join(self.statements)


CountQueries = Callable[..., QueryCount]


@pytest.fixture
def count_queries() -> CountQueries:
    """count_queries(client.get, url) == 7: the request answered 200 and ran 7 statements,
    counted in the worst case, with nothing kept from an earlier request."""

    def count(
        request: Callable[..., HttpResponseBase], *args: object, **kwargs: object
    ) -> QueryCount:
        cache.clear()
        # Pages are served beside the worker, which counts each organisation's people every
        # minute for the program admin's home (accounts/people_count.py).
        count_people_everywhere.call()
        with CaptureQueriesContext(connection) as captured:
            response = request(*args, **kwargs)
        assert response.status_code == 200
        return QueryCount([query["sql"] for query in captured.captured_queries])

    return count


@pytest.fixture
def own_key_dir(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A data directory with a master key file of the test's own, so rotating or replacing
    keys there never touches the key file the other tests share."""
    data_dir = tmp_path / "data"
    settings.DATA_DIR = data_dir
    settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(data_dir)
    key_cache.clear()
    yield data_dir
    key_cache.clear()


@pytest.fixture
def loopback_identity_providers(settings: Any) -> None:
    """The identity providers the SSO tests run listen on 127.0.0.1, an address the Sign-in
    settings refuse to read by default (`bridgework/sso/outbound.py`)."""
    settings.SSO_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite data directory, made once per test process; copy it, never change it."""
    return make_migrated_data_dir(tmp_path_factory.mktemp("migrated") / "data")


def log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """The worst case for a leak: every logger at DEBUG, including the two that settings.py
    keeps at INFO (template contexts and SQL parameters), so no check rests on that setting."""
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.template", "django.db.backends"):
        caplog.set_level(logging.DEBUG, logger=name)


def make_person(
    organisation: Organisation, email: str, name: str, roles: AbstractSet[str]
) -> Person:
    return services.create_person(
        organisation=organisation, email=email, chosen_name=name, password=PASSWORD, roles=roles
    )


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Acme", slug="acme")


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Globex", slug="globex")


@pytest.fixture
def community_group(organisation: Organisation) -> CommunityGroup:
    return CommunityGroup.objects.create(
        organisation=organisation, name="Disability Network", open_to_join=True
    )


@pytest.fixture
def participant(organisation: Organisation) -> Person:
    return make_person(organisation, "pat@acme.test", "Pat Participant", {Role.PARTICIPANT})


@pytest.fixture
def facilitator(organisation: Organisation) -> Person:
    return make_person(
        organisation, "fran@acme.test", "Fran Facilitator", {Role.FACILITATOR, Role.PARTICIPANT}
    )


@pytest.fixture
def program_admin(organisation: Organisation) -> Person:
    return make_person(organisation, "ada@acme.test", "Ada Admin", {Role.PROGRAM_ADMIN})


@pytest.fixture
def group_member(organisation: Organisation, community_group: CommunityGroup) -> Person:
    person = make_person(organisation, "gus@acme.test", "Gus Groupmember", set())
    GroupMembership.objects.create(group=community_group, person=person, added_by="self")
    return person


@pytest.fixture
def participant_and_member(organisation: Organisation, community_group: CommunityGroup) -> Person:
    person = make_person(organisation, "bo@acme.test", "Bo Both", {Role.PARTICIPANT})
    GroupMembership.objects.create(group=community_group, person=person, added_by="self")
    return person


@pytest.fixture
def deactivated(organisation: Organisation) -> Person:
    person = make_person(organisation, "dee@acme.test", "Dee Deactivated", {Role.PARTICIPANT})
    person.deactivate()
    return person


@pytest.fixture
def stranger(other_organisation: Organisation) -> Person:
    """A program admin and participant of another organisation."""
    return make_person(
        other_organisation,
        "sid@globex.test",
        "Sid Stranger",
        {Role.PROGRAM_ADMIN, Role.PARTICIPANT},
    )


def invite(
    by: Person, email: str, *, roles: Iterable[str] = (Role.PARTICIPANT,), name: str = "Nia New"
) -> tuple[Invitation, str]:
    """A saved, pending invitation from `by` to their organisation, and its link's token."""
    assert by.organisation is not None
    invitation, token = Invitation.build(
        organisation=by.organisation,
        email=email,
        chosen_name=name,
        roles=list(roles),
        invited_by=by,
    )
    invitation.save()
    return invitation, token


@pytest.fixture
def pending_invitation(organisation: Organisation, program_admin: Person) -> tuple[Invitation, str]:
    return invite(program_admin, "new@acme.test")


@dataclass
class Cast:
    """Everyone at once, for tests that walk every position."""

    participant: Person
    facilitator: Person
    program_admin: Person
    group_member: Person
    participant_and_member: Person
    deactivated: Person
    stranger: Person

    def person(self, position: str) -> Person | None:
        return None if position == "anonymous" else getattr(self, position)

    def client(self, position: str) -> Client:
        client = Client()
        person = self.person(position)
        if person is not None:
            client.force_login(person)
        return client


@pytest.fixture
def cast(
    participant: Person,
    facilitator: Person,
    program_admin: Person,
    group_member: Person,
    participant_and_member: Person,
    deactivated: Person,
    stranger: Person,
) -> Cast:
    return Cast(
        participant,
        facilitator,
        program_admin,
        group_member,
        participant_and_member,
        deactivated,
        stranger,
    )


def signed_in_clients(cast: Cast) -> Callable[[str], Client]:
    """A client per position, signed in once: each call gives that position's client with
    its session cookie and nothing else a previous request left (messages, CSRF)."""
    clients = {position: cast.client(position) for position in POSITIONS}
    cookies = {
        position: {key: morsel.value for key, morsel in client.cookies.items()}
        for position, client in clients.items()
    }

    def as_(position: str) -> Client:
        client = clients[position]
        client.cookies = SimpleCookie(dict(cookies[position]))
        return client

    return as_


def client_for(person: Person | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def curriculum_sample(author: Person) -> tuple[Module, Lesson, ReflectionPrompt, Tip]:
    """A small module with one lesson and prompt, and a tip waiting for review."""
    organisation = author.organisation
    assert organisation is not None
    module = Module.objects.create(
        organisation=organisation,
        slug="foundations",
        title="Foundations",
        order=1,
        summary="Where it starts.",
        body="Allyship is something you **do**.",
    )
    lesson = Lesson.objects.create(
        module=module, slug="a-verb", title="A verb", order=1, minutes=5, body="Do one thing."
    )
    prompt = ReflectionPrompt.objects.create(
        module=module, lesson=lesson, slug="who-showed-up", text="Who showed up for you?"
    )
    DiscussionQuestion.objects.create(module=module, slug="label", text="Who decides?")
    tip = Tip.objects.create(
        organisation=organisation,
        slug="pending-tip",
        title="Pending tip",
        text="Try it.",
        practice="deep-curiosity",
        defense="paralysis",
        effort=5,
        courage=1,
        contexts=",meetings,",
        status=Tip.Status.PENDING,
        suggested_by=author,
        from_content=False,
    )
    return module, lesson, prompt, tip


Committed = Callable[[], AbstractContextManager[object]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Committed:
    """`with committed():` runs, as the block ends, the work that the code inside left for
    after its commit (notifications are made then), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
