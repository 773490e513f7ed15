"""Named people shared by every test: one in each position the product knows."""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from bridgework.accounts import services
from bridgework.accounts.models import (
    CommunityGroup,
    GroupMembership,
    Invitation,
    Organisation,
    Person,
    Role,
)
from bridgework.curriculum.models import (
    DiscussionQuestion,
    Lesson,
    Module,
    ReflectionPrompt,
    Tip,
)

from .subprocess_support import make_migrated_data_dir

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


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    # Each test starts with nothing cached (the admin's totals are kept for a minute).
    cache.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    repeated = pytest.mark.skip(reason="runs on its own SQLite database: the SQLite run covers it")
    for item in items:
        if "own_sqlite" in item.keywords:
            item.add_marker(repeated)


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite data directory, made once per test process; copy it, never change it."""
    return make_migrated_data_dir(tmp_path_factory.mktemp("migrated") / "data")


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


@pytest.fixture
def pending_invitation(organisation: Organisation, program_admin: Person) -> tuple[Invitation, str]:
    invitation, token = Invitation.build(
        organisation=organisation,
        email="new@acme.test",
        chosen_name="Nia New",
        roles=[Role.PARTICIPANT],
        invited_by=program_admin,
    )
    invitation.save()
    return invitation, token


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
