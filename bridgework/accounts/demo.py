"""The demo organisation: one person in each position, for trying Bridgework out."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from . import services
from .models import CommunityGroup, GroupMembership, Organisation, Person, Role

DEMO_NAME = "Demo Organisation"
DEMO_PASSWORD_FILE = "demo-password"  # noqa: S105  (a file name)

# (label, e-mail, chosen name, pronouns, roles, community groups)
DEMO_PEOPLE: list[tuple[str, str, str, str, set[str], list[str]]] = [
    ("Participant", "participant@example.com", "Alex Rivera", "they/them", {Role.PARTICIPANT}, []),
    (
        "Facilitator",
        "facilitator@example.com",
        "Fatima Okafor",
        "she/her",
        {Role.FACILITATOR, Role.PARTICIPANT},
        [],
    ),
    ("Program admin", "admin@example.com", "Jordan Lee", "", {Role.PROGRAM_ADMIN}, []),
    (
        "Community-group member",
        "member@example.com",
        "Sam Chen",
        "he/him",
        set(),
        ["Disability Network"],
    ),
    (
        "Participant and community-group member",
        "both@example.com",
        "Noor Haddad",
        "",
        {Role.PARTICIPANT},
        ["Disability Network", "Parents at Work"],
    ),
]

# (e-mail, group): who leads which group, so the demo shows a lead's view of the roster.
DEMO_LEADS = {("member@example.com", "Disability Network")}

DEMO_GROUPS = [
    (
        "Disability Network",
        "A space for disabled colleagues and those with chronic conditions.",
        False,
    ),
    ("Parents at Work", "For parents and carers balancing work and family.", True),
]


def _password_path() -> Path:
    return Path(settings.DATA_DIR) / DEMO_PASSWORD_FILE


def demo_password() -> str:
    """BRIDGEWORK_DEMO_PASSWORD, or a random one kept in the data directory for the demo."""
    if settings.DEMO_PASSWORD:
        return str(settings.DEMO_PASSWORD)
    path = _password_path()
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    password = "-".join(secrets.token_urlsafe(4) for _ in range(3))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(password + "\n")
    return password


def demo_sign_ins() -> list[tuple[str, str, str]]:
    password = demo_password()
    return [(label, email, password) for label, email, *_ in DEMO_PEOPLE]


def create_demo(*, reset: bool = False) -> Organisation:
    """The demo organisation, created (or with `reset`, deleted and created again) at once.

    On SQLite the whole transaction holds the database's one write lock, and a running
    site's requests and worker wait for it. So what takes seconds without needing the
    database is done first: loading every URL module (the first link a demo notification
    builds would otherwise import every view, statistics libraries included, inside the
    transaction) and hashing the password, once for all five people.
    """
    reverse("home")
    return _create_demo(reset=reset, password_hash=make_password(demo_password()))


@transaction.atomic
def _create_demo(*, reset: bool, password_hash: str) -> Organisation:
    existing = Organisation.objects.filter(is_demo=True)
    if existing.exists():
        if not reset:
            organisation = existing.first()
            assert organisation is not None
            return organisation
        for organisation in existing:
            services.erase_organisation(organisation=organisation)
    emails = [email for _, email, *_ in DEMO_PEOPLE]
    if Person.objects.filter(email__in=emails).exists():
        raise ValueError("A demo e-mail address is already used outside the demo organisation.")
    organisation = Organisation.objects.create(
        name=DEMO_NAME, slug=Organisation.unique_slug_for(DEMO_NAME), is_demo=True
    )
    services.prepare_new_organisation(organisation)
    groups = {
        name: CommunityGroup.objects.create(
            organisation=organisation, name=name, description=description, open_to_join=is_open
        )
        for name, description, is_open in DEMO_GROUPS
    }
    for _, email, name, pronouns, roles, group_names in DEMO_PEOPLE:
        person = services.create_person(
            organisation=organisation,
            email=email,
            chosen_name=name,
            password=None,
            roles=roles,
            pronouns=pronouns,
        )
        person.password = password_hash
        person.save(update_fields=["password"])
        # Accepted memberships, as if each had joined or said yes to an invitation.
        for group_name in group_names:
            GroupMembership.objects.create(
                group=groups[group_name],
                person=person,
                added_by=GroupMembership.AddedBy.SELF,
                is_lead=(email, group_name) in DEMO_LEADS,
            )
    for path in settings.DEMO_HOOKS:
        import_string(path)(organisation)
    return organisation


def ensure_demo() -> None:
    """On first start only: create the demo when the database has no organisation yet."""
    if not Organisation.objects.exists():
        create_demo()
