"""The shell of Bridgework (home, sign-in, profile, people, groups, settings, e-mails and
notifications) speaks the reader's language: Spanish or French for a person who chose it,
else their organisation's default; e-mails and notifications in the recipient's."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bridgework.accounts.models import CommunityGroup, Organisation, Person, Role, SettingsChange
from bridgework.notifications.api import notify
from bridgework.notifications.models import DigestPreference, Notification
from bridgework.notifications.tasks import send_digests

from .conftest import Committed, client_for, make_person

pytestmark = pytest.mark.django_db


def speaking(person: Person, language: str) -> Client:
    person.language = language
    person.save(update_fields=["language"])
    return client_for(person)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


# --- pages ------------------------------------------------------------------------------------


def test_the_home_page_greets_a_spanish_speaker_in_spanish(participant: Person) -> None:
    text = page(speaking(participant, "es"), reverse("home"))

    assert '<html lang="es"' in text
    assert "Tu práctica" in text
    assert ">Inicio<" in text  # the navigation too
    assert "Your practice" not in text


def test_the_home_page_greets_a_french_speaker_in_french(participant: Person) -> None:
    text = page(speaking(participant, "fr"), reverse("home"))

    assert '<html lang="fr"' in text
    assert "Votre pratique" in text
    assert ">Accueil<" in text


def test_an_organisation_default_decides_for_people_who_did_not_choose(
    organisation: Organisation, program_admin: Person
) -> None:
    organisation.default_language = "fr"
    organisation.save(update_fields=["default_language"])

    text = page(client_for(program_admin), reverse("people"))

    assert "<h1>Personnes</h1>" in text
    assert "Invitations en attente" in text


def test_the_profile_page_in_spanish(participant: Person) -> None:
    text = page(speaking(participant, "es"), reverse("profile"))

    assert "<h1>Tu perfil</h1>" in text
    assert "Idioma" in text


def test_the_settings_page_in_french_names_its_sections_and_fields(program_admin: Person) -> None:
    text = page(speaking(program_admin, "fr"), reverse("organisation_settings"))

    assert "<h1>Paramètres de l'organisation</h1>" in text
    assert "Langue par défaut" in text
    assert "Général" in text and "Sécurité" in text


def test_names_people_wrote_are_marked_as_theirs(participant: Person) -> None:
    text = page(speaking(participant, "es"), reverse("home"))

    assert f"Hola, <bdi>{participant.chosen_name}</bdi>" in text


def test_the_settings_trail_keeps_english_and_shows_each_reader_their_language(
    program_admin: Person,
) -> None:
    client = speaking(program_admin, "es")
    response = client.post(
        reverse("organisation_settings"),
        {"name": "Acme Iberia", "time_zone": "Europe/Madrid", "default_language": "en"},
    )
    assert response.status_code == 302

    assert SettingsChange.objects.filter(setting="Organisation name").exists()
    text = page(client, reverse("organisation_settings"))
    assert "Nombre de la organización" in text


def test_a_validation_message_in_french(program_admin: Person) -> None:
    client = speaking(program_admin, "fr")

    response = client.post(reverse("invite"), {"email": program_admin.email, "roles": ["x"]})

    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "Quelqu'un a déjà un compte ici avec cette adresse e-mail." in text


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("es", {0: "0 miembros.", 1: "1 miembro.", 2: "2 miembros."}),
        ("fr", {0: "0 membre.", 1: "1 membre.", 2: "2 membres."}),
        ("en", {0: "0 members.", 1: "1 member.", 2: "2 members."}),
    ],
)
def test_the_group_roster_counts_members_in_each_language(
    language: str, counts: dict[int, str]
) -> None:
    from django.template import Context, Template

    template = Template(
        "{% load i18n %}{% blocktranslate trimmed count counter=n %}{{ counter }} member."
        "{% plural %}{{ counter }} members.{% endblocktranslate %}"
    )
    with translation.override(language):
        for n, expected in counts.items():
            assert template.render(Context({"n": n})) == expected


def test_the_recovery_code_count_reads_right_for_one_and_many(participant: Person) -> None:
    from django.template.loader import render_to_string

    with translation.override("fr"):
        one = render_to_string(
            "mfa/recovery_codes/index.html",
            {"unused_codes": ["a"], "total_count": 1, "user": participant},
        )
        many = render_to_string(
            "mfa/recovery_codes/index.html",
            {"unused_codes": ["a", "b"], "total_count": 10, "user": participant},
        )
    assert "Il reste 1 code sur 1." in one
    assert "Il reste 2 codes sur 10." in many


# --- e-mails and notifications ----------------------------------------------------------------


def test_an_invitation_goes_out_in_the_organisation_language(
    organisation: Organisation,
    program_admin: Person,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    organisation.default_language = "es"
    organisation.save(update_fields=["default_language"])
    # The admin reads English; the invited person gets the organisation's language.
    client = speaking(program_admin, "en")

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        client.post(reverse("invite"), {"email": "nia@acme.test", "roles": [Role.PARTICIPANT]})

    [message] = mail.outbox
    assert message.subject == "Te invitan a Acme en Bridgework"
    assert "te invitó a unirte a Acme en Bridgework" in str(message.body)


def test_a_notification_is_written_in_each_recipient_language(
    organisation: Organisation, community_group: CommunityGroup, committed: Committed
) -> None:
    spanish = make_person(organisation, "es@acme.test", "Elena", {Role.PARTICIPANT})
    french = make_person(organisation, "fr@acme.test", "Fanny", {Role.PARTICIPANT})
    speaking(spanish, "es")
    speaking(french, "fr")
    inviter = make_person(organisation, "admin2@acme.test", "Ada", {Role.PROGRAM_ADMIN})

    from bridgework.accounts import services

    with committed():
        services.invite_to_group(group=community_group, person=spanish, invited_by=inviter)
        services.invite_to_group(group=community_group, person=french, invited_by=inviter)

    assert Notification.objects.get(person=spanish).summary.startswith(
        "Te invitan a un grupo de la comunidad."
    )
    assert Notification.objects.get(person=french).summary.startswith(
        "Vous êtes invité·e dans un groupe de la communauté."
    )


def test_the_digest_reaches_a_french_speaker_in_french(
    participant: Person, committed: Committed
) -> None:
    speaking(participant, "fr")
    DigestPreference.objects.create(person=participant, frequency="daily")
    with committed():
        notify(person=participant, kind="other", summary="zz-one", url="/a")
        notify(person=participant, kind="other", summary="zz-two", url="/b")

    assert send_digests.enqueue().return_value == 1

    [message] = mail.outbox
    assert (
        message.subject == "Bridgework\N{NO-BREAK SPACE}: 2 nouveautés pour vous dans la communauté"
    )
    assert "Voici ce qui est nouveau pour vous dans la communauté Bridgework" in str(message.body)
    assert "- Du nouveau pour vous (2)\n" in str(message.body)


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_plural_message_has_each_plural_form_its_language_needs(language: str) -> None:
    """Spanish and French have three (one, a million-like "many", other): a message with
    two is dropped when compiled, and the page falls back to English for any count past one."""
    import re
    from pathlib import Path

    import polib

    import bridgework

    path = Path(bridgework.__file__).parent / "locale" / language / "LC_MESSAGES" / "django.po"
    catalog = polib.pofile(str(path))
    match = re.search(r"nplurals=(\d+)", catalog.metadata["Plural-Forms"])
    assert match is not None
    forms = int(match.group(1))
    short = [
        entry.msgid for entry in catalog if entry.msgid_plural and len(entry.msgstr_plural) != forms
    ]
    assert short == []
    with translation.override(language):
        three = translation.ngettext(
            "%(counter)s new notification", "%(counter)s new notifications", 3
        )
    assert three != "%(counter)s new notifications"
