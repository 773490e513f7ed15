"""SCIM 2.0 at /scim/v2/<organisation>/: who may call it, what it takes from an identity
provider, and how it refuses bad input without changing anything."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework.accounts.models import (
    CommunityGroup,
    GroupMembership,
    Organisation,
    Person,
    Role,
    SettingsChange,
)
from bridgework.accounts.services import invite_to_group
from bridgework.cohorts import services as cohort_services
from bridgework.jobs.models import OutgoingEmail
from bridgework.provisioning import scim as scim_storage
from bridgework.provisioning import services
from bridgework.provisioning.forms import NewTokenForm
from bridgework.provisioning.models import ProvisioningToken
from bridgework.provisioning.scim import MAX_PAGE_SIZE
from bridgework.reflection.services import send_note
from bridgework.sso.models import IdentityProvider

from .conftest import PASSWORD, make_person
from .test_accounts import is_signed_in_as, sign_in

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """An identity provider holding a token, calling one organisation's SCIM base."""

    def __init__(self, organisation: Organisation, secret: str) -> None:
        self.base = f"/scim/v2/{organisation.slug}"
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body) if body is not None else ""
        response = self.client.generic(
            method, self.base + path, data, content_type="application/scim+json"
        )
        assert response["Content-Type"] == "application/scim+json"
        body = json.loads(response.content) if response.content else None
        response.json_body = body  # type: ignore[attr-defined]
        return response


def token_for(organisation: Organisation, admin: Person) -> str:
    return ProvisioningToken.issue(organisation=organisation, name="Okta", created_by=admin)[1]


@pytest.fixture
def scim(organisation: Organisation, program_admin: Person) -> Scim:
    return Scim(organisation, token_for(organisation, program_admin))


def new_user(email: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER], "userName": email, "active": True, **extra}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def assert_error(response: Any, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.content
    assert response.json_body["schemas"] == [ERROR]
    assert response.json_body["status"] == str(status)
    assert response.json_body.get("scimType") == scim_type


# -- Who may call it ------------------------------------------------------------------------


def test_it_answers_only_a_token_of_the_organisation_whose_base_it_is(
    organisation: Organisation,
    other_organisation: Organisation,
    program_admin: Person,
    stranger: Person,
) -> None:
    ours = token_for(organisation, program_admin)
    theirs = token_for(other_organisation, stranger)
    assert Scim(organisation, ours).call("GET", "/Users").status_code == 200
    for caller in (
        Scim(organisation, theirs),  # another organisation's token
        Scim(organisation, "bwscim_not-a-token"),
        Scim(Organisation(slug="nowhere"), ours),  # an address that does not exist
    ):
        response = caller.call("GET", "/Users")
        assert_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert_error(Scim(organisation, "").call("GET", "/ServiceProviderConfig"), 401)


def test_a_signed_in_program_admin_session_is_not_enough(program_admin: Person) -> None:
    client = Client()
    client.force_login(program_admin)
    response = client.get("/scim/v2/acme/Users")
    assert response.status_code == 401
    response = client.post(
        "/scim/v2/acme/Users", json.dumps(new_user("x@acme.example")), "application/scim+json"
    )
    assert response.status_code == 401
    assert not Person.objects.filter(email="x@acme.example").exists()


def test_a_revoked_token_stops_working_at_once(
    scim: Scim, organisation: Organisation, program_admin: Person
) -> None:
    assert scim.call("GET", "/Users").status_code == 200
    ProvisioningToken.objects.get().revoke()
    assert_error(scim.call("GET", "/Users"), 401)


def test_a_token_records_when_it_was_last_used(scim: Scim) -> None:
    assert ProvisioningToken.objects.get().last_used_at is None
    scim.call("GET", "/ServiceProviderConfig")
    assert ProvisioningToken.objects.get().last_used_at is not None


def test_it_needs_no_csrf_token_and_makes_no_session(scim: Scim) -> None:
    scim.client = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=scim.client.defaults["HTTP_AUTHORIZATION"]
    )
    response = scim.call("POST", "/Users", new_user("nia@acme.example"))
    assert response.status_code == 201
    assert "sessionid" not in response.cookies


# -- Users ----------------------------------------------------------------------------------


