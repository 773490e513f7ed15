"""The operator admin site: for whoever runs the installation, not for program admins.

Sensitive models (data keys, private profiles) are deliberately not registered.
"""

from django.contrib import admin

from .models import CommunityGroup, Invitation, Organisation, Person, RoleAssignment


class RoleInline(admin.TabularInline[RoleAssignment, Person]):
    model = RoleAssignment
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "slug", "is_demo", "created_at"]
    search_fields = ["name", "slug"]


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
