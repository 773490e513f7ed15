"""Reading the signed-in person on every request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from allauth.account.auth_backends import AuthenticationBackend
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from bridgework.lib.prepared import prepared

from .models import Person

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Roles(TypedDict):
    role_list: str | None


# The person's roles as one comma-separated string, read beside the person. Written as SQL
# because Django's own aggregate here (StringAgg over the join) groups by every column and
# cost more to build than the three queries it replaces.
_ROLES_SQL = (
    "SELECT {aggregate}(role, ',') FROM accounts_roleassignment "
    "WHERE accounts_roleassignment.person_id = accounts_person.id"
)


@prepared
def _person_with_roles(*, person_id: int) -> QuerySet[WithAnnotations[Person, _Roles]]:
    aggregate = "GROUP_CONCAT" if connection.vendor == "sqlite" else "STRING_AGG"
    roles = RawSQL(_ROLES_SQL.format(aggregate=aggregate), ())  # noqa: S611  (fixed text)
    return (
        Person.objects.select_related("organisation").annotate(role_list=roles).filter(pk=person_id)
    )


class PersonBackend(AuthenticationBackend):  # type: ignore[misc]  # allauth is untyped
    """allauth's e-mail and password sign-in, with the signed-in person read for a request
    in one query together with their organisation and roles. Every page needs all three;
    read one by one they were three of a typical page's ten queries (bench/PAGES.md)."""

    def get_user(self, user_id: Any) -> Person | None:
        try:
            person = _person_with_roles(person_id=int(user_id)).first()
        except (ValueError, TypeError):
            return None
        if person is None:
            return None
        if not self.user_can_authenticate(person):
            return None
        role_list: str | None = person.role_list
        person.remember_roles(role_list.split(",") if role_list else [])
        return person
