"""Two-step sign-in (allauth.mfa) and the organisation's MFA policy: who must set up a second
factor after a password sign-in, and that it is then asked for at every password sign-in.

TOTP codes are computed from the secret the person enrolled, as their app would. The clock
is fixed and moved on by a TOTP period between codes, because a code is accepted only once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bridgework.accounts.demo import create_demo
from bridgework.accounts.models import Organisation, Person, Role, SettingsChange
from bridgework.accounts.settings_sections import sections
from bridgework.security.models import MFAPolicy, must_use_mfa

from .conftest import PASSWORD, client_for, invite

HOME = reverse("home")
SET_UP = reverse("mfa_required")
SECOND_STEP = reverse("mfa_authenticate")
SECURITY = reverse("security_settings")


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def next_period(clock: time_machine.Traveller) -> None:
    clock.shift(timedelta(seconds=31))


def sign_in(client: Client, person: Person) -> str:
    """Sign in with the password; answer where the browser is sent next."""
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def signed_in_with_password(person: Person) -> Client:
    client = Client()
    sign_in(client, person)
    return client


def enrol_authenticator_app(client: Client) -> pyotp.TOTP:
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    app = pyotp.TOTP(page.context["form"].secret)
    response = client.post(reverse("mfa_activate_totp"), {"code": app.now()})
    assert response.status_code == 302, response.content.decode()
    return app


def confirm_password(client: Client) -> None:
    """What allauth asks before someone changes their factors on their own initiative."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def recovery_codes(person: Person) -> list[str]:
    codes = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    unused: list[str] = codes.wrap().get_unused_codes()
    return unused


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("profile")).status_code == 200


@pytest.mark.django_db
def test_a_program_admin_without_mfa_sets_it_up_before_anything_else(
    program_admin: Person,
) -> None:
    client = signed_in_with_password(program_admin)

    for page in (HOME, reverse("profile"), reverse("organisation_settings"), SECURITY):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == SET_UP, page
    explanation = client.get(SET_UP).content.decode()
    assert "<bdi>Acme</bdi> asks people with your role" in explanation
    assert reverse("mfa_activate_totp") in explanation
    assert reverse("mfa_add_webauthn") in explanation
    # The pages to set a factor up, and signing out, stay open.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200