def test_it_creates_a_person_from_a_name_and_an_e_mail_address_only(
    scim: Scim, organisation: Organisation
) -> None:
    response = scim.call(
        "POST",
        "/Users",
        new_user(
            "Nia.New@Acme.example",
            name={"givenName": "Nia", "familyName": "New", "honorificPrefix": "Dr"},
            title="Director",
            locale="en-GB",
            phoneNumbers=[{"value": "+44 20 7946 0000", "type": "work"}],
            externalId="00u1",
        ),
    )
    assert response.status_code == 201
    assert response["Location"].endswith(f"/scim/v2/acme/Users/{response.json_body['id']}")
    person = Person.objects.get(pk=response.json_body["id"])
    assert (person.email, person.chosen_name, person.organisation) == (
        "nia.new@acme.example",
        "Nia New",
        organisation,
    )
    assert person.role_set() == {Role.PARTICIPANT}
    assert not person.has_usable_password()
    shown = response.json_body
    assert {key for key in shown if key not in {"schemas", "id", "meta"}} == {
        "userName",
        "name",
        "displayName",
        "emails",
        "active",
        "externalId",  # the identity provider's own identifier for them, kept and returned
    }
    assert shown["externalId"] == "00u1"


def test_a_duplicate_user_name_is_a_409_whatever_its_case(scim: Scim, participant: Person) -> None:
    assert_error(scim.call("POST", "/Users", new_user("PAT@acme.test")), 409, "uniqueness")
    assert Person.objects.count() == 2


def test_an_address_in_another_organisations_domain_is_refused_for_its_domain_alone(
    scim: Scim, stranger: Person
) -> None:
    """Not "already taken": whether that one person has an account is not this
    organisation's to learn, so an unknown address in the domain gets the same answer."""
    elsewhere = stranger.organisation
    assert elsewhere is not None
    elsewhere.email_domains = [stranger.email.rpartition("@")[2]]
    elsewhere.save()
    domain = elsewhere.email_domains[0]
    answers = [
        scim.call("POST", "/Users", new_user(address))
        for address in (stranger.email, f"nobody-{stranger.pk}@{domain}")
    ]
    for response in answers:
        assert_error(response, 400, "invalidValue")
    assert answers[0].json_body == answers[1].json_body


def refused_for_a_claimed_domain(scim: Scim, stranger: Person) -> Any:
    """The answer for an address in a domain the stranger's organisation has claimed,
    which is refused for its domain alone, whoever has an account."""
    elsewhere = stranger.organisation
    assert elsewhere is not None
    elsewhere.email_domains = ["globex.example"]
    elsewhere.save()
    return scim.call("POST", "/Users", new_user("nobody@globex.example"))


def test_an_address_with_an_account_in_another_organisation_is_not_said_to_be_taken(
    scim: Scim, stranger: Person
) -> None:
    """Addresses are unique across the instance, so the account cannot be made; but "already
    taken" would tell the token's holder that the address has an account somewhere else.
    The refusal is word for word the one for an address in another organisation's domain,
    which does not depend on anyone having an account."""
    assert stranger.organisation is not None
    assert not stranger.organisation.email_domains  # an unclaimed domain, such as gmail.com

    refused = scim.call("POST", "/Users", new_user(stranger.email.upper()))

    assert_error(refused, 400, "invalidValue")
    assert "taken" not in refused.json_body["detail"]
    assert refused.json_body == refused_for_a_claimed_domain(scim, stranger).json_body
    assert Person.objects.get(email__iexact=stranger.email) == stranger


