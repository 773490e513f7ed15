"""Every view here goes through the community's one visibility rule: a person outside a
space gets a 404 for anything in it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import current_person, member_required
from bridgework.community.models import Space
from bridgework.community.visibility import can_view
from bridgework.lib.markdown import render as render_markdown

from . import services
from .forms import AskForm, EditPublishedForm, PublishForm, RespondForm
from .models import Aggregate, Ask, AskResponse, PublishedAsk

PER_PAGE = 20


def _space(request: HttpRequest, space_id: int) -> Space:
    space = Space.objects.filter(pk=space_id).first()
    if space is None or not can_view(current_person(request), space):
        raise Http404("No such space.")
    return space


def _ask(request: HttpRequest, ask_id: int) -> Ask:
    """An original ask: only for people who can see its group's space right now."""
    ask = Ask.objects.filter(pk=ask_id).select_related("space", "author", "published").first()
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
    moderated = set(Space.objects.facilitated_by(person).values_list("pk", flat=True))
    for ask in groups_page.object_list:
        ask.aggregate = Aggregate.of(ask)  # type: ignore[attr-defined]
        ask.can_publish = ask.space_id in moderated and ask.published_id is None  # type: ignore[attr-defined]
    writable = [
        space
        for space in Space.objects.visible_to(person).filter(
            audience=Space.Audience.GROUP, is_archived=False
        )
    ]
    in_allies_space = (
        Space.objects.visible_to(person).filter(audience__in=services.ALLIES_AUDIENCES).exists()
    )
    return render(
        request,
        "asks/index.html",
        {
            "groups_page": groups_page,
            "allies_page": allies_page,
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
        form.add_error(None, "You cannot post in this space just now.")
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
                request, "Your ask is in the group's space. A facilitator can share it."
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
            "guidelines_html": "" if accepted else render_markdown(space.guidelines),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@member_required
def ask(request: HttpRequest, ask_id: int) -> HttpResponse:
    found = _ask(request, ask_id)
    person = current_person(request)
    moderator = found.space.can_moderate(person)
    return render(
        request,
        "asks/ask.html",
        {
            "ask": found,
            "aggregate": Aggregate.of(found) if found.published_id else None,
            "can_publish": moderator and found.published_id is None,
            "moderator": moderator,
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def publish(request: HttpRequest, ask_id: int) -> HttpResponse:
    found = _ask(request, ask_id)
    person = current_person(request)
    if not found.space.can_moderate(person):
        raise Http404("No such ask.")
    if found.published_id is not None:
        return redirect("ask_edit", found.published_id)
    spaces = services.allies_spaces_for(person, found.space)
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        spaces=spaces,
        initial={"title": found.title, "body": found.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            published = services.publish(
                ask=found,
                facilitator=person,
                space=form.cleaned_data["space"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Published to allies, without names.")
            return redirect("ask_published", published.pk)
    return render(
        request,
        "asks/publish.html",
        {"ask": found, "form": form, "spaces": spaces},
        status=400 if form.errors else 200,
    )


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
    return render(
        request,
        "asks/published.html",
        {
            "published": found,
            "notes": [r for r in responses if r.note],
            "mine": mine,
            "moderator": found.space.can_moderate(person),
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
        messages.info(request, "You have already said you'll do this.")
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
            messages.success(request, "Thank you. It is in your practice now, ready to check in.")
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
    found = _published(request, published_id, moderate=True)
    form = EditPublishedForm(
        request.POST if request.method == "POST" else None,
        initial={"title": found.title, "body": found.body},
    )
    if request.method == "POST" and form.is_valid():
        services.edit_published(
            published=found,
            facilitator=current_person(request),
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, "Saved.")
        return redirect("ask_published", found.pk)
    return render(
        request,
        "asks/edit.html",
        {"published": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def withdraw(request: HttpRequest, published_id: int) -> HttpResponse:
    found = _published(request, published_id, moderate=True)
    withdrawn = request.POST.get("undo") != "1"
    services.set_withdrawn(
        published=found, facilitator=current_person(request), withdrawn=withdrawn
    )
    messages.success(
        request,
        "Withdrawn: allies no longer see it." if withdrawn else "It is back in the allies' space.",
    )
    return redirect("ask_published", found.pk)
