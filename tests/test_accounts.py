"""People and organisations: invitations, CSV import, roles, profiles, groups, tenancy, demo."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.accounts import services
from bridgework.accounts.demo import DEMO_PEOPLE, create_demo
from bridgework.accounts.forms import MAX_CSV_BYTES
from bridgework.accounts.models import (
    CommunityGroup,
    DataKey,
    GroupInvitation,
    GroupMembership,
    Invitation,
    Organisation,
    Person,
    PrivateProfile,
    Role,
)

from .conftest import PASSWORD, client_for

NEW_PASSWORD = "a-long-unusual-passphrase"
PRIVATE = "I laughed along with a joke about my colleague's accent and want to do better"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # allauth keeps its per-address limits in the cache, which outlives each test.
    cache.clear()


def sign_in(email: str, password: str) -> Client:
    """The real sign-in form, as a person would use it."""
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": password})
    return client


def is_signed_in_as(client: Client, person: Person) -> bool:
    return str(client.session.get("_auth_user_id")) == str(person.pk)


def messages_on(response: object) -> list[str]:
    return [str(message) for message in response.context["messages"]]  # type: ignore[attr-defined]


def token_in(message: mail.EmailMessage) -> str:
    match = re.search(r"/invitation/([^/\s]+)/", str(message.body))
    assert match, message.body
    return match.group(1)


# --- Invitations --------------------------------------------------------------------------------


def test_inviting_someone_emails_them_the_accept_link(
    program_admin: Person, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    client = client_for(program_admin)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        response = client.post(
            reverse("invite"),
            {"email": "Nia@Acme.test", "chosen_name": "Nia", "roles": [Role.FACILITATOR]},
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["nia@acme.test"]
    invitation = Invitation.objects.get(email="nia@acme.test")
    assert Invitation.find_pending(token_in(message)) == invitation
    assert invitation.roles == [Role.FACILITATOR]
    assert invitation.invited_by == program_admin


def test_the_invitation_email_carries_nothing_sensitive(
    program_admin: Person, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    services.save_intention(person=program_admin, intention=PRIVATE)
    client = client_for(program_admin)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        client.post(reverse("invite"), {"email": "nia@acme.test", "roles": [Role.PARTICIPANT]})

    [message] = mail.outbox
    invitation = Invitation.objects.get(email="nia@acme.test")
    everything = f"{message.subject}\n{message.body}"
    assert PRIVATE not in everything
    assert program_admin.email not in everything
    assert invitation.token_hash not in everything
    assert PASSWORD not in everything


def test_only_a_hash_of_the_invitation_token_is_stored(
    pending_invitation: tuple[Invitation, str],
) -> None:
    invitation, token = pending_invitation

    assert token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_accepting_an_invitation_creates_the_person_with_the_invited_roles_and_signs_them_in(
    organisation: Organisation, program_admin: Person
) -> None:
    invitation, token = Invitation.build(
        organisation=organisation,
        email="nia@acme.test",
        chosen_name="Nia",
        roles=[Role.FACILITATOR, Role.PARTICIPANT],
        invited_by=program_admin,
    )
    invitation.save()
    client = Client()

    assert client.get(reverse("accept_invitation", args=[token])).status_code == 200
    response = client.post(
        reverse("accept_invitation", args=[token]),
        {
            "chosen_name": "Nia Newcomer",
            "pronouns": "she/her",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    person = Person.objects.get(email="nia@acme.test")
    assert person.organisation == organisation
    assert person.chosen_name == "Nia Newcomer"
    assert person.pronouns == "she/her"
    assert person.role_set() == {Role.FACILITATOR, Role.PARTICIPANT}
    assert person.check_password(NEW_PASSWORD)
    assert is_signed_in_as(client, person)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def expire(invitation: Invitation) -> None:
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()


def revoke(invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save()


def use(invitation: Invitation) -> None:
    invitation.accepted_at = timezone.now()
    invitation.save()


@pytest.mark.parametrize("spoil", [expire, revoke, use], ids=["expired", "revoked", "used"])
def test_a_spoiled_invitation_link_shows_the_no_longer_works_page(
    pending_invitation: tuple[Invitation, str], spoil: Callable[[Invitation], None]
) -> None:
    invitation, token = pending_invitation
    spoil(invitation)
    client = Client()

    shown = client.get(reverse("accept_invitation", args=[token]))
    posted = client.post(
        reverse("accept_invitation", args=[token]),
        {"chosen_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    for response in (shown, posted):
        assert response.status_code == 404
        assert "This invitation link no longer works" in response.content.decode()
    assert not Person.objects.filter(email=invitation.email).exists()


def test_an_unknown_invitation_token_shows_the_no_longer_works_page(db: None) -> None:
    response = Client().get(reverse("accept_invitation", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "no longer works" in response.content.decode()


def test_an_invitation_link_works_only_once(pending_invitation: tuple[Invitation, str]) -> None:
    _, token = pending_invitation
    form = {"chosen_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert Client().post(reverse("accept_invitation", args=[token]), form).status_code == 302

    again = Client().post(reverse("accept_invitation", args=[token]), form)

    assert again.status_code == 404
    assert Person.objects.filter(email="new@acme.test").count() == 1


def test_an_admin_withdrawing_an_invitation_stops_its_link(
    program_admin: Person, pending_invitation: tuple[Invitation, str]
) -> None:
    invitation, token = pending_invitation

    client_for(program_admin).post(reverse("revoke_invitation", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Client().get(reverse("accept_invitation", args=[token])).status_code == 404


def test_an_admin_sends_an_invitation_again_with_a_new_link_and_a_fresh_expiry(
    program_admin: Person,
    pending_invitation: tuple[Invitation, str],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    invitation, old_token = pending_invitation
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    client = client_for(program_admin)
    people = client.get(reverse("people")).content.decode()
    assert "Send again" in people and 'href="#pending-invitations"' in people

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        response = client.post(reverse("resend_invitation", args=[invitation.pk]))

    assert response.status_code == 302
    assert f"Invitation sent again to {invitation.email}" in " ".join(
        messages_on(client.get("/people/"))
    )
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=settings.INVITATION_DAYS - 1)
    [sent] = [message for message in mail.outbox if invitation.email in message.to]
    new_token = sent.body.split("/invitation/")[1].split("/")[0]
    assert new_token != old_token
    assert Client().get(reverse("accept_invitation", args=[old_token])).status_code == 404
    assert Client().get(reverse("accept_invitation", args=[new_token])).status_code == 200


def test_a_withdrawn_invitation_is_not_sent_again(
    program_admin: Person, pending_invitation: tuple[Invitation, str]
) -> None:
    invitation, _ = pending_invitation
    client = client_for(program_admin)
    client.post(reverse("revoke_invitation", args=[invitation.pk]))
    mail.outbox.clear()

    client.post(reverse("resend_invitation", args=[invitation.pk]))

    assert "no longer pending" in " ".join(messages_on(client.get("/people/")))
    assert mail.outbox == []


def invite_answer(client: Client, email: str) -> tuple[int, str, list[str]]:
    """What an admin learns from inviting `email`: the status, where it leads, the messages."""
    response = client.post(reverse("invite"), {"email": email, "roles": [Role.PARTICIPANT]})
    followed = client.get(response["Location"]) if response.status_code == 302 else response
    shown = [message.replace(email, "ADDRESS") for message in messages_on(followed)]
    return response.status_code, response.get("Location", ""), shown


def test_inviting_someone_with_an_account_elsewhere_answers_as_for_a_new_address(
    program_admin: Person, stranger: Person
) -> None:
    client = client_for(program_admin)

    elsewhere = invite_answer(client, stranger.email)
    nowhere = invite_answer(client, "nobody-yet@globex.test")

    assert elsewhere == nowhere
    assert elsewhere[0] == 302
    assert Invitation.objects.filter(
        organisation=program_admin.organisation, email=stranger.email
    ).exists()


def test_inviting_someone_already_in_the_organisation_is_refused(
    program_admin: Person, participant: Person
) -> None:
    response = client_for(program_admin).post(
        reverse("invite"), {"email": participant.email.upper(), "roles": [Role.PARTICIPANT]}
    )

    assert response.status_code == 200
    assert "already has an account here" in response.content.decode()


def test_a_csv_with_someone_from_another_organisation_imports_as_for_a_new_address(
    program_admin: Person, stranger: Person
) -> None:
    data = f"email,name\n{stranger.email},Sid\nnobody-yet@globex.test,Nobody\n".encode()

    response = client_for(program_admin).post(
        reverse("import_csv"),
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )

    assert response.status_code == 302
    assert set(
        Invitation.objects.filter(organisation=program_admin.organisation).values_list(
            "email", flat=True
        )
    ) == {stranger.email, "nobody-yet@globex.test"}


def test_someone_with_an_account_elsewhere_is_told_so_when_accepting(
    program_admin: Person, stranger: Person
) -> None:
    invitation, token = Invitation.build(
        organisation=program_admin.organisation,  # type: ignore[arg-type]
        email=stranger.email,
        chosen_name="",
        roles=[Role.PARTICIPANT],
        invited_by=program_admin,
    )
    invitation.save()

    response = Client().post(
        f"/invitation/{token}/",
        {"chosen_name": "Sid", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert "already exists. Sign in instead." in response.content.decode()
    assert Person.objects.filter(email__iexact=stranger.email).count() == 1


# --- CSV import ---------------------------------------------------------------------------------


def upload(client: Client, data: bytes, name: str = "people.csv") -> object:
    return client.post(
        reverse("import_csv"), {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def test_a_good_csv_invites_everyone_in_it(
    program_admin: Person, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    data = (
        b"email,name,roles\n"
        b"ana@example.com,Ana,participant\n"
        b"Lee@Example.com,Lee,participant;facilitator\n"
        b"kim@example.com,,\n"
    )

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        response = upload(client_for(program_admin), data)

    assert response.status_code == 302  # type: ignore[attr-defined]
    invited = {
        invitation.email: invitation.roles
        for invitation in Invitation.objects.filter(organisation=program_admin.organisation)
    }
    assert invited == {
        "ana@example.com": [Role.PARTICIPANT],
        "lee@example.com": sorted([Role.PARTICIPANT, Role.FACILITATOR]),
        "kim@example.com": [Role.PARTICIPANT],
    }
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(invited)


@pytest.mark.parametrize("separator", [b";", b"\t"])
def test_a_spreadsheets_semicolons_or_tabs_work_as_well_as_commas(
    separator: bytes, program_admin: Person
) -> None:
    """Spreadsheets in many European languages save "CSV" with semicolons."""
    lines = [[b"Email", b"Name", b"Roles"], [b"ana@example.com", b"Ana, M.", b"participant"]]
    lines.append([b"lee@example.com", b"Lee", b"participant,facilitator"])
    data = b"\r\n".join(separator.join(line) for line in lines)

    response = upload(client_for(program_admin), data)

    assert response.status_code == 302  # type: ignore[attr-defined]
    invited = {
        invitation.email: (invitation.chosen_name, invitation.roles)
        for invitation in Invitation.objects.filter(organisation=program_admin.organisation)
    }
    assert invited == {
        "ana@example.com": ("Ana, M.", [Role.PARTICIPANT]),
        "lee@example.com": ("Lee", sorted([Role.PARTICIPANT, Role.FACILITATOR])),
    }


def test_a_csv_with_bad_rows_lists_every_problem_by_line_and_invites_nobody(
    program_admin: Person,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    data = (
        b"email,name,roles\n"
        b"ana@example.com,Ana,participant\n"  # line 2: fine
        b"not-an-email,Bad,participant\n"  # line 3: bad e-mail
        b"lee@example.com,Lee,wizard\n"  # line 4: unknown role
        b"ANA@example.com,Ana again,participant\n"  # line 5: duplicate of line 2
    )
    invitations_before = Invitation.objects.count()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        response = upload(client_for(program_admin), data)

    assert response.status_code == 400  # type: ignore[attr-defined]
    errors: list[str] = response.context["errors"]  # type: ignore[attr-defined]
    by_line = {int(re.match(r"Line (\d+):", error).group(1)): error for error in errors}  # type: ignore[union-attr]
    assert sorted(by_line) == [3, 4, 5]
    assert "not-an-email" in by_line[3]
    assert "wizard" in by_line[4]
    assert "line 2" in by_line[5]
    page = response.content.decode()  # type: ignore[attr-defined]
    for line in by_line:
        assert f"Line {line}:" in page
    assert "Nothing was imported" in page
    assert Invitation.objects.count() == invitations_before
    assert mail.outbox == []


def test_a_csv_that_lists_people_already_here_or_invited_invites_the_rest(
    program_admin: Person,
    participant: Person,
    pending_invitation: tuple[Invitation, str],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    """HR's export, uploaded again with a few new names: the new ones are invited."""
    invitation, _ = pending_invitation
    data = (
        "email,name,roles\n"
        f"{participant.email.upper()},Pat,participant\n"
        f"{invitation.email},Nia,participant\n"
        "new@example.com,New Person,participant\n"
    ).encode()
    client = client_for(program_admin)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        response = upload(client, data)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    said = client.get(response["Location"]).content.decode()  # type: ignore[index]
    assert (
        "1 invitation sent. 1 person already has an account here and was left as is. "
        "1 person already had a pending invitation, not sent again."
    ) in said
    # The new invitation, with the name typed for it, is found by a search for that name.
    found = client.get(reverse("people"), {"q": "New Person"}).content.decode()
    assert "new@example.com" in found and "New Person" in found
    assert "the pending invitations that do are below" in found