def test_an_address_given_elsewhere_meanwhile_is_refused_in_the_same_words(
    scim: Scim, stranger: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests at once: the address was free when looked for, and the account's own
    uniqueness stops the second. The answer still does not say where the address went."""
    storage = scim_storage.OrganisationStorage
    check = storage._check_address_is_free_here
    looked: list[str] = []

    def free_the_first_time(self: Any, email: str, **kwargs: Any) -> None:
        looked.append(email)
        if len(looked) > 1:
            check(self, email, **kwargs)

    monkeypatch.setattr(storage, "_check_address_is_free_here", free_the_first_time)

    refused = scim.call("POST", "/Users", new_user(stranger.email))

    assert len(looked) == 2
    assert_error(refused, 400, "invalidValue")
    assert refused.json_body == refused_for_a_claimed_domain(scim, stranger).json_body


def test_moving_someone_to_an_address_with_an_account_elsewhere_is_not_said_to_be_taken(
    scim: Scim, stranger: Person
) -> None:
    created = scim.call("POST", "/Users", new_user("sam@acme.example"))

    refused = scim.call("PUT", f"/Users/{created.json_body['id']}", new_user(stranger.email))

    assert_error(refused, 400, "invalidValue")
    assert refused.json_body == refused_for_a_claimed_domain(scim, stranger).json_body
    assert Person.objects.get(pk=created.json_body["id"]).email == "sam@acme.example"


def test_moving_someone_to_a_colleagues_address_is_still_a_409(
    scim: Scim, participant: Person
) -> None:
    """Inside the organisation the clash is the token holder's own people: identity
    providers read 409 uniqueness as "find and link the one you have"."""
    created = scim.call("POST", "/Users", new_user("sam@acme.example"))
    refused = scim.call("PUT", f"/Users/{created.json_body['id']}", new_user(participant.email))
    assert_error(refused, 409, "uniqueness")


def given_meanwhile(
    monkeypatch: pytest.MonkeyPatch, organisation: Organisation, email: str
) -> list[str]:
    """Another request gives `email` to someone of `organisation` after this one found it
    free and before it saves: the first check passes and then the address is taken; any
    later check is the real one. The addresses looked for are returned."""
    storage = scim_storage.OrganisationStorage
    check = storage._check_address_is_free_here
    looked: list[str] = []

    def taken_after_the_first_look(self: Any, address: str, **kwargs: Any) -> None:
        looked.append(address)
        if len(looked) > 1:
            check(self, address, **kwargs)
            return
        make_person(organisation, email, "Quick Colleague", {Role.PARTICIPANT})

    monkeypatch.setattr(storage, "_check_address_is_free_here", taken_after_the_first_look)
    return looked


def test_a_user_given_an_address_taken_by_a_colleague_meanwhile_is_a_409(
    scim: Scim, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two creations racing for one address: the second is answered as if the address had
    been taken before it looked, never with a 500."""
    looked = given_meanwhile(monkeypatch, organisation, "sam@acme.example")

    refused = scim.call("POST", "/Users", new_user("sam@acme.example"))

    assert len(looked) == 2
    assert_error(refused, 409, "uniqueness")
    assert refused.json_body["detail"] == "This userName is already taken."
    assert not Person.objects.filter(email="sam@acme.example").exists()


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_moving_someone_to_an_address_taken_by_a_colleague_meanwhile_is_a_409_and_moves_nothing(
    scim: Scim,
    organisation: Organisation,
    participant: Person,
    monkeypatch: pytest.MonkeyPatch,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    method: str,
) -> None:
    """The person's address is checked free, then a colleague is given it before the save:
    the database's uniqueness stops the save and the answer is the usual 409, word for word.
    Nothing of the move is left half-done: the sign-in address, and the word to the old
    address, go with it."""
    signs_in_through_okta(participant)  # so that the directory may move the address
    old = participant.email
    looked = given_meanwhile(monkeypatch, organisation, "pat.new@acme.test")
    body = (
        new_user("pat.new@acme.test")
        if method == "PUT"
        else patch({"op": "replace", "path": "userName", "value": "pat.new@acme.test"})
    )

    with django_capture_on_commit_callbacks(execute=True):
        refused = scim.call(method, f"/Users/{participant.pk}", body)

    assert len(looked) == 2
    assert_error(refused, 409, "uniqueness")
    assert refused.json_body["detail"] == "This userName is already taken."
    participant.refresh_from_db()
    assert participant.email == old
    assert EmailAddress.objects.get(user=participant).email == old
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()
    # The request stood on its own: the next one moves the address as usual.
    monkeypatch.undo()
    moved = scim.call(method, f"/Users/{participant.pk}", body)
    assert moved.status_code in {200, 204}, moved.content
    participant.refresh_from_db()
    assert participant.email == "pat.new@acme.test"


def test_it_finds_a_person_by_user_name_and_nobody_elsewhere(
    scim: Scim, participant: Person, stranger: Person
) -> None:
    found = scim.call("GET", '/Users?filter=userName eq "Pat@acme.test"').json_body
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == str(participant.pk)
    elsewhere = scim.call("GET", f'/Users?filter=userName eq "{stranger.email}"').json_body
    assert elsewhere["totalResults"] == 0
    assert elsewhere.get("Resources", []) == []


def test_another_organisations_person_is_a_404_and_stays_as_they_were(
    scim: Scim, stranger: Person
) -> None:
    path = f"/Users/{stranger.pk}"
    assert_error(scim.call("GET", path), 404)
    assert_error(
        scim.call("PATCH", path, patch({"op": "replace", "value": {"active": False}})), 404
    )
    assert_error(scim.call("PUT", path, new_user(stranger.email, active=False)), 404)
    assert_error(scim.call("DELETE", path), 404)
    stranger.refresh_from_db()
    assert stranger.is_active


def test_it_pages_and_caps_the_page_size(
    scim: Scim, organisation: Organisation, program_admin: Person
) -> None:
    for number in range(5):
        make_person(organisation, f"p{number}@acme.example", f"P{number}", {Role.PARTICIPANT})
    page = scim.call("GET", "/Users?startIndex=2&count=2").json_body
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (6, 2, 2)
    everyone = scim.call("GET", "/Users?count=1000000").json_body
    assert everyone["itemsPerPage"] == 6
    config = scim.call("GET", "/ServiceProviderConfig").json_body
    assert config["filter"] == {"supported": True, "maxResults": MAX_PAGE_SIZE}


def test_entra_ids_capitalised_path_less_replace_deactivates_and_reactivates(
    scim: Scim, participant: Person
) -> None:
    path = f"/Users/{participant.pk}"
    response = scim.call("PATCH", path, patch({"op": "Replace", "value": {"active": False}}))
    assert response.status_code == 204  # done, and nothing asked back
    participant.refresh_from_db()
    assert not participant.is_active
    assert participant.deactivated_at is not None
    scim.call("PATCH", path, patch({"op": "Replace", "path": "active", "value": "True"}))
    participant.refresh_from_db()
    assert participant.is_active


def test_deactivating_ends_the_persons_sessions_and_keeps_their_data(
    scim: Scim, participant: Person
) -> None:
    browser = sign_in(participant.email, PASSWORD)
    assert is_signed_in_as(browser, participant)
    assert browser.get("/").status_code == 200
    scim.call("DELETE", f"/Users/{participant.pk}")
    assert browser.get("/")["Location"].startswith("/accounts/login/")
    participant.refresh_from_db()
    assert not participant.is_active
    # Reactivated, they sign in afresh: the old session does not come back to life.
    scim.call(
        "PATCH",
        f"/Users/{participant.pk}",
        patch({"op": "replace", "path": "active", "value": True}),
    )
    assert browser.get("/")["Location"].startswith("/accounts/login/")
    assert is_signed_in_as(sign_in(participant.email, PASSWORD), participant)


def test_replace_changes_the_name_and_the_address(scim: Scim) -> None:
    created = scim.call("POST", "/Users", new_user("pat@acme.example"))
    response = scim.call(
        "PUT",
        f"/Users/{created.json_body['id']}",
        new_user("pat.p@acme.example", name={"formatted": "Pat Parker"}),
    )
    assert response.status_code == 200
    person = Person.objects.get(pk=created.json_body["id"])
    assert (person.email, person.chosen_name) == ("pat.p@acme.example", "Pat Parker")
    assert EmailAddress.objects.get(user=person).email == "pat.p@acme.example"


def test_the_address_of_someone_who_signs_in_with_a_password_stays_theirs(
    scim: Scim, participant: Person, mailoutbox: list[Any]
) -> None:
    """Otherwise the token's holder could point the account at an address of theirs and
    reset its password."""
    answer = scim.call(
        "PUT",
        f"/Users/{participant.pk}",
        new_user("taken.over@elsewhere.example", name={"formatted": "Pat Parker"}),
    )
    # The rest of the update applies; the answer shows the address as it stays.
    assert answer.status_code == 200
    assert answer.json_body["userName"] == "pat@acme.test"
    participant.refresh_from_db()
    assert (participant.email, participant.chosen_name) == ("pat@acme.test", "Pat Parker")
    assert EmailAddress.objects.get(user=participant).email == "pat@acme.test"

    Client().post("/accounts/password/reset/", {"email": "taken.over@elsewhere.example"})
    sent = [mail.body for mail in mailoutbox if "taken.over@elsewhere.example" in mail.to]
    assert not [body for body in sent if "/password/reset/key/" in body]


def signs_in_through_okta(person: Person) -> None:
    """The person has signed in without a password, through the organisation's provider."""
    person.set_unusable_password()
    person.last_login = timezone.now()
    person.save(update_fields=["password", "last_login"])
    assert person.organisation is not None
    IdentityProvider.objects.create(
        organisation=person.organisation,
        display_name="Okta",
        oidc_server_url="https://acme.okta.example",
        oidc_client_id="bridgework",
    )


def test_someone_who_signs_in_through_the_provider_follows_it_and_is_never_given_a_password(
    scim: Scim,
    participant: Person,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Their address follows the identity provider; but "Forgot your password?" at it never
    gives the account a first password, or a token holder who changed the address would
    have their spaces and journal."""
    signs_in_through_okta(participant)
    answer = scim.call("PUT", f"/Users/{participant.pk}", new_user("taken.over@elsewhere.example"))
    assert answer.json_body["userName"] == "taken.over@elsewhere.example"

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "taken.over@elsewhere.example"})
    [sent] = [mail for mail in mailoutbox if "taken.over@elsewhere.example" in mail.to]
    assert "/password/reset/key/" not in sent.body
    assert "Your account has no password" in sent.body
    participant.refresh_from_db()
    assert not participant.has_usable_password()


def test_the_old_address_hears_when_the_directory_moves_an_account_in_use(
    scim: Scim,
    participant: Person,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Reminders and notices follow the new address: the old one is told, so a token holder
    who moved it to an inbox of their own is not the only one who knows."""
    signs_in_through_okta(participant)
    old = participant.email
    with django_capture_on_commit_callbacks(execute=True):
        scim.call("PUT", f"/Users/{participant.pk}", new_user("pat.new@acme.test"))

    [told] = mailoutbox
    assert told.to == [old] and "pat.new@acme.test" in told.body
    assert told.subject == "Your Bridgework address was changed"


def test_without_a_provider_the_address_of_an_account_in_use_stays_theirs(
    scim: Scim, participant: Person
) -> None:
    """No provider (removed since they last signed in through it): a reset is their way
    back in, so their address is not the token holder's to change."""
    participant.set_unusable_password()
    participant.last_login = timezone.now()
    participant.save(update_fields=["password", "last_login"])
    answer = scim.call("PUT", f"/Users/{participant.pk}", new_user("taken.over@elsewhere.example"))
    assert answer.json_body["userName"] == "pat@acme.test"


def test_someone_provisioned_who_never_signed_in_sets_a_first_password(
    scim: Scim, mailoutbox: list[Any]
) -> None:
    scim.call("POST", "/Users", new_user("pat.new@acme.example"))
    Client().post("/accounts/password/reset/", {"email": "pat.new@acme.example"})
    [sent] = [mail for mail in mailoutbox if "pat.new@acme.example" in mail.to]
    assert "/password/reset/key/" in sent.body


def addressed_to(person: Person, what: str, *, group: CommunityGroup, colleague: Person) -> None:
    """Something given to a person before they have ever signed in."""
    if what == "group invitation":
        GroupMembership.objects.create(group=group, person=colleague, added_by="self", is_lead=True)
        invite_to_group(group=group, person=person, invited_by=colleague)
    else:
        send_note(sender=colleague, recipient=person, kind="recognition", text="Thank you")


@pytest.mark.parametrize("what", ["group invitation", "note", "nothing yet"])
def test_an_address_moved_before_the_first_sign_in_gets_no_first_password(
    what: str,
    scim: Scim,
    community_group: CommunityGroup,
    facilitator: Person,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The first password is set from the address the account was made for. A token holder
    who moved it to an inbox of their own would otherwise be let in to the group, or read
    the note, in its owner's name; and the answer is the same whatever the account holds,
    so it does not tell them whether someone invited the person or wrote to them."""
    created = scim.call("POST", "/Users", new_user("sam@acme.example"))
    sam = Person.objects.get(pk=created.json_body["id"])
    if what != "nothing yet":
        addressed_to(sam, what, group=community_group, colleague=facilitator)

    answer = scim.call("PUT", f"/Users/{sam.pk}", new_user("taken.over@elsewhere.example"))

    assert answer.json_body["userName"] == "taken.over@elsewhere.example"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "taken.over@elsewhere.example"})
    [sent] = [mail for mail in mailoutbox if "taken.over@elsewhere.example" in mail.to]
    assert "/password/reset/key/" not in sent.body
    assert "Your account has no password" in sent.body


def test_a_new_address_never_stops_a_deactivation(scim: Scim, participant: Person) -> None:
    """An identity provider renaming and offboarding someone in one request."""
    answer = scim.call(
        "PUT", f"/Users/{participant.pk}", new_user("pat.new@acme.test", active=False)
    )
    assert answer.status_code == 200
    participant.refresh_from_db()
    assert not participant.is_active


# -- Groups ---------------------------------------------------------------------------------


def test_the_groups_are_the_two_roles_and_never_community_groups(
    scim: Scim, facilitator: Person, program_admin: Person, group_member: Person
) -> None:
    groups = scim.call("GET", "/Groups").json_body
    assert {(g["id"], g["displayName"]) for g in groups["Resources"]} == {
        ("facilitators", "Facilitators"),
        ("program-admins", "Program admins"),
    }
    members = {g["id"]: [m["value"] for m in g.get("members", [])] for g in groups["Resources"]}
    assert members == {
        "facilitators": [str(facilitator.pk)],
        "program-admins": [str(program_admin.pk)],
    }
    found = scim.call("GET", '/Groups?filter=displayName eq "facilitators"').json_body
    assert [g["id"] for g in found["Resources"]] == ["facilitators"]
    assert_error(
        scim.call(
            "POST",
            "/Groups",
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Disability Network",
            },
        ),
        400,
        "invalidValue",
    )
    assert_error(scim.call("DELETE", "/Groups/facilitators"), 400, "mutability")


def test_adding_and_removing_a_member_grants_and_revokes_the_role(
    scim: Scim, participant: Person
) -> None:
    add = patch({"op": "Add", "path": "members", "value": [{"value": str(participant.pk)}]})
    assert scim.call("PATCH", "/Groups/facilitators", add).status_code in {200, 204}
    assert Person.objects.get(pk=participant.pk).role_set() == {Role.PARTICIPANT, Role.FACILITATOR}
    # Entra ID removes with a value; Okta with a filter in the path.
    remove = patch({"op": "Remove", "path": "members", "value": [{"value": str(participant.pk)}]})
    assert scim.call("PATCH", "/Groups/facilitators", remove).status_code in {200, 204}
    assert Person.objects.get(pk=participant.pk).role_set() == {Role.PARTICIPANT}


def test_a_member_from_another_organisation_changes_nothing(
    scim: Scim, participant: Person, stranger: Person
) -> None:
    add = patch(
        {
            "op": "add",
            "path": "members",
            "value": [{"value": str(participant.pk)}, {"value": str(stranger.pk)}],
        }
    )
    assert_error(scim.call("PATCH", "/Groups/facilitators", add), 400, "invalidValue")
    assert not Person.objects.get(pk=participant.pk).is_facilitator
    assert stranger.role_set() == {Role.PROGRAM_ADMIN, Role.PARTICIPANT}


def test_the_last_program_admin_cannot_be_removed(scim: Scim, program_admin: Person) -> None:
    remove = patch({"op": "remove", "path": f'members[value eq "{program_admin.pk}"]'})
    assert_error(scim.call("PATCH", "/Groups/program-admins", remove), 400, "invalidValue")
    assert Person.objects.get(pk=program_admin.pk).is_program_admin


# -- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        (b"{not json", 400, "invalidSyntax"),
        (b"[]", 400, "invalidSyntax"),
        (new_user("eve@acme.example", favouriteColour="blue"), 400, "invalidSyntax"),
        (new_user("not an address"), 400, "invalidValue"),
        ({"schemas": [USER]}, 400, "invalidValue"),
    ],
)
def test_bad_bodies_get_a_scim_error_and_create_nobody(
    scim: Scim, body: Any, status: int, scim_type: str
) -> None:
    before = Person.objects.count()
    assert_error(scim.call("POST", "/Users", body), status, scim_type)
    assert Person.objects.count() == before


def test_a_huge_body_is_refused_unread(scim: Scim, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    response = scim.call("POST", "/Users", new_user("big@acme.example", displayName="x" * 5_000))
    assert response.status_code == 413
    assert response.json_body["schemas"] == [ERROR]
    assert not Person.objects.filter(email="big@acme.example").exists()


@pytest.mark.parametrize(
    "scim_filter",
    [
        'userName eq "a" or userName pr',
        'userName co "@"',
        'userName eq "x") or (1 eq 1',
        'userName eq "x\'; DROP TABLE accounts_person; --" or',
        'title eq "Director"',
    ],
)
def test_filters_other_than_user_name_eq_are_refused(
    scim: Scim, participant: Person, scim_filter: str
) -> None:
    response = scim.call("GET", f"/Users?filter={scim_filter}")
    assert_error(response, 400, "invalidFilter")


def test_an_injected_filter_value_is_only_a_value(scim: Scim, participant: Person) -> None:
    response = scim.call("GET", "/Users?filter=userName eq \"x' OR '1'='1\"")
    assert response.json_body["totalResults"] == 0
    assert Person.objects.filter(pk=participant.pk).exists()


def test_an_unknown_patch_path_changes_nothing(scim: Scim, participant: Person) -> None:
    body = patch(
        {"op": "replace", "path": "displayName", "value": "Someone Else"},
        {"op": "replace", "path": "socialSecurityNumber", "value": "1"},
    )
    assert scim.call("PATCH", f"/Users/{participant.pk}", body).status_code == 400
    participant.refresh_from_db()
    assert participant.chosen_name == "Pat Participant"


# -- Cost -----------------------------------------------------------------------------------


def queries_for(scim: Scim, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert scim.call("GET", path).status_code == 200
    return len(captured)


def test_the_user_list_costs_the_same_for_5_and_80_people(
    scim: Scim, organisation: Organisation
) -> None:
    for number in range(5):
        make_person(organisation, f"s{number}@acme.example", f"S{number}", {Role.PARTICIPANT})
    small = queries_for(scim, "/Users")
    for number in range(75):
        make_person(organisation, f"l{number}@acme.example", f"L{number}", {Role.PARTICIPANT})
    large = queries_for(scim, "/Users")
    # The token (read, then its last-used time), a savepoint around the request and its
    # release, one page of people and their number.
    assert small == large == 6
    assert queries_for(scim, "/Groups") == 5


# -- The settings page ----------------------------------------------------------------------


def test_a_program_admin_makes_a_token_sees_it_once_and_revokes_it(
    program_admin: Person, organisation: Organisation
) -> None:
    admin = Client()
    admin.force_login(program_admin)
    page = admin.post("/settings/provisioning/", {"name": "Entra ID"})
    secret = page.context["new_secret"]
    assert secret.startswith("bwscim_") and secret in page.content.decode()
    token = ProvisioningToken.objects.get()
    assert secret not in token.token_hash
    assert secret not in admin.get("/settings/provisioning/").content.decode()
    assert Scim(organisation, secret).call("GET", "/Users").status_code == 200
    admin.post(f"/settings/provisioning/{token.pk}/revoke")
    assert_error(Scim(organisation, secret).call("GET", "/Users"), 401)
    trail = list(SettingsChange.objects.order_by("pk").values_list("setting", flat=True))
    assert trail == ["Provisioning token made: Entra ID", "Provisioning token revoked: Entra ID"]
    assert all(secret not in entry for entry in trail)


def test_revoking_a_token_asks_first(program_admin: Person, organisation: Organisation) -> None:
    admin = Client()
    admin.force_login(program_admin)
    secret = admin.post("/settings/provisioning/", {"name": "Okta"}).context["new_secret"]
    token = ProvisioningToken.objects.get()
    revoke = f"/settings/provisioning/{token.pk}/revoke"
    assert f'href="{revoke}"' in admin.get("/settings/provisioning/").content.decode()

    asked = admin.get(revoke).content.decode()

    assert "Revoke the token “<bdi>Okta</bdi>”?" in asked
    assert "This cannot be undone." in asked
    assert 'href="/settings/provisioning/">Keep it</a>' in asked
    assert Scim(organisation, secret).call("GET", "/Users").status_code == 200
    response = admin.post(revoke, follow=True)
    assert "The token “Okta” is revoked; it no longer works." in response.content.decode()
    assert_error(Scim(organisation, secret).call("GET", "/Users"), 401)
    # From a page opened before: said, not a dead end.
    again = admin.post(revoke, follow=True)
    assert "The token “Okta” was revoked already." in again.content.decode()


def test_a_new_token_may_not_take_the_name_of_one_in_use_whatever_its_case(
    program_admin: Person, organisation: Organisation
) -> None:
    admin = Client()
    admin.force_login(program_admin)
    admin.post("/settings/provisioning/", {"name": "Entra ID"})

    page = admin.post("/settings/provisioning/", {"name": "  ENTRA id "})

    assert page.context["new_secret"] is None
    assert page.context["form"].errors["name"] == [
        "A token named “Entra ID” already exists. Revoke it first, or choose another name."
    ]
    assert 'aria-invalid="true"' in page.content.decode()
    assert ProvisioningToken.objects.count() == 1
    # Revoked, its name is free again; another organisation's tokens are no concern.
    ProvisioningToken.objects.get().revoke()
    assert admin.post("/settings/provisioning/", {"name": "Entra ID"}).context["new_secret"]
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    ProvisioningToken.issue(organisation=other, name="Okta", created_by=program_admin)
    assert admin.post("/settings/provisioning/", {"name": "Okta"}).context["new_secret"]


def test_reloading_the_page_that_showed_a_new_token_makes_no_second_one(
    program_admin: Person, organisation: Organisation
) -> None:
    """The page that shows a new token answers its form's POST; a reload sends it again."""
    admin = Client()
    admin.force_login(program_admin)
    first = admin.post("/settings/provisioning/", {"name": "Okta"})
    secret = first.context["new_secret"]

    again = admin.post("/settings/provisioning/", {"name": "Okta"}).content.decode()

    assert "A token named “Okta” already exists. Revoke it first, or choose another name." in again
    assert "Your new token" not in again and secret not in again
    assert ProvisioningToken.objects.count() == 1


def test_an_admin_who_loses_the_race_for_a_name_gets_the_form_error_not_a_500(
    program_admin: Person, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins submit the same name at the same instant: both forms find the name free,
    the database keeps one token, and the second admin is told as if they had been later."""
    make_token = services.make_token

    def another_admin_was_quicker(**arguments: Any) -> Any:
        ProvisioningToken.issue(organisation=organisation, name="OKTA", created_by=program_admin)
        return make_token(**arguments)

    monkeypatch.setattr(services, "make_token", another_admin_was_quicker)
    admin = Client()
    admin.force_login(program_admin)

    page = admin.post("/settings/provisioning/", {"name": "Okta"})

    assert page.status_code == 200
    assert page.context["new_secret"] is None
    assert page.context["form"].errors["name"] == [
        "A token named “OKTA” already exists. Revoke it first, or choose another name."
    ]
    assert list(ProvisioningToken.objects.values_list("name", flat=True)) == ["OKTA"]
    assert not SettingsChange.objects.exists()


# Pairs of names, and whether the second may be used while the first is in use.
NAME_PAIRS = [
    ("Okta", "OKTA", False),
    ("Entra ID", "entra id", False),
    ("Équipe RH", "équipe rh", False),  # beyond ASCII, which SQLite's lower() leaves alone
    ("Straße", "STRASSE", False),  # case folding, not mere lower case
    ("Okta", " okta ", False),  # the form strips spaces before it compares
    ("Okta", "Okta 2", True),
    ("Entra ID", "EntraID", True),
]


@pytest.mark.parametrize(("first", "second", "allowed"), NAME_PAIRS)
def test_the_database_refuses_a_duplicate_name_exactly_when_the_form_does(
    program_admin: Person, organisation: Organisation, first: str, second: str, allowed: bool
) -> None:
    ProvisioningToken.issue(organisation=organisation, name=first, created_by=program_admin)
    assert NewTokenForm({"name": second}, organisation=organisation).is_valid() is allowed

    if allowed:
        ProvisioningToken.issue(organisation=organisation, name=second, created_by=program_admin)
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            ProvisioningToken.issue(
                organisation=organisation, name=second, created_by=program_admin
            )


def test_the_database_lets_a_revoked_name_be_used_again_and_other_organisations_alone(
    program_admin: Person, organisation: Organisation
) -> None:
    first, _ = ProvisioningToken.issue(
        organisation=organisation, name="Okta", created_by=program_admin
    )
    first.revoke()
    ProvisioningToken.issue(organisation=organisation, name="okta", created_by=program_admin)
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    ProvisioningToken.issue(organisation=other, name="OKTA", created_by=program_admin)
    assert ProvisioningToken.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_a_clashing_token_in_use_so_that_it_keeps_working(
    organisation: Organisation,
) -> None:
    """Tokens made before the database held the rule may clash; the constraint is added
    anyway, without revoking anything an identity provider uses."""
    before = [("provisioning", "0002_external_identity")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_token = executor.loader.project_state(before).apps.get_model(
        "provisioning", "ProvisioningToken"
    )
    for number, (name, revoked) in enumerate(
        [("Okta", False), ("okta", True), ("OKTA", False), ("Okta (2)", False), ("Entra", False)]
    ):
        old_token.objects.create(
            organisation_id=organisation.pk,
            name=name,
            token_hash=f"hash-{number}",
            created_at=timezone.now() + timedelta(seconds=number),
            revoked_at=timezone.now() if revoked else None,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    tokens = ProvisioningToken.objects.order_by("created_at")
    assert [(t.name, t.name_key, t.revoked_at is None) for t in tokens] == [
        ("Okta", "okta", True),
        ("okta", "okta", False),
        ("OKTA (2)", "okta (2)", True),
        ("Okta (2) (2)", "okta (2) (2)", True),
        ("Entra", "entra", True),
    ]


def test_the_external_id_is_kept_returned_replaced_and_cleared(
    scim: Scim, organisation: Organisation
) -> None:
    created = scim.call("POST", "/Users", new_user("kim@acme.test", externalId="00u-kim"))
    path = f"/Users/{created.json_body['id']}"
    assert scim.call("GET", path).json_body["externalId"] == "00u-kim"
    listed = scim.call("GET", '/Users?filter=userName eq "kim@acme.test"').json_body
    assert listed["Resources"][0]["externalId"] == "00u-kim"

    patched = scim.call(
        "PATCH",
        path,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "externalId", "value": "kim.entra"}],
        },
    )
    assert patched.status_code in {200, 204}
    assert scim.call("GET", path).json_body["externalId"] == "kim.entra"

    replaced = scim.call("PUT", path, new_user("kim@acme.test"))
    assert replaced.status_code == 200
    assert "externalId" not in scim.call("GET", path).json_body


def test_an_over_long_address_is_refused_and_nobody_is_created(scim: Scim) -> None:
    """Longer than a person's address may be, though a valid address: a 400, not a 500."""
    address = f"{'x' * 64}@{'a' * 63}.{'b' * 63}.{'c' * 63}.example"
    assert_error(scim.call("POST", "/Users", new_user(address)), 400, "invalidValue")
    assert not Person.objects.filter(email=address).exists()


def test_an_over_long_external_id_is_refused_and_nobody_is_created(scim: Scim) -> None:
    answer = scim.call("POST", "/Users", new_user("long@acme.test", externalId="x" * 300))
    assert_error(answer, 400, "invalidValue")
    assert not Person.objects.filter(email="long@acme.test").exists()


def test_deactivating_revokes_the_persons_calendar_address_for_good(
    scim: Scim, participant: Person
) -> None:
    token = cohort_services.create_feed(person=participant)
    feed = f"/cohorts/calendar/{token}.ics"
    assert Client().get(feed).status_code == 200
    scim.call("DELETE", f"/Users/{participant.pk}")
    assert Client().get(feed).status_code == 404
    scim.call(
        "PATCH",
        f"/Users/{participant.pk}",
        patch({"op": "replace", "path": "active", "value": True}),
    )
    assert Client().get(feed).status_code == 404
    assert (
        Client()
        .get(f"/cohorts/calendar/{cohort_services.create_feed(person=participant)}.ics")
        .status_code
        == 200
    )
