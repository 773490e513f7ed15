"""Every view here goes through the community's one visibility rule: a person outside a
space gets a 404 for anything in it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import current_person, member_required
from bridgework.accounts.models import GroupMembership, Person
from bridgework.community.api import Space, can_view, paused_space_ids
from bridgework.lib.markdown import render as render_markdown

from . import services
from .forms import ApprovalForm, AskForm, EditPublishedForm, PublishForm, RespondForm
from .models import Aggregate, Ask, AskResponse, PublishedAsk

PER_PAGE = 20


def _space(request: HttpRequest, space_id: int) -> Space:
    space = Space.objects.filter(pk=space_id).first()
    if space is None or not can_view(current_person(request), space):
        raise Http404("No such space.")
    return space


def _ask(request: HttpRequest, ask_id: int) -> Ask:
    """An original ask: only for people who can see its group's space right now."""
    ask = (
        Ask.objects.filter(pk=ask_id)
        .select_related("space", "author", "published", "proposed_space")
        .first()
    )
    if ask is None or not can_view(current_person(request), ask.space):
        raise Http404("No such ask.")
    return ask


def _published(request: HttpRequest, published_id: int, *, moderate: bool = False) -> PublishedAsk:
    published = PublishedAsk.objects.filter(pk=published_id).select_related("space").first()
    person = current_person(request)
    if published is None or not can_view(person, published.space):
        raise Http404("No such ask.")
    if moderate and not published.space.can_moderate(person):
        raise Http404("No such ask.")
    if not published.is_live and not published.space.can_moderate(person):
        raise Http404("No such ask.")
    return published


