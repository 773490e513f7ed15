"""A real SCIM client (scim2-client over httpx2) against a live Bridgework, replaying what
Okta and Microsoft Entra ID send when they provision, update, deactivate and reactivate
people and hand out roles through groups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from django.core import mail
from pytest_django.live_server_helper import LiveServer
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import (
    Email,
    Group,
    ListResponse,
    Name,
    PatchOp,
    SearchRequest,
    User,
)

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.practice import reminders
from bridgework.provisioning.models import ProvisioningToken

from .conftest import PASSWORD
from .test_accounts import is_signed_in_as, sign_in
from .test_reminders import DUE, at, commit_weekly

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"


@pytest.fixture
def scim(
    live_server: LiveServer, organisation: Organisation, program_admin: Person
) -> Iterator[SyncSCIMClient]:
    _, secret = ProvisioningToken.issue(
        organisation=organisation, name="IdP", created_by=program_admin
    )
    with httpx2.Client(
        base_url=f"{live_server.url}/scim/v2/{organisation.slug}",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=120,  # a loaded CI machine is slow, not broken
    ) as http:
        client = SyncSCIMClient(http)
        client.discover()
        yield client


def search(scim: SyncSCIMClient, model: type[Any], scim_filter: str) -> list[Any]:
    request = SearchRequest[Any].model_validate({"filter": scim_filter, "count": 100})
    found = scim.query(model, query_parameters=request)
    assert isinstance(found, ListResponse)
    return list(found.resources or [])


def find(scim: SyncSCIMClient, user_name: str) -> list[Any]:
    return search(scim, User, f'userName eq "{user_name}"')


def raw(scim: SyncSCIMClient, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Send a payload exactly as an identity provider writes it, not as a model would."""
    response = scim.client.request(
        method, path, json=body, headers={"Content-Type": "application/scim+json"}
    )
    assert response.status_code in {200, 201, 204}, response.text
    assert response.headers["Content-Type"] == "application/scim+json"
    return response.json() if response.content else {}


def can_sign_in(person: Person) -> bool:
    return is_signed_in_as(sign_in(person.email, PASSWORD), person)


def give_password(email: str) -> Person:
    """As the person would by resetting their password after being provisioned."""
    person = Person.objects.get(email=email)
    person.set_password(PASSWORD)
    person.save()
    return person


