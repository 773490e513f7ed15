"""The operator admin site: for whoever runs the installation, not for program admins.

Sensitive models (data keys, private profiles) are deliberately not registered. Deleting a
person or an organisation here erases them the way the app does (their data keys first, then
each app's own step), not only the database's cascade.
"""

from collections.abc import Iterable
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import CommunityGroup, Invitation, Organisation, Person, RoleAssignment


class RoleInline(admin.TabularInline[RoleAssignment, Person]):
    model = RoleAssignment
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "slug", "is_demo", "created_at"]
    search_fields = ["name", "slug"]

    def delete_model(self, request: HttpRequest, obj: Organisation) -> None:
        services.erase_organisation(organisation=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            services.erase_organisation(organisation=organisation)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["chosen_name", "email", "organisation", "is_active"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["chosen_name", "email"]
    fields = [
        "organisation",
        "email",
        "chosen_name",
        "pronouns",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "deactivated_at",
        "last_login",
    ]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [RoleInline]

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        # Unticking "active" here is a deactivation like any other: it ends the person's
        # sessions and runs every app's deactivation step (a calendar address is revoked).
        # Ticking it again is a reactivation like any other too (its date is cleared).
        toggled = change and "is_active" in form.changed_data
        super().save_model(request, obj, form, change)
        if toggled and obj.is_active:
            obj.reactivate()
        elif toggled:
            obj.deactivate()

    def delete_model(self, request: HttpRequest, obj: Person) -> None:
        services.erase_person(person=obj)

    def log_deletions(self, request: HttpRequest, queryset: Iterable[Person]) -> list[LogEntry]:
        """Django's record of the deletion names the row by its number: its usual label is
        the person's name, which the erasure is there to remove."""
        kind = ContentType.objects.get_for_model(Person)
        return LogEntry.objects.bulk_create(
            LogEntry(
                user_id=cast(int, request.user.pk),
                content_type=kind,
                object_id=str(person.pk),
                object_repr=f"Person {person.pk}",
                action_flag=DELETION,
                change_message="",
            )
            for person in queryset
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        for person in queryset:
            services.erase_person(person=person)


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin[CommunityGroup]):
    list_display = ["name", "organisation", "open_to_join"]
    list_filter = ["organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = [
        "email",
        "organisation",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]
    readonly_fields = ["email", "organisation", "roles", "invited_by", "created_at"]
