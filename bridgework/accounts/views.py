from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.lib.htmx import is_htmx
from bridgework.lib.pager import keyset_page

from . import registry, services, settings_sections
from .access import (
    current_organisation,
    current_person,
    get_group_in_organisation,
    get_person_in_organisation,
    member_required,
    role_required,
)
from .forms import (
    AcceptInvitationForm,
    CommunityGroupForm,
    CsvUploadForm,
    DeleteAccountForm,
    GroupInviteForm,
    InviteForm,
    OrganisationSettingsForm,
    PeopleSearchForm,
    PersonRolesForm,
    ProfileForm,
)
from .models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Invitation,
    Person,
    PrivateProfile,
    Role,
    RoleAssignment,
    SettingsChange,
)

admin_required = role_required(Role.PROGRAM_ADMIN)
PEOPLE_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
@member_required
def profile(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    private = PrivateProfile.objects.filter(person=person).first()
    initial = {"intention": private.intention if private else ""}
    form = ProfileForm(request.POST or None, instance=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.save_intention(person=person, intention=form.cleaned_data["intention"])
        translation.activate(person.preferred_language)
        messages.success(request, gettext("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
@member_required
def delete_account(request: HttpRequest) -> HttpResponse:
    """Part of the profile: the password confirms it, whatever the person's role."""
    person = current_person(request)
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, request=request, person=person
    )
    if request.method == "POST" and form.is_valid():
        services.erase_person(person=person)
        logout(request)
        messages.success(
            request, gettext("Your account and everything you wrote are deleted. Take care.")
        )
        return redirect("account_login")
    status = 400 if form.errors else 200
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "consequences": registry.erasure_consequences(person)},
        status=status,
    )


@require_http_methods(["GET"])
@member_required
def groups(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    organisation = current_organisation(request)
    all_groups = CommunityGroup.objects.in_organisation(organisation).order_by("name")
    memberships = GroupMembership.objects.filter(person=person, group__organisation=organisation)
    return render(
        request,
        "accounts/groups.html",
        {
            "groups": all_groups,
            "mine": {m.group_id for m in memberships},
            "led": {m.group_id for m in memberships if m.is_lead},
            "group_invitations": list(GroupInvitation.objects.for_person(person)),
        },
    )


def _group_changed(
    request: HttpRequest, group: CommunityGroup, message: str, *, refused: bool = False
) -> HttpResponse:
    """With htmx, swap in the updated card; without JavaScript, back to the list. A change
    `refused` (the group closed since the page was shown, say) shows the card as it is now,
    with the reason."""
    if is_htmx(request):
        membership = GroupMembership.objects.filter(
            group=group, person=current_person(request)
        ).first()
        return render(
            request,
            "accounts/groups.html#group-card",
            {
                "group": group,
                "mine": {group.pk} if membership else set(),
                "led": {group.pk} if membership and membership.is_lead else set(),
                "status_message": message,
                "refused": refused,
            },
        )
    (messages.error if refused else messages.success)(request, message)
    return redirect("groups")


@require_POST
@member_required
def join_group(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_in_organisation(request, group_id)
    try:
        services.join_group(person=current_person(request), group=group)
    except ValidationError as error:
        return _group_changed(request, group, " ".join(error.messages), refused=True)
    return _group_changed(request, group, gettext("You joined %(group)s.") % {"group": group.name})


@require_http_methods(["GET", "POST"])
@member_required
def leave_group(request: HttpRequest, group_id: int) -> HttpResponse:
    """Leave a group. A closed group asks first: coming back takes a new invitation."""
    group = get_group_in_organisation(request, group_id)
    if request.method == "GET":
        if not GroupMembership.objects.filter(group=group, person=current_person(request)).exists():
            return redirect("groups")
        return render(request, "accounts/leave_group.html", {"group": group})
    services.leave_group(person=current_person(request), group=group)
    return _group_changed(request, group, gettext("You left %(group)s.") % {"group": group.name})


@require_GET
@member_required
def group_roster(request: HttpRequest, group_id: int) -> HttpResponse:
    """Who is in a group: for its leads alone. To anyone else the page does not exist."""
    group = get_group_in_organisation(request, group_id)
    if not group.is_led_by(current_person(request)):
        raise Http404("No such group.")
    members = (
        GroupMembership.objects.filter(group=group, person__is_active=True)
        .select_related("person")
        .order_by(Lower("person__chosen_name"), "pk")
    )
    waiting = (
        GroupInvitation.objects.waiting_in(group)
        .select_related("person", "invited_by")
        .order_by("accepted_at", "pk")
    )
    return render(
        request,
        "accounts/group_roster.html",
        {"group": group, "members": members, "waiting": waiting},
    )


@require_POST
@member_required
def let_into_group(request: HttpRequest, group_id: int, group_invitation_id: int) -> HttpResponse:
    group = get_group_in_organisation(request, group_id)
    if not group.is_led_by(current_person(request)):
        raise Http404("No such group.")
    try:
        membership = services.let_in(
            lead=current_person(request),
            group=group,
            invitation_id=group_invitation_id,
            as_lead=request.POST.get("as_lead") == "1",
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            gettext("%(name)s is in the group now.") % {"name": membership.person.display_name},
        )
    return redirect("group_roster", group_id=group.pk)


@require_http_methods(["GET", "POST"])
@member_required
def turn_away_from_group(
    request: HttpRequest, group_id: int, group_invitation_id: int
) -> HttpResponse:
    """Asks first: turned away, they need a new invitation to come back."""
    group = get_group_in_organisation(request, group_id)
    if not group.is_led_by(current_person(request)):
        raise Http404("No such group.")
    if request.method == "GET":
        invitation = (
            GroupInvitation.objects.waiting_in(group)
            .filter(pk=group_invitation_id)
            .select_related("person")
            .first()
        )
        if invitation is None:
            messages.info(request, gettext("Nobody is waiting to be let in any more."))
            return redirect("group_roster", group_id=group.pk)
        return render(
            request, "accounts/turn_away.html", {"group": group, "invitation": invitation}
        )
    try:
        services.turn_away(
            lead=current_person(request), group=group, invitation_id=group_invitation_id
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            gettext("They are not in the group. They are told it was not confirmed, not by whom."),
        )
    return redirect("group_roster", group_id=group.pk)


def _get_my_group_invitation(request: HttpRequest, group_invitation_id: int) -> GroupInvitation:
    person = current_person(request)
    invitation = (
        GroupInvitation.objects.filter(
            pk=group_invitation_id, person=person, group__organisation=person.organisation_id
        )
        .select_related("group", "person")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def _back_from_invitation(request: HttpRequest) -> HttpResponse:
    """Back to the page the answer was given on: the home page or the groups page."""
    return redirect("home" if request.POST.get("back") == "home" else "groups")


@require_POST
@member_required
def accept_group_invitation(request: HttpRequest, group_invitation_id: int) -> HttpResponse:
    invitation = _get_my_group_invitation(request, group_invitation_id)
    membership = services.accept_group_invitation(invitation=invitation)
    if membership is None:
        joined = gettext(
            "You accepted the invitation to %(group)s. You will be told once one of its "
            "leads has let you in, or not."
        )
    elif membership.is_lead:
        joined = gettext("You joined %(group)s as one of its leads.")
    else:
        joined = gettext("You joined %(group)s.")
    messages.success(request, joined % {"group": invitation.group.name})
    return _back_from_invitation(request)


@require_POST
@member_required
def decline_group_invitation(request: HttpRequest, group_invitation_id: int) -> HttpResponse:
    invitation = _get_my_group_invitation(request, group_invitation_id)
    services.decline_group_invitation(invitation=invitation)
    messages.success(
        request,
        gettext("You declined the invitation to %(group)s. Nobody is told.")
        % {"group": invitation.group.name},
    )
    return _back_from_invitation(request)


@require_http_methods(["GET"])
@admin_required
def people(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    search = PeopleSearchForm(request.GET or None)
    query = Person.objects.in_organisation(organisation).prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
    )
    invitations = Invitation.objects.pending().filter(organisation=organisation)
    if search.is_valid() and search.cleaned_data["q"]:
        term = search.cleaned_data["q"]
        matches = Q(chosen_name__icontains=term) | Q(email__icontains=term)
        query = query.filter(matches)
        invitations = invitations.filter(matches)
    page = keyset_page(query.order_by("chosen_name", "pk"), request.GET, PEOPLE_PER_PAGE)
    invitations = invitations[:50]
    return render(
        request,
        "accounts/people.html",
        {
            "page": page,
            "search": search,
            "invitations": invitations,
            "invite_form": InviteForm(organisation=organisation),
            "csv_form": CsvUploadForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@admin_required
def invite(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        services.invite_person(
            organisation=organisation,
            email=form.cleaned_data["email"],
            chosen_name=form.cleaned_data["chosen_name"],
            roles=form.cleaned_data["roles"],
            invited_by=current_person(request),
        )
        messages.success(
            request,
            gettext("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
        )
        return redirect("people")
    return render(request, "accounts/invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
@admin_required
def import_csv(request: HttpRequest) -> HttpResponse:
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        result = services.import_invitations_csv(
            organisation=current_organisation(request),
            data=form.cleaned_data["file"],
            invited_by=current_person(request),
        )
        if not result.errors:
            sent = len(result.invitations)
            said = [
                ngettext("%(count)s invitation sent.", "%(count)s invitations sent.", sent)
                % {"count": sent}
            ]
            if result.already_here:
                said.append(
                    ngettext(
                        "%(count)s person already has an account here and was left as is.",
                        "%(count)s people already have an account here and were left as they are.",
                        result.already_here,
                    )
                    % {"count": result.already_here}
                )
            if result.already_invited:
                said.append(
                    ngettext(
                        "%(count)s person already had a pending invitation, not sent again.",
                        "%(count)s people already had a pending invitation, not sent again.",
                        result.already_invited,
                    )
                    % {"count": result.already_invited}
                )
            messages.success(request, " ".join(said))
            return redirect("people")
        errors = result.errors
    status = 400 if errors else 200
    return render(
        request, "accounts/import_csv.html", {"form": form, "errors": errors}, status=status
    )


def _pending_invitation(request: HttpRequest, invitation_id: int) -> Invitation | None:
    """The organisation's invitation, or None (having said why) once it is no longer pending.
    Another organisation's invitation is a 404, like every other object that isn't yours."""
    invitation = get_object_or_404(
        Invitation, pk=invitation_id, organisation=current_organisation(request)
    )
    if invitation.is_pending:
        return invitation
    messages.error(request, gettext("That invitation is no longer pending."))
    return None


@require_POST
@admin_required
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _pending_invitation(request, invitation_id)
    if invitation is not None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        messages.success(
            request,
            gettext("Invitation for %(email)s withdrawn.") % {"email": invitation.email},
        )
    return redirect("people")


@require_POST
@admin_required
def resend_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _pending_invitation(request, invitation_id)
    if invitation is not None:
        services.send_invitation_again(invitation)
        messages.success(
            request,
            gettext("Invitation sent again to %(email)s, with a new link.")
            % {"email": invitation.email},
        )
    return redirect("people")


@require_http_methods(["GET", "POST"])
@admin_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_in_organisation(request, person_id)
    form = PersonRolesForm(
        request.POST or None,
        person=person,
        acting=current_person(request),
        initial={"roles": sorted(person.role_set())},
    )
    if request.method == "POST" and form.is_valid():
        person.set_roles(set(form.cleaned_data["roles"]))
        messages.success(
            request, gettext("Roles for %(name)s saved.") % {"name": person.chosen_name}
        )
        return redirect("person_detail", person_id=person.pk)
    return render(request, "accounts/person_detail.html", {"person": person, "form": form})


@require_POST
@admin_required
def set_person_active(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_in_organisation(request, person_id)
    if person.pk == current_person(request).pk:
        messages.error(request, gettext("You can't deactivate yourself."))
    elif request.POST.get("active") == "yes":
        person.reactivate()
        messages.success(
            request, gettext("%(name)s can sign in again.") % {"name": person.chosen_name}
        )
    else:
        person.deactivate()
        messages.success(
            request,
            gettext("%(name)s is deactivated and can no longer sign in.")
            % {"name": person.chosen_name},
        )
    return redirect("person_detail", person_id=person.pk)


@require_http_methods(["GET", "POST"])
@admin_required
def manage_groups(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    form = CommunityGroupForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        group = form.save(commit=False)
        group.organisation = organisation
        group.save()
        messages.success(request, gettext("Group %(group)s created.") % {"group": group.name})
        return redirect("manage_group", group_id=group.pk)
    all_groups = CommunityGroup.objects.in_organisation(organisation).order_by("name")
    return render(request, "accounts/manage_groups.html", {"form": form, "groups": all_groups})


def _manage_group_page(
    request: HttpRequest,
    group: CommunityGroup,
    *,
    form: CommunityGroupForm | None = None,
    invite_form: GroupInviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A group's settings and the invitation form. Never its members, nor how many there
    are: that is for the group's leads."""
    organisation = current_organisation(request)
    return render(
        request,
        "accounts/manage_group.html",
        {
            "group": group,
            "form": form or CommunityGroupForm(instance=group, organisation=organisation),
            "invite_form": invite_form
            or GroupInviteForm(organisation=organisation, inviting=current_person(request)),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def manage_group(request: HttpRequest, group_id: int) -> HttpResponse:
    organisation = current_organisation(request)
    group = get_group_in_organisation(request, group_id)
    form = CommunityGroupForm(request.POST or None, instance=group, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Group %(group)s saved.") % {"group": group.name})
        return redirect("manage_group", group_id=group.pk)
    # A failed save must not show the half-edited name as the page's heading.
    group.refresh_from_db()
    return _manage_group_page(request, group, form=form)


@require_POST
@admin_required
def invite_to_group(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group_in_organisation(request, group_id)
    form = GroupInviteForm(
        request.POST, organisation=current_organisation(request), inviting=current_person(request)
    )
    if not form.is_valid():
        return _manage_group_page(request, group, invite_form=form, status=400)
    services.invite_to_group(
        group=group,
        person=form.cleaned_data["person"],
        invited_by=current_person(request),
        as_lead=form.cleaned_data["as_lead"],
    )
    messages.success(
        request,
        gettext(
            "Invitation for %(email)s saved. They join only if they accept and one of the "
            "group's leads lets them in (a group's first lead gets in by accepting); nobody "
            "tells you either way."
        )
        % {"email": form.cleaned_data["email"]},
    )
    return redirect("manage_group", group_id=group.pk)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find_pending(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(
        request.POST or None,
        email=invitation.email,
        initial={"chosen_name": invitation.chosen_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.accept_invitation(
                invitation=invitation,
                chosen_name=form.cleaned_data["chosen_name"],
                pronouns=form.cleaned_data["pronouns"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, person, backend="bridgework.accounts.backends.PersonBackend")
            # A sign-in with the password just chosen, as allauth records one: the
            # organisation's second-factor rule (security's middleware) reads that record,
            # and without it this session would never be asked to set one up.
            record_authentication(request, person, method="password", email=person.email)
            # From now on the person's own language, starting with the welcome.
            translation.activate(person.preferred_language)
            messages.success(
                request,
                gettext("Welcome to %(organisation)s!")
                % {"organisation": invitation.organisation.name},
            )
            return redirect("home")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


SETTINGS_CHANGES_SHOWN = 20


@require_http_methods(["GET", "POST"])
@admin_required
def organisation_settings(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        # The labels, lazily: the trail keeps them in English and each reader sees them
        # in their own language.
        changed = [form.fields[name].label or name for name in form.changed_data]
        services.save_organisation_settings(
            organisation=form.instance, actor=current_person(request), changed=changed
        )
        messages.success(
            request, gettext("Settings saved.") if changed else gettext("Nothing had changed.")
        )
        return redirect("organisation_settings")
    return render(
        request,
        "accounts/settings/general.html",
        {
            "form": form,
            "settings_sections": settings_sections.sections(),
            "changes": SettingsChange.objects.filter(organisation=organisation)
            .select_related("changed_by")
            .order_by("-changed_at", "-pk")[:SETTINGS_CHANGES_SHOWN],
        },
    )