@pytest.mark.django_db
def test_an_htmx_request_is_sent_to_the_set_up_page_as_a_whole_page(
    program_admin: Person,
) -> None:
    client = signed_in_with_password(program_admin)

    response = client.get(reverse("profile"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == SET_UP


@pytest.mark.django_db
def test_after_enrolling_an_app_the_admin_carries_on_and_is_asked_at_every_sign_in(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    client = signed_in_with_password(program_admin)
    app = enrol_authenticator_app(client)
    assert client.get(HOME).status_code == 200
    assert len(recovery_codes(program_admin)) == 10
    client.post(reverse("account_logout"))

    next_period(clock)
    assert sign_in(client, program_admin) == SECOND_STEP
    assert not is_signed_in(client)
    wrong = client.post(SECOND_STEP, {"code": "000000" if app.now() != "000000" else "111111"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert not is_signed_in(client)
    assert client.post(SECOND_STEP, {"code": app.now()}).status_code == 302
    assert is_signed_in(client)


@pytest.mark.django_db
def test_the_same_app_code_is_not_accepted_twice(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    app = enrol_authenticator_app(signed_in_with_password(program_admin))
    next_period(clock)
    code = app.now()
    first, second = Client(), Client()
    sign_in(first, program_admin)
    sign_in(second, program_admin)

    first.post(SECOND_STEP, {"code": code})
    second.post(SECOND_STEP, {"code": code})

    assert is_signed_in(first)
    assert not is_signed_in(second)


@pytest.mark.django_db
def test_an_app_code_is_spent_for_every_server_process_not_only_the_one_that_took_it(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    """allauth remembers a used code in the cache, which each gunicorn worker keeps on its
    own: cleared here, as another worker would see it, the code is still refused."""
    app = enrol_authenticator_app(signed_in_with_password(program_admin))
    next_period(clock)
    code = app.now()
    first, second = Client(), Client()
    sign_in(first, program_admin)
    first.post(SECOND_STEP, {"code": code})
    assert is_signed_in(first)

    cache.clear()
    sign_in(second, program_admin)
    refused = second.post(SECOND_STEP, {"code": code})

    assert "Incorrect code" in refused.content.decode()
    assert not is_signed_in(second)
    next_period(clock)
    assert second.post(SECOND_STEP, {"code": app.now()}).status_code == 302


@pytest.mark.django_db
def test_each_recovery_code_signs_in_once(program_admin: Person) -> None:
    enrol_authenticator_app(signed_in_with_password(program_admin))
    code, other_code = recovery_codes(program_admin)[:2]

    first = Client()
    sign_in(first, program_admin)
    first.post(SECOND_STEP, {"code": code})
    assert is_signed_in(first)

    again = Client()
    sign_in(again, program_admin)
    again.post(SECOND_STEP, {"code": code})
    assert not is_signed_in(again)
    again.post(SECOND_STEP, {"code": other_code})
    assert is_signed_in(again)
    assert code not in recovery_codes(program_admin)
    assert len(recovery_codes(program_admin)) == 8


@pytest.mark.django_db
def test_facilitators_must_set_up_mfa_only_when_the_organisation_asks(
    facilitator: Person, program_admin: Person, organisation: Organisation
) -> None:
    assert signed_in_with_password(facilitator).get(HOME).status_code == 200

    MFAPolicy.objects.create(organisation=organisation, program_admins=True, facilitators=True)

    assert signed_in_with_password(facilitator).get(HOME)["Location"] == SET_UP


@pytest.mark.django_db
def test_participants_are_never_asked(participant: Person, organisation: Organisation) -> None:
    MFAPolicy.objects.create(organisation=organisation, program_admins=True, facilitators=True)

    assert signed_in_with_password(participant).get(HOME).status_code == 200


@pytest.mark.django_db
def test_program_admins_are_not_asked_when_the_organisation_turns_the_requirement_off(
    program_admin: Person, organisation: Organisation
) -> None:
    MFAPolicy.objects.create(organisation=organisation, program_admins=False, facilitators=False)

    assert signed_in_with_password(program_admin).get(HOME).status_code == 200


@pytest.mark.django_db
def test_someone_who_set_up_mfa_by_choice_is_asked_for_it_whatever_the_policy(
    participant: Person, clock: time_machine.Traveller
) -> None:
    client = signed_in_with_password(participant)
    assert client.get(reverse("mfa_activate_totp")).status_code == 302  # not required: confirm
    confirm_password(client)
    app = enrol_authenticator_app(client)
    next_period(clock)
    client = Client()

    assert sign_in(client, participant) == SECOND_STEP
    client.post(SECOND_STEP, {"code": app.now()})
    assert is_signed_in(client)


@pytest.mark.django_db
def test_someone_who_must_use_mfa_cannot_turn_off_their_only_app(program_admin: Person) -> None:
    client = signed_in_with_password(program_admin)
    enrol_authenticator_app(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=program_admin, type="totp").exists()


@pytest.mark.django_db
def test_someone_who_must_use_mfa_cannot_remove_their_last_key(program_admin: Person) -> None:
    first, second = (
        Authenticator.objects.create(
            user=program_admin, type=Authenticator.Type.WEBAUTHN, data={"name": name}
        )
        for name in ("Laptop", "Phone")
    )
    client = client_for(program_admin)
    confirm_password(client)

    client.post(reverse("mfa_remove_webauthn", kwargs={"pk": first.pk}))
    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": second.pk}))

    assert response["Location"] == reverse("mfa_list_webauthn")
    keys = Authenticator.objects.filter(user=program_admin)
    assert list(keys.values_list("pk", flat=True)) == [second.pk]


@pytest.mark.django_db
def test_someone_elses_security_key_is_a_404(participant: Person, facilitator: Person) -> None:
    key = Authenticator.objects.create(
        user=participant, type=Authenticator.Type.WEBAUTHN, data={"name": "Pat's key"}
    )
    client = signed_in_with_password(facilitator)
    confirm_password(client)

    for name in ("mfa_remove_webauthn", "mfa_edit_webauthn"):
        assert client.get(reverse(name, kwargs={"pk": key.pk})).status_code == 404
        assert client.post(reverse(name, kwargs={"pk": key.pk})).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


@pytest.mark.django_db
def test_the_program_admin_changes_the_policy_and_each_change_is_audited(
    program_admin: Person, organisation: Organisation
) -> None:
    client = client_for(program_admin)
    page = client.get(SECURITY).content.decode()
    assert "Program admins must use MFA" in page and 'aria-current="page">Security' in page

    response = client.post(SECURITY, {"program_admins": "on", "facilitators": "on"})

    assert response.status_code == 302
    policy = MFAPolicy.objects.get(organisation=organisation)
    assert policy.program_admins and policy.facilitators
    changes = SettingsChange.objects.filter(organisation=organisation)
    assert [(c.setting, c.changed_by) for c in changes] == [
        ("Facilitators must use MFA", program_admin)
    ]
    client.post(SECURITY, {"program_admins": "on", "facilitators": "on"})
    assert changes.count() == 1  # saving without a change audits nothing


@pytest.mark.django_db
def test_a_new_organisation_requires_mfa_of_program_admins_alone(
    organisation: Organisation,
) -> None:
    policy = MFAPolicy.objects.for_organisation(organisation)

    assert policy.program_admins and not policy.facilitators


def test_security_is_a_section_of_the_organisation_settings() -> None:
    assert [section.label for section in sections()] == [
        "General",
        "Sign-in",
        "Security",
        "Provisioning",
        "Slack",
        "Microsoft Teams",
    ]


@pytest.mark.django_db
def test_the_demo_program_admin_signs_in_with_the_printed_password_alone(
    settings: object,
) -> None:
    settings.DEMO_PASSWORD = PASSWORD  # type: ignore[attr-defined]
    demo = create_demo()
    admin = Person.objects.get(organisation=demo, email="admin@example.com")

    client = signed_in_with_password(admin)

    assert client.get(HOME).status_code == 200
    assert not MFAPolicy.objects.for_organisation(demo).applies_to(admin)


@pytest.mark.django_db
def test_an_unreadable_security_key_answer_is_bad_input_not_a_server_error() -> None:
    response = Client().post(reverse("mfa_login_webauthn"), {"credential": "9" * 5000})

    assert response.status_code < 500


def test_an_admin_who_accepts_an_invitation_is_asked_for_a_second_factor_at_once(
    organisation: Organisation, program_admin: Person
) -> None:
    """Accepting an invitation signs the new person in with the password they just chose:
    a program admin, whom the organisation requires to use MFA, is sent to set it up before
    any admin page, as after any sign-in with a password."""
    _, token = invite(program_admin, "nia@example.com", roles=[Role.PROGRAM_ADMIN], name="Nia")
    client = Client()
    accepted = client.post(
        reverse("accept_invitation", args=[token]),
        {"chosen_name": "Nia", "pronouns": "", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert accepted.status_code == 302
    assert must_use_mfa(Person.objects.get(email="nia@example.com"))
    for page in ("people", "insights", "sso_settings"):
        assert client.get(reverse(page))["Location"] == SET_UP, page


def test_five_wrong_codes_in_five_minutes_stop_the_guessing_even_for_the_right_one(
    program_admin: Person, clock: time_machine.Traveller
) -> None:
    """Whoever has someone's password reaches the second step: a code is one of a million,
    and unlimited guesses would find one within hours. After five wrong ones in five
    minutes every code is refused, the right one too, until the five minutes have passed;
    then the right code signs in as usual."""
    app = enrol_authenticator_app(signed_in_with_password(program_admin))
    next_period(clock)
    attacker = Client()
    assert sign_in(attacker, program_admin) == reverse("mfa_authenticate")
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != app.now()][:5]
    for code in wrong:
        answer = attacker.post(reverse("mfa_authenticate"), {"code": code})
        assert "Incorrect code" in answer.content.decode()

    refused = attacker.post(reverse("mfa_authenticate"), {"code": app.now()})
    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
    assert attacker.get(reverse("profile")).status_code == 302

    clock.shift(timedelta(minutes=5, seconds=1))
    assert sign_in(attacker, program_admin) == reverse("mfa_authenticate")
    assert attacker.post(reverse("mfa_authenticate"), {"code": app.now()}).status_code == 302
    assert attacker.get(reverse("profile")).status_code == 200