@require_GET
@member_required
def asks(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    group_asks = (
        Ask.objects.visible_to(person)
        .with_response_counts()
        .annotate(
            can_publish=ExpressionWrapper(
                Q(
                    Exists(Space.objects.facilitated_by(person).filter(pk=OuterRef("space_id"))),
                    published__isnull=True,
                    author__isnull=False,
                ),
                output_field=BooleanField(),
            )
        )
        .select_related("space", "published")
        .order_by("-created_at", "-pk")
    )
    mine = AskResponse.objects.filter(published_ask=OuterRef("pk"), person=person)
    for_allies = (
        PublishedAsk.objects.visible_to(person)
        .live()
        .annotate(responded=Exists(mine))
        .select_related("space")
        .order_by("-published_at", "-pk")
    )
    groups_page = Paginator(group_asks, PER_PAGE).get_page(request.GET.get("page"))
    allies_page = Paginator(for_allies, PER_PAGE).get_page(request.GET.get("allies_page"))
    to_approve = list(
        Ask.objects.visible_to(person)
        .filter(author=person, proposal=Ask.Proposal.WAITING)
        .select_related("space")
        .order_by("-created_at", "-pk")
    )
    # Only the group spaces the person may write an ask in: a facilitator who looks after a
    # group's space without being in the group is not offered one.
    writable = list(
        Space.objects.visible_to(person)
        .filter(
            audience=Space.Audience.GROUP,
            is_archived=False,
            group_id__in=GroupMembership.objects.filter(person=person).values("group_id"),
        )
        .exclude(pk__in=paused_space_ids(person))
    )
    in_allies_space = (
        Space.objects.visible_to(person).filter(audience__in=services.ALLIES_AUDIENCES).exists()
    )
    return render(
        request,
        "asks/index.html",
        {
            "groups_page": groups_page,
            "allies_page": allies_page,
            "to_approve": to_approve,
            "writable": writable,
            "in_allies_space": in_allies_space,
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def new(request: HttpRequest, group_space_id: int) -> HttpResponse:
    space = _space(request, group_space_id)
    person = current_person(request)
    if not space.is_protected:
        raise Http404("Asks are written in a community group's own space.")
    blocked = not services.may_write_in(space, person)
    accepted = space.has_accepted_guidelines(person)
    form = AskForm(request.POST if request.method == "POST" else None)
    if accepted:
        del form.fields["accept_guidelines"]
    if request.method == "POST" and blocked:
        form.add_error(None, _("You cannot write an ask in this space."))
    elif request.method == "POST" and form.is_valid():
        try:
            ask = services.write_ask(
                space=space,
                author=person,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                accept_guidelines=accepted or form.cleaned_data["accept_guidelines"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your ask is in the group's space. A facilitator can share it.")
            )
            return redirect("ask", ask.pk)
    return render(
        request,
        "asks/new.html",
        {
            "space": space,
            "form": form,
            "accepted": accepted,
            "blocked": blocked,
            "why_blocked": services.why_not_write(space, person) if blocked else "",
            "guidelines_html": "" if accepted else render_markdown(space.guidelines_text()),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@member_required
def ask(request: HttpRequest, ask_id: int) -> HttpResponse:
    found = _ask(request, ask_id)
    person = current_person(request)
    moderator = found.space.can_moderate(person)
    author = found.is_author(person)
    return render(
        request,
        "asks/ask.html",
        {
            "ask": found,
            "aggregate": Aggregate.of(found) if found.published_id else None,
            "can_publish": moderator and found.published_id is None and found.author_id,
            "moderator": moderator,
            "is_author": author,
            # The proposed wording is for the author to judge and for the facilitators who
            # wrote it; other members of the group see only the state.
            "sees_proposal": found.is_waiting and (author or moderator),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def publish(request: HttpRequest, ask_id: int) -> HttpResponse:
    """The facilitator's wording for allies. The form starts empty, beside the original,
    read-only: allies must never receive the author's own words by a single click."""
    found = _ask(request, ask_id)
    person = current_person(request)
    if not found.space.can_moderate(person):
        raise Http404("No such ask.")
    if found.published_id is not None:
        return redirect("ask_edit", found.published_id)
    spaces = services.allies_spaces_for(person, found.space)
    initial: dict[str, object] = {}
    if found.is_waiting:
        # The facilitator's own earlier proposal, never the original.
        initial = {
            "title": found.proposed_title,
            "body": found.proposed_body,
            "space": found.proposed_space_id,
        }
    form = PublishForm(
        request.POST if request.method == "POST" else None, spaces=spaces, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.propose(
                ask=found,
                facilitator=person,
                space=form.cleaned_data["space"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _sent_for_approval(found, person))
            return redirect("ask", found.pk)
    return render(
        request,
        "asks/publish.html",
        {"ask": found, "form": form, "spaces": spaces},
        status=400 if form.errors else 200,
    )


def _sent_for_approval(found: Ask, person: Person) -> str:
    if found.is_author(person):
        return _("Your wording is ready: approve it below to share it with allies.")
    return _("Sent to the author for approval. Allies see nothing until they approve it.")


@require_POST
@member_required
def approval(request: HttpRequest, ask_id: int) -> HttpResponse:
    """The author approves or declines the wording they were shown."""
    found = _ask(request, ask_id)
    person = current_person(request)
    if not found.is_author(person):
        raise Http404("No such ask.")
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to approve or decline the wording."))
        return redirect("ask", found.pk)
    decide = services.approve if form.cleaned_data["decision"] == "approve" else services.decline
    try:
        decide(ask=found, author=person, version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Shared with allies in these words, without your name.")
            if form.cleaned_data["decision"] == "approve"
            else _("Declined: nothing was shared. The facilitator may propose other wording."),
        )
    return redirect("ask", found.pk)


@require_POST
@member_required
def author_withdraw(request: HttpRequest, ask_id: int) -> HttpResponse:
    """The author takes their ask back from allies."""
    found = _ask(request, ask_id)
    person = current_person(request)
    if not found.is_author(person):
        raise Http404("No such ask.")
    try:
        services.withdraw_by_author(ask=found, author=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Withdrawn: allies no longer see your ask."))
    return redirect("ask", found.pk)


@require_GET
@member_required
def published(request: HttpRequest, published_id: int) -> HttpResponse:
    found = _published(request, published_id)
    person = current_person(request)
    responses = list(
        AskResponse.objects.filter(published_ask=found)
        .select_related("person")
        .order_by("created_at", "pk")
    )
    mine = next((r for r in responses if r.person_id == person.pk), None)
    moderator = found.space.can_moderate(person)
    original = (
        Ask.objects.filter(published=found).select_related("space").first() if moderator else None
    )
    return render(
        request,
        "asks/published.html",
        {
            "published": found,
            "notes": [r for r in responses if r.note],
            "mine": mine,
            "moderator": moderator,
            "author_withdrew": original is not None and original.author_withdrew_at is not None,
            # New wording comes from the group's side: its space's facilitators.
            "may_propose": original is not None and original.space.can_moderate(person),
            "form": RespondForm(initial={"title": found.title}) if mine is None else None,
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def respond(request: HttpRequest, published_id: int) -> HttpResponse:
    found = _published(request, published_id)
    person = current_person(request)
    if not found.is_live:
        raise Http404("No such ask.")
    if AskResponse.objects.filter(published_ask=found, person=person).exists():
        messages.info(request, _("You have already said you'll do this."))
        return redirect("ask_published", found.pk)
    form = RespondForm(
        request.POST if request.method == "POST" else None, initial={"title": found.title}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.respond(
                published=found,
                person=person,
                title=data["title"],
                practice_slug=data["practice"],
                courage=data["courage"],
                cadence=data["cadence"],
                cue=data["cue"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. It is in your practice now, ready to check in.")
            )
            return redirect("ask_published", found.pk)
    return render(
        request,
        "asks/respond.html",
        {"published": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def edit(request: HttpRequest, published_id: int) -> HttpResponse:
    """New wording for a published ask: like the first, it waits for the author's approval,
    and allies keep seeing the approved wording until then."""
    found = _published(request, published_id, moderate=True)
    original = Ask.objects.filter(published=found).select_related("space", "author").first()
    person = current_person(request)
    if original is None or not original.space.can_moderate(person):
        # Wording waiting for its author's approval is for them and the group's space's
        # facilitators, not for whoever looks after the allies' space.
        raise Http404("No such ask.")
    waiting = original.is_waiting
    form = EditPublishedForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": original.proposed_title if waiting else found.title,
            "body": original.proposed_body if waiting else found.body,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.propose(
                ask=original,
                facilitator=person,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _sent_for_approval(original, person))
            return redirect("ask_published", found.pk)
    return render(
        request,
        "asks/edit.html",
        {"published": found, "form": form, "waiting": waiting},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def withdraw(request: HttpRequest, published_id: int) -> HttpResponse:
    found = _published(request, published_id, moderate=True)
    withdrawn = request.POST.get("undo") != "1"
    try:
        services.set_withdrawn(
            published=found, facilitator=current_person(request), withdrawn=withdrawn
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Withdrawn: allies no longer see it.")
            if withdrawn
            else _("It is back in the allies' space."),
        )
    return redirect("ask_published", found.pk)