def test_a_csv_of_people_all_here_already_says_so_and_sends_nothing(
    program_admin: Person, participant: Person
) -> None:
    client = client_for(program_admin)
    response = upload(client, f"email\n{participant.email}\n".encode())

    assert response.status_code == 302  # type: ignore[attr-defined]
    said = client.get(response["Location"]).content.decode()  # type: ignore[index]
    assert "0 invitations sent. 1 person already has an account here" in said
    assert mail.outbox == []


def test_a_csv_that_is_not_utf8_gets_a_clear_message(program_admin: Person) -> None:
    data = "email,name\nzoe@example.com,Zoë Ångström\n".encode("cp1252")

    response = upload(client_for(program_admin), data)

    assert response.status_code == 400  # type: ignore[attr-defined]
    [error] = response.context["errors"]  # type: ignore[attr-defined]
    assert "UTF-8" in error
    assert Invitation.objects.count() == 0


def test_a_csv_without_a_header_row_gets_a_clear_message(program_admin: Person) -> None:
    data = b"ana@example.com,Ana,participant\n"

    response = upload(client_for(program_admin), data)

    assert response.status_code == 400  # type: ignore[attr-defined]
    [error] = response.context["errors"]  # type: ignore[attr-defined]
    assert "header row" in error
    assert "email" in error
    assert Invitation.objects.count() == 0


