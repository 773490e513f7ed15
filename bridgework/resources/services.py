"""Writes of the resources app: suggesting, reviewing and withdrawing. Keyword-only,
validated, atomic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bridgework.accounts.models import Person
from bridgework.curriculum.api import Module
from bridgework.notifications.api import notify

from .models import (
    CRITERIA_KEYS,
    PENDING_AT_ONCE,
    SUGGESTIONS_PER_DAY,
    Resource,
    ResourceReview,
)
from .notices import REVIEWED

OWN_SUGGESTION = gettext_lazy("You suggested it, so another facilitator reviews it.")


def suggestion_limit_reached(person: Person) -> str:
    """Why this person cannot suggest another resource just now, or "" when they can."""
    if Resource.objects.suggested_recently_by(person).count() >= SUGGESTIONS_PER_DAY:
        return ngettext(
            "You have suggested %(count)d resource in the last day. Thank you! "
            "Please wait a little before suggesting more.",
            "You have suggested %(count)d resources in the last day. Thank you! "
            "Please wait a little before suggesting more.",
            SUGGESTIONS_PER_DAY,
        ) % {"count": SUGGESTIONS_PER_DAY}
    pending = Resource.objects.filter(suggested_by=person, status=Resource.Status.PENDING)
    if pending.count() >= PENDING_AT_ONCE:
        return ngettext(
            "You have %(count)d suggestion waiting for review. Please wait until a "
            "facilitator has looked at it.",
            "You have %(count)d suggestions waiting for review. Please wait until a "
            "facilitator has looked at some of them.",
            PENDING_AT_ONCE,
        ) % {"count": PENDING_AT_ONCE}
    return ""


@transaction.atomic
def suggest(
    *,
    person: Person,
    kind: str,
    title: str,
    url: str,
    why_it_helped: str,
    module: Module | None = None,
) -> Resource:
    if person.organisation is None:
        raise ValidationError(_("Only people in an organisation can suggest resources."))
    # Locking the person's row makes two quick submissions count one after the other.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    limit = suggestion_limit_reached(person)
    if limit:
        raise ValidationError(limit)
    if module is not None and module.organisation_id != person.organisation_id:
        raise ValidationError({"module": _("Choose a module of your organisation.")})
    resource = Resource(
        organisation=person.organisation,
        kind=kind,
        title=title.strip(),
        url=url.strip(),
        module=module,
        why_it_helped=why_it_helped.strip(),
        suggested_by=person,
    )
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def review(
    *,
    resource: Resource,
    reviewer: Person,
    decision: str,
    checks: dict[str, bool],
    reason: str = "",
) -> ResourceReview:
    """Record a facilitator's check of each criterion and their decision. Approving needs
    every criterion met; declining needs a reason, which the suggester sees."""
    if resource.is_suggested_by(reviewer):
        raise ValidationError(OWN_SUGGESTION)
    if not resource.can_review(reviewer):
        raise ValidationError(_("Only a facilitator of this organisation can review it."))
    if set(checks) - set(CRITERIA_KEYS):
        raise ValidationError(_("Unknown criteria."))
    value = ResourceReview.Decision(decision)
    reason = reason.strip()
    row = ResourceReview(
        resource=resource,
        reviewer=reviewer,
        decision=value,
        reason=reason,
        **{key: bool(checks.get(key)) for key in CRITERIA_KEYS},
    )
    if value is ResourceReview.Decision.APPROVE and not row.meets_all:
        raise ValidationError(_("A resource is vetted only when it meets every criterion."))
    if value is ResourceReview.Decision.DECLINE and not reason:
        raise ValidationError({"reason": _("Say briefly why, so the person can learn from it.")})
    row.full_clean()
    row.save()
    approved = value is ResourceReview.Decision.APPROVE
    resource.status = Resource.Status.VETTED if approved else Resource.Status.DECLINED
    resource.reviewed_at = row.created_at
    resource.review_reason = reason
    resource.save(update_fields=["status", "reviewed_at", "review_reason"])
    _tell_the_suggester(resource)
    return row


def _tell_the_suggester(resource: Resource) -> None:
    """An in-app notification for the person who suggested it (not the reviewer's name)."""
    suggester = resource.suggested_by
    if suggester is None:
        return
    # The summary is stored as written: in the suggester's language, not the reviewer's.
    with translation.override(suggester.preferred_language):
        summary = (
            _("A facilitator reviewed your suggestion “%(title)s”: it is now vetted.")
            if resource.is_vetted
            else _("A facilitator reviewed your suggestion “%(title)s”: it was not added; see why.")
        ) % {"title": resource.title}
    notify(
        person=suggester,
        kind=REVIEWED,
        summary=summary,
        url=reverse("resource", args=[resource.pk]),
    )


@transaction.atomic
def withdraw(*, resource: Resource, person: Person) -> None:
    """The suggester takes back a suggestion that nobody has reviewed yet."""
    if not resource.can_withdraw(person):
        raise ValidationError(_("Only your own suggestions that wait for review can be withdrawn."))
    resource.delete()
