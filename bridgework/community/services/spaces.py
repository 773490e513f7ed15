"""Writes about spaces: creating, opening to a group, changing, and accepting guidelines."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import CommunityGroup, GroupMembership, Organisation, Person, Role
from bridgework.cohorts.api import Cohort
from bridgework.notifications.api import kinds, mark_read

from .. import notices
from ..models import DEFAULT_GUIDELINES, GuidelinesAcceptance, Space, is_default_guidelines
from ..visibility import can_view

logger = logging.getLogger(__name__)


def _check_facilitators(organisation: Organisation, facilitators: Iterable[Person]) -> list[Person]:
    chosen = list(facilitators)
    for person in chosen:
        if (
            person.organisation_id != organisation.pk
            or not person.is_active
            or not person.has_role(Role.FACILITATOR)
        ):
            raise ValidationError(
                {
                    "facilitators": _("%(name)s does not hold the facilitator role.")
                    % {"name": person.chosen_name}
                }
            )
    return chosen


def _check_audience(
    space: Space, organisation: Organisation, cohort: Cohort | None, group: CommunityGroup | None
) -> None:
    if space.audience == Space.Audience.COHORT:
        if cohort is None:
            raise ValidationError(
                {"cohort": _("Choose the cohort whose members this space is for.")}
            )
        if cohort.organisation_id != organisation.pk:
            raise ValidationError({"cohort": _("Choose a cohort of your organisation.")})
    if space.audience == Space.Audience.GROUP:
        if group is None:
            raise ValidationError({"group": _("Choose the community group this space is for.")})
        if group.organisation_id != organisation.pk:
            raise ValidationError({"group": _("Choose a group of your organisation.")})
    space.cohort = cohort if space.audience == Space.Audience.COHORT else None
    space.group = group if space.audience == Space.Audience.GROUP else None


@transaction.atomic
def create_space(
    *,
    organisation: Organisation,
    created_by: Person,
    name: str,
    audience: str,
    description: str = "",
    cohort: Cohort | None = None,
    group: CommunityGroup | None = None,
    facilitators: Iterable[Person] = (),
    guidelines: str = "",
) -> Space:
    if not created_by.has_role(Role.FACILITATOR) or created_by.organisation_id != organisation.pk:
        raise PermissionDenied(_("Facilitators create spaces."))
    space = Space(
        organisation=organisation,
        name=name.strip(),
        slug=Space.unique_slug_for(organisation, name),
        description=description,
        audience=audience,
        created_by=created_by,
    )
    if guidelines.strip() and not is_default_guidelines(guidelines):
        space.guidelines = guidelines.strip()
    _check_audience(space, organisation, cohort, group)
    _check_name_is_free(space, space.name, created_by)
    if space.is_led_by(created_by):
        space.opened_to_group_at = timezone.now()
    space.full_clean()
    space.save()
    leaders = _check_facilitators(organisation, facilitators) or [created_by]
    space.facilitators.set(leaders)
    if space.awaits_group:
        assert space.group is not None
        said = {"name": created_by.chosen_name, "group": space.group.name}
        notices.tell(
            people=_leads(space.group).values_list("person_id", flat=True),
            kind=kinds.OTHER,
            summary=lambda: (
                _(
                    "%(name)s proposed a space for %(group)s. Its members see it only if you "
                    "open it to them."
                )
                % said
            ),
            url=space.get_absolute_url(),
            space_id=space.pk,
        )
    return space


def _check_name_is_free(space: Space, name: str, person: Person) -> None:
    """A name is refused only for another space the person can see: refusing one they
    cannot would tell them that a protected group has a space by that name."""
    if (
        Space.objects.visible_to(person)
        .filter(organisation_id=space.organisation_id, name__iexact=name)
        .exclude(pk=space.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A space with this name already exists.")})


def adding_facilitators_is_for_leads(space: Space) -> str:
    return _(
        "Only a lead of %(group)s adds a facilitator to its space: a facilitator reads "
        "everything its members share, so the group decides. You can remove one."
    ) % {"group": space.group}


def _leads(group: CommunityGroup) -> models.QuerySet[GroupMembership]:
    return GroupMembership.objects.filter(group=group, is_lead=True)


@transaction.atomic
def open_space_to_group(*, space: Space, lead: Person) -> Space:
    """A lead of the group agrees to the space: from now on the group's members see it."""
    if not space.is_led_by(lead):
        raise PermissionDenied(_("Only the group's leads open a space to its members."))
    if space.awaits_group:
        space.opened_to_group_at = timezone.now()
        space.save(update_fields=["opened_to_group_at"])
        # The proposal the leads were told of is settled: it is no longer news for any of them.
        mark_read(kind=kinds.OTHER, space_id=space.pk, at=space.opened_to_group_at)
        logger.info("space %s opened to its group by a lead", space.pk)
    return space


@transaction.atomic
def update_space(
    *,
    space: Space,
    editor: Person,
    name: str,
    description: str,
    guidelines: str,
    facilitators: Iterable[Person],
    is_archived: bool,
) -> Space:
    led_by_editor = space.is_led_by(editor)
    moderates = space.can_moderate(editor)
    if not (moderates or led_by_editor):
        raise PermissionDenied(
            _("Only this space's facilitators, and its group's leads, change it.")
        )
    organisation = space.organisation
    if not moderates:
        # A lead who does not look after the space chooses who does, and nothing else: its
        # name, words and archiving stay its facilitators' (and a taken name would tell a
        # lead of spaces they cannot see).
        name = space.name
    _check_name_is_free(space, name.strip(), editor)
    leaders = _check_facilitators(organisation, facilitators)
    if not leaders:
        raise ValidationError({"facilitators": _("A space needs at least one facilitator.")})
    newcomers = {p.pk for p in leaders} - set(space.facilitators.values_list("pk", flat=True))
    if space.group_id is not None and newcomers and not led_by_editor:
        # A facilitator reads everything in the space: the group agreed to the ones it has,
        # and only its leads let anyone else in.
        raise ValidationError({"facilitators": adding_facilitators_is_for_leads(space)})
    if moderates:
        space.name = name.strip()
        space.description = description
        # Bridgework's guidelines, saved unchanged in the editor's language, stay
        # Bridgework's: each reader keeps seeing them in their own language.
        if is_default_guidelines(guidelines):
            space.guidelines = DEFAULT_GUIDELINES
        else:
            space.guidelines = guidelines.strip() or space.guidelines
        space.is_archived = is_archived
        space.full_clean()
        space.save()
    space.facilitators.set(leaders)
    return space


def accept_guidelines(*, space: Space, person: Person) -> None:
    if not can_view(person, space):
        raise PermissionDenied(_("Not a space you can see."))
    try:
        with transaction.atomic():
            GuidelinesAcceptance.objects.get_or_create(space=space, person=person)
    except IntegrityError:
        pass  # accepted twice at once: once is enough