def test_okta_provisions_fifty_people_deactivates_one_and_makes_one_a_facilitator(
    scim: SyncSCIMClient,
) -> None:
    for number in range(50):
        email = f"person{number}@acme.example"
        assert find(scim, email) == []
        created: Any = scim.create(
            User(
                user_name=email,
                name=Name(given_name="Person", family_name=str(number)),
                emails=[Email(value=email, primary=True, type=Email.Type.work)],
                display_name=f"Person {number}",
                active=True,
            )
        )
        # The client builds its models from what the server's discovery endpoints describe.
        assert type(created).__name__ == "User" and created.active is True
    everyone = scim.query(User, query_parameters=SearchRequest[Any](start_index=1, count=100))
    assert isinstance(everyone, ListResponse) and everyone.total_results == 51

    leaving = give_password("person7@acme.example")
    staying = give_password("person8@acme.example")
    commitments = {person.pk: commit_weekly(person) for person in (leaving, staying)}
    browser = sign_in(leaving.email, PASSWORD)
    assert is_signed_in_as(browser, leaving)
    # Okta deactivates with a path-less replace.
    [user] = find(scim, leaving.email)
    raw(
        scim,
        "PATCH",
        f"/Users/{user.id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert not can_sign_in(leaving)
    assert browser.get("/")["Location"].startswith("/accounts/login/")
    with at(DUE):
        assert reminders.plan() == 1
    assert {message.to[0] for message in mail.outbox} <= {staying.email}
    assert (
        Person.objects.get(pk=leaving.pk).commitments.filter(pk=commitments[leaving.pk].pk).exists()
    )

    # Okta links its "Facilitators" group to ours by name, then pushes a member.
    [facilitators] = search(scim, Group, 'displayName eq "Facilitators"')
    [user] = find(scim, staying.email)
    scim.modify(
        Group,
        facilitators.id,
        PatchOp[Group].model_validate(
            {
                "Operations": [
                    {
                        "op": "add",
                        "path": "members",
                        "value": [{"value": user.id, "display": staying.email}],
                    }
                ]
            }
        ),
    )
    assert Person.objects.get(pk=staying.pk).role_set() == {Role.PARTICIPANT, Role.FACILITATOR}
    group: Any = scim.query(Group, facilitators.id)
    assert [member.value for member in group.members or []] == [user.id]


def test_okta_updates_a_profile_with_put_and_reactivates(scim: SyncSCIMClient) -> None:
    created = raw(
        scim,
        "POST",
        "/Users",
        {
            "schemas": [USER],
            "userName": "ana@acme.example",
            "name": {"givenName": "Ana", "familyName": "Diaz"},
            "emails": [{"primary": True, "value": "ana@acme.example", "type": "work"}],
            "displayName": "Ana Diaz",
            "locale": "en-US",
            "externalId": "00u1a2b3c4",
            "active": True,
        },
    )
    person = Person.objects.get(pk=created["id"])
    assert person.chosen_name == "Ana Diaz"
    current: Any = scim.query(User, created["id"])
    assert type(current).__name__ == "User"
    current.name = {"givenName": "Ana", "familyName": "Díaz-Ruiz"}
    current.user_name = "ana.diaz@acme.example"
    replaced = scim.replace(current)
    assert replaced.user_name == "ana.diaz@acme.example"
    person.refresh_from_db()
    assert (person.chosen_name, person.email) == ("Ana Díaz-Ruiz", "ana.diaz@acme.example")
    for active in (False, True):
        raw(
            scim,
            "PATCH",
            f"/Users/{created['id']}",
            {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": active}}]},
        )
        person.refresh_from_db()
        assert person.is_active is active


def test_entra_id_provisions_updates_disables_grants_and_deletes(
    scim: SyncSCIMClient, program_admin: Person
) -> None:
    assert find(scim, "kim@acme.example") == []
    created = raw(
        scim,
        "POST",
        "/Users",
        {
            "schemas": [USER],
            "externalId": "kim",
            "userName": "kim@acme.example",
            "active": True,
            "displayName": "Kim Lee",
            "emails": [{"primary": True, "type": "work", "value": "kim@acme.example"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Kim Lee", "familyName": "Lee", "givenName": "Kim"},
        },
    )
    user_path = f"/Users/{created['id']}"
    raw(
        scim,
        "PATCH",
        user_path,
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "Replace", "path": "displayName", "value": "Kim Park"},
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "kim@acme.example",
                },
            ],
        },
    )
    person = Person.objects.get(pk=created["id"])
    assert person.chosen_name == "Kim Park"
    # Entra ID sends booleans as strings.
    raw(
        scim,
        "PATCH",
        user_path,
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    person.refresh_from_db()
    assert not person.is_active
    raw(
        scim,
        "PATCH",
        user_path,
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "Replace", "path": "active", "value": "True"}],
        },
    )

    response = scim.client.get(
        "/Groups",
        params={"excludedAttributes": "members", "filter": 'displayName eq "Program admins"'},
    )
    listed: dict[str, Any] = response.json()
    [admins] = listed["Resources"]
    assert "members" not in admins
    members: dict[str, Any] = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": created["id"]}]}],
    }
    raw(scim, "PATCH", f"/Groups/{admins['id']}", members)
    assert Person.objects.get(pk=person.pk).is_program_admin
    members["Operations"][0]["op"] = "Remove"
    raw(scim, "PATCH", f"/Groups/{admins['id']}", members)
    assert not Person.objects.get(pk=person.pk).is_program_admin
    assert Person.objects.get(pk=program_admin.pk).is_program_admin

    assert scim.client.delete(user_path).status_code == 204
    person.refresh_from_db()
    assert not person.is_active  # deactivated, with everything they wrote kept