def test_a_too_large_csv_is_rejected_next_to_the_file_field(program_admin: Person) -> None:
    row = b"someone@example.com,Someone,participant\n"
    data = b"email,name,roles\n" + row * (MAX_CSV_BYTES // len(row) + 1)

    response = upload(client_for(program_admin), data)

    form = response.context["form"]  # type: ignore[attr-defined]
    assert "larger than 1 MB" in " ".join(form.errors["file"])
    page = response.content.decode()  # type: ignore[attr-defined]
    error_block = re.search(
        r'<div class="field__errors" id="id_file_error">(.*?)</div>', page, re.S
    )
    assert error_block and "larger than 1 MB" in error_block.group(1)
    assert Invitation.objects.count() == 0


# --- Roles and access ---------------------------------------------------------------------------


def test_an_admin_changes_someones_roles(program_admin: Person, participant: Person) -> None:
    response = client_for(program_admin).post(
        reverse("person_detail", args=[participant.pk]),
        {"roles": [Role.PARTICIPANT, Role.FACILITATOR]},
    )

    assert response.status_code == 302
    assert Person.objects.get(pk=participant.pk).role_set() == {Role.PARTICIPANT, Role.FACILITATOR}


def test_an_admin_cannot_remove_their_own_admin_role(program_admin: Person) -> None:
    response = client_for(program_admin).post(
        reverse("person_detail", args=[program_admin.pk]), {"roles": [Role.PARTICIPANT]}
    )

    assert response.status_code == 200
    assert "can't remove your own program admin role" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert Person.objects.get(pk=program_admin.pk).role_set() == {Role.PROGRAM_ADMIN}


def test_another_admin_can_remove_an_admin_role(
    organisation: Organisation, program_admin: Person
) -> None:
    second = services.create_person(
        organisation=organisation,
        email="ola@acme.test",
        chosen_name="Ola",
        password=PASSWORD,
        roles={Role.PROGRAM_ADMIN},
    )

    client_for(second).post(
        reverse("person_detail", args=[program_admin.pk]), {"roles": [Role.PARTICIPANT]}
    )

    assert Person.objects.get(pk=program_admin.pk).role_set() == {Role.PARTICIPANT}


def test_the_real_sign_in_form_signs_an_active_person_in(participant: Person) -> None:
    client = sign_in(participant.email, PASSWORD)

    assert is_signed_in_as(client, participant)


def test_deactivating_someone_blocks_their_sign_in_and_ends_their_session(
    program_admin: Person, participant: Person
) -> None:
    their_session = client_for(participant)

    response = client_for(program_admin).post(
        reverse("set_person_active", args=[participant.pk]), {"active": "no"}
    )

    assert response.status_code == 302
    participant.refresh_from_db()
    assert not participant.is_active
    assert participant.deactivated_at is not None
    assert not is_signed_in_as(sign_in(participant.email, PASSWORD), participant)
    assert their_session.get(reverse("profile")).status_code == 302  # sent to sign in


def test_reactivating_someone_lets_them_sign_in_again(
    program_admin: Person, deactivated: Person
) -> None:
    client_for(program_admin).post(
        reverse("set_person_active", args=[deactivated.pk]), {"active": "yes"}
    )

    assert is_signed_in_as(sign_in(deactivated.email, PASSWORD), deactivated)


def test_an_admin_cannot_deactivate_themselves(program_admin: Person) -> None:
    response = client_for(program_admin).post(
        reverse("set_person_active", args=[program_admin.pk]), {"active": "no"}, follow=True
    )

    assert "can't deactivate yourself" in " ".join(messages_on(response))
    assert Person.objects.get(pk=program_admin.pk).is_active


# --- Profile ------------------------------------------------------------------------------------


def save_profile(client: Client, **fields: str) -> object:
    form = {"chosen_name": "Pat Participant", "pronouns": "", "intention": ""}
    form.update(fields)
    return client.post(reverse("profile"), form)


def test_a_person_edits_their_chosen_name_and_pronouns(participant: Person) -> None:
    response = save_profile(client_for(participant), chosen_name="Patricia", pronouns="she/her")

    assert response.status_code == 302  # type: ignore[attr-defined]
    participant.refresh_from_db()
    assert participant.chosen_name == "Patricia"
    assert participant.pronouns == "she/her"
    assert participant.display_name == "Patricia (she/her)"


def test_an_empty_name_is_rejected_with_a_message_next_to_the_field(participant: Person) -> None:
    response = save_profile(client_for(participant), chosen_name="   ")

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.context["form"].errors["chosen_name"]  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert re.search(r'<div class="field__errors" id="id_chosen_name_error">\s*<p>.+?</p>', page)
    participant.refresh_from_db()
    assert participant.chosen_name == "Pat Participant"


def test_pronouns_are_optional(participant: Person) -> None:
    participant.pronouns = "they/them"
    participant.save()

    response = save_profile(client_for(participant), chosen_name="Pat", pronouns="")

    assert response.status_code == 302  # type: ignore[attr-defined]
    participant.refresh_from_db()
    assert participant.pronouns == ""
    assert participant.display_name == "Pat"


def test_the_private_intention_is_saved_encrypted_and_shown_back_to_its_owner(
    participant: Person,
) -> None:
    client = client_for(participant)

    save_profile(client, intention=PRIVATE)

    profile = PrivateProfile.objects.get(person=participant)
    with connection.cursor() as cursor:
        cursor.execute("SELECT intention FROM accounts_privateprofile WHERE id = %s", [profile.pk])
        [stored] = cursor.fetchone()
    assert stored.startswith("bw1:")
    assert "accent" not in stored
    assert PRIVATE in html.unescape(client.get(reverse("profile")).content.decode())


def test_an_admin_never_sees_someones_private_intention(
    program_admin: Person, participant: Person
) -> None:
    save_profile(client_for(participant), intention=PRIVATE)
    admin = client_for(program_admin)

    pages = [
        admin.get(reverse("person_detail", args=[participant.pk])),
        admin.get(reverse("people")),
        admin.get(reverse("home")),
    ]
    search = admin.get(reverse("people") + "?q=accent")

    for page in pages:
        assert page.status_code == 200
        assert "accent" not in page.content.decode()
    # Searching for words of the intention finds nobody: it is not searchable by others.
    assert participant.chosen_name not in search.content.decode()
    assert PRIVATE not in html.unescape(search.content.decode())


def test_one_persons_profile_page_shows_only_their_own_intention(
    participant: Person, facilitator: Person
) -> None:
    save_profile(client_for(participant), intention=PRIVATE)

    page = client_for(facilitator).get(reverse("profile")).content.decode()

    assert "accent" not in page


# --- Community groups: see test_groups.py ------------------------------------------------------


# --- Tenancy ------------------------------------------------------------------------------------


def test_an_admin_of_another_organisation_gets_404_for_this_organisations_objects(
    stranger: Person,
    participant: Person,
    community_group: CommunityGroup,
    pending_invitation: tuple[Invitation, str],
) -> None:
    invitation, _ = pending_invitation
    client = client_for(stranger)

    responses = {
        "person": client.get(reverse("person_detail", args=[participant.pk])),
        "person roles": client.post(
            reverse("person_detail", args=[participant.pk]), {"roles": [Role.PROGRAM_ADMIN]}
        ),
        "deactivate": client.post(
            reverse("set_person_active", args=[participant.pk]), {"active": "no"}
        ),
        "group": client.get(reverse("manage_group", args=[community_group.pk])),
        "invite into group": client.post(
            reverse("invite_to_group", args=[community_group.pk]), {"email": stranger.email}
        ),
        "group members": client.get(reverse("group_roster", args=[community_group.pk])),
        "join group": client.post(reverse("join_group", args=[community_group.pk])),
        "revoke invitation": client.post(reverse("revoke_invitation", args=[invitation.pk])),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 404)
    participant.refresh_from_db()
    invitation.refresh_from_db()
    assert participant.is_active
    assert participant.role_set() == {Role.PARTICIPANT}
    assert invitation.is_pending
    assert not GroupMembership.objects.filter(person=stranger).exists()
    assert not GroupInvitation.objects.exists()


def test_another_organisations_people_list_never_shows_this_organisations_people(
    cast: object, pending_invitation: tuple[Invitation, str]
) -> None:
    acme_people = Person.objects.filter(organisation=pending_invitation[0].organisation)
    client = client_for(cast.stranger)  # type: ignore[attr-defined]

    pages = [
        client.get(reverse("people")).content.decode(),
        client.get(reverse("people") + "?q=acme").content.decode(),
        client.get(reverse("people") + "?q=a").content.decode(),
    ]

    for page in pages:
        for person in acme_people:
            assert person.email not in page
            assert person.chosen_name not in page
        assert pending_invitation[0].email not in page
    assert cast.stranger.email in pages[0]  # type: ignore[attr-defined]


def test_the_people_list_pages_by_name_and_keeps_the_search(
    program_admin: Person, organisation: Organisation
) -> None:
    Person.objects.bulk_create(
        Person(
            organisation=organisation, email=f"m{n:02}@example.org", chosen_name=f"Member {n:02}"
        )
        for n in range(60)
    )
    client = client_for(program_admin)
    first = client.get(reverse("people"), {"q": "member"})
    rows = list(first.context["page"])
    assert [p.chosen_name for p in rows] == [f"Member {n:02}" for n in range(50)]
    html = first.content.decode()
    assert "People in <bdi>Acme</bdi>, <bdi>Member 00</bdi> to <bdi>Member 49</bdi>" in html
    assert f'href="?after={rows[-1].pk}&amp;q=member">Next page</a>' in html

    second = client.get(reverse("people"), {"q": "member", "after": rows[-1].pk})
    assert [p.chosen_name for p in second.context["page"]] == [
        f"Member {n:02}" for n in range(50, 60)
    ]
    html = second.content.decode()
    assert f'href="?before={second.context["page"].object_list[0].pk}&amp;q=member">' in html
    assert "Next page" not in html


# --- Demo ---------------------------------------------------------------------------------------


DEMO_PASSWORD = "demo-river-stone"


@pytest.fixture
def demo(db: None, settings: object) -> Organisation:
    settings.DEMO_PASSWORD = DEMO_PASSWORD  # type: ignore[attr-defined]
    return create_demo()


def named_demo_people(organisation: Organisation) -> QuerySet[Person]:
    """The demo's sign-ins; apps may add generated people who cannot sign in (insights)."""
    emails = [email for _, email, *_ in DEMO_PEOPLE]
    return Person.objects.filter(organisation=organisation, email__in=emails)


def positions_in(organisation: Organisation) -> list[tuple[frozenset[str], int]]:
    return [
        (person.role_set(), person.community_groups.count())
        for person in named_demo_people(organisation)
    ]


def test_the_demo_has_one_person_in_each_position(demo: Organisation) -> None:
    positions = positions_in(demo)

    def count(matches: Callable[[frozenset[str], int], bool]) -> int:
        return sum(1 for roles, groups in positions if matches(roles, groups))

    assert demo.is_demo
    assert len(positions) == 5
    assert count(lambda r, g: r == {Role.PARTICIPANT} and g == 0) == 1
    assert count(lambda r, g: Role.FACILITATOR in r) == 1
    assert count(lambda r, g: Role.PROGRAM_ADMIN in r) == 1
    assert count(lambda r, g: not r and g > 0) == 1
    assert count(lambda r, g: r == {Role.PARTICIPANT} and g > 0) == 1
    groups = CommunityGroup.objects.in_organisation(demo)
    assert {group.open_to_join for group in groups} == {True, False}


def test_everyone_in_the_demo_signs_in_with_the_demo_password(demo: Organisation) -> None:
    for person in named_demo_people(demo):
        cache.clear()
        assert is_signed_in_as(sign_in(person.email, DEMO_PASSWORD), person)


def test_creating_the_demo_again_keeps_the_existing_one(demo: Organisation) -> None:
    before = Person.objects.filter(organisation=demo).count()
    again = create_demo()

    assert again == demo
    assert Organisation.objects.filter(is_demo=True).count() == 1
    assert Person.objects.filter(organisation=demo).count() == before
    assert named_demo_people(demo).count() == 5


def test_resetting_the_demo_recreates_it_from_scratch(demo: Organisation) -> None:
    original = {
        person.email: person.chosen_name for person in Person.objects.filter(organisation=demo)
    }
    renamed = Person.objects.filter(organisation=demo).first()
    assert renamed is not None
    renamed.chosen_name = "Changed During The Demo"
    renamed.save()
    extra = services.create_person(
        organisation=demo,
        email="visitor@example.com",
        chosen_name="Visitor",
        password=PASSWORD,
        roles={Role.PARTICIPANT},
    )
    services.save_intention(person=extra, intention=PRIVATE)
    extra_key = DataKey.objects.get(person=extra).pk

    fresh = create_demo(reset=True)

    assert fresh.pk != demo.pk
    assert not Organisation.objects.filter(pk=demo.pk).exists()
    assert Organisation.objects.filter(is_demo=True).count() == 1
    assert {
        person.email: person.chosen_name for person in Person.objects.filter(organisation=fresh)
    } == original
    assert not Person.objects.filter(email="visitor@example.com").exists()
    assert not DataKey.objects.filter(pk=extra_key).exists()
    assert len(positions_in(fresh)) == 5


def test_resetting_the_demo_leaves_other_organisations_alone(
    demo: Organisation, participant: Person
) -> None:
    create_demo(reset=True)

    assert Person.objects.filter(pk=participant.pk).exists()
