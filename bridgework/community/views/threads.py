"""Threads and posts: reading, replying, editing, reactions, follows and search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import current_person, member_required
from bridgework.accounts.models import Person
from bridgework.lib.htmx import is_htmx
from bridgework.lib.ids import parse_id
from bridgework.lib.markdown import render as render_markdown
from bridgework.lib.pager import page_of

from .. import queries, services
from ..forms import PostForm, ReactionForm, SearchForm, ThreadForm
from ..models import Post, Reaction, Thread
from .common import (
    _after_posting,
    _guidelines_first,
    _post,
    _refused,
    _thread,
    _too_many,
    _writing_in,
)

POSTS_PER_PAGE = 25
SEARCH_LIMIT = 50


@require_http_methods(["GET", "POST"])
@member_required
def thread_new(request: HttpRequest, space_id: int) -> HttpResponse:
    person, found, back = _writing_in(request, space_id, "community_thread_new")
    if not found.has_accepted_guidelines(person):
        return _guidelines_first(request, found, back)
    form = ThreadForm(request.POST if request.method == "POST" else None)
    context = {"space": found, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                space=found,
                author=person,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except services.RateLimited as error:
            return _too_many(request, error, "community/thread_new.html", **context)
        except services.GuidelinesNeeded:
            return _guidelines_first(request, found, back)
        except (PermissionDenied, ValidationError) as error:
            _refused(form, error)
        else:
            _after_posting(request, found, person)
            return redirect(thread)
    return render(request, "community/thread_new.html", context, status=400 if form.errors else 200)


def attach_reactions(posts: list[Post], person: Person) -> None:
    """Give each post its `reaction_list` (kind, label, count, mine, "people") from one
    grouped query. The words are translated here, once per page rather than per button."""
    counts: dict[tuple[int, str], tuple[int, int]] = {
        (post_id, kind): (n, mine)
        for post_id, kind, n, mine in Reaction.objects.filter(post__in=[p.pk for p in posts])
        .order_by()
        .values("post_id", "kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(person=person)))
        .values_list("post_id", "kind", "n", "mine")
    }
    labels = [(kind, str(label)) for kind, label in Reaction.Kind.choices]
    people: dict[int, str] = {}
    for post in posts:
        post.reaction_list = []
        for kind, label in labels:
            count, mine = _count_and_mine(counts.get((post.pk, kind)))
            if count not in people:
                people[count] = ngettext("person", "people", count)
            post.reaction_list.append((kind, label, count, mine, people[count]))


def _count_and_mine(found: tuple[int, int] | None) -> tuple[int, bool]:
    return (found[0], found[1] > 0) if found else (0, False)


def _thread_context(request: HttpRequest, thread: Thread, **extra: Any) -> dict[str, Any]:
    person = current_person(request)
    found = thread.space
    standing = found.standing(person, thread)
    moderator = standing.moderator
    # `_thread` has checked that the person sees the thread (and so its space).
    posts = queries.posts_listed(person, thread, moderator=moderator)
    wanted = request.GET.get("page")
    target = parse_id(request.GET.get("post", ""))
    if target is not None and not wanted:
        listed = Post.objects.filter(thread=thread).listed_for(person, moderator=moderator)
        before = listed.filter(pk__lt=target).count()
        wanted = str(before // POSTS_PER_PAGE + 1)
    try:
        page = page_of(posts, wanted, POSTS_PER_PAGE)
    except Http404:
        if target is None:
            raise
        # A link to a post that is gone, after the last one: the thread from its start.
        page = page_of(posts, 1, POSTS_PER_PAGE)
    attach_reactions(list(page), person)
    context = {
        "thread": thread,
        "space": found,
        "page": page,
        "moderator": moderator,
        "accepted": standing.accepted,
        "pause_reason": standing.pause_reason,
        "following": standing.following,
        "read_since_last_post": standing.read_since_last_post,
        "may_reply": not found.is_archived and (not thread.is_locked or moderator),
        "form": PostForm(),
        "me": person,
    }
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
@member_required
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    person = current_person(request)
    found = _thread(request, thread_id)
    if request.method == "GET":
        context = _thread_context(request, found)
        # Reading a thread again with nothing new in it writes nothing: a page view that
        # always wrote took SQLite's one write lock and waited on PostgreSQL's commit.
        if not context["read_since_last_post"]:
            services.record_read(thread=found, person=person)
        return render(request, "community/thread.html", context)
    back = found.get_absolute_url()
    if not found.space.has_accepted_guidelines(person):
        return _guidelines_first(request, found.space, back)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            post = services.reply(thread=found, author=person, body=form.cleaned_data["body"])
        except services.RateLimited as error:
            context = _thread_context(request, found, form=form)
            return _too_many(request, error, "community/thread.html", **context)
        except services.GuidelinesNeeded:
            return _guidelines_first(request, found.space, back)
        except (PermissionDenied, ValidationError) as error:
            _refused(form, error)
        else:
            _after_posting(request, found.space, person)
            return redirect(post.get_absolute_url())
    context = _thread_context(request, found, form=form)
    return render(request, "community/thread.html", context, status=400)


@require_POST
@member_required
def follow(request: HttpRequest, thread_id: int) -> HttpResponse:
    found = _thread(request, thread_id)
    wanted = request.POST.get("follow") == "1"
    services.set_follow(thread=found, person=current_person(request), follow=wanted)
    messages.success(
        request,
        _("You will hear about new replies here.")
        if wanted
        else _("You will not hear about replies."),
    )
    return redirect(found)


@require_http_methods(["GET", "POST"])
@member_required
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    person = current_person(request)
    found = _post(request, post_id)
    if found.author_id != person.pk:
        raise Http404("No such post.")
    form = PostForm(
        request.POST if request.method == "POST" else None, initial={"body": found.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post=found, editor=person, body=form.cleaned_data["body"])
        except (PermissionDenied, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, _("Your post is updated; the earlier wording is kept."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "community/post_edit.html",
        {"post": found, "thread": found.thread, "space": found.space, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@member_required
def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    person = current_person(request)
    found = _post(request, post_id)
    if found.author_id != person.pk and not found.space.can_moderate(person):
        raise Http404("No such post.")
    revisions = [
        (revision, render_markdown(revision.body)) for revision in found.revisions.all()[:50]
    ]
    return render(
        request,
        "community/post_history.html",
        {"post": found, "thread": found.thread, "space": found.space, "revisions": revisions},
    )


@require_POST
@member_required
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    person = current_person(request)
    found = _post(request, post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose one of the reactions offered."), status=400)
    try:
        services.toggle_reaction(post=found, person=person, kind=form.cleaned_data["kind"])
    except PermissionDenied:
        # Held or hidden since the page was shown: say so where the buttons were.
        refused = _("This post is no longer shown, so it takes no reactions.")
        if is_htmx(request):
            return render(request, "community/thread.html#reactions", {"refused": refused})
        messages.error(request, refused)
        return redirect(found.get_absolute_url())
    if is_htmx(request):
        attach_reactions([found], person)
        return render(request, "community/thread.html#reactions", {"post": found})
    return redirect(found.get_absolute_url())


@require_GET
@member_required
def search(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = SearchForm(request.GET or None)
    results: list[Post] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
    if query:
        results = services.search_posts(person=person, query=query, limit=SEARCH_LIMIT)
    return render(
        request,
        "community/search.html",
        {"form": form, "results": results, "query": query},
        status=400 if form.errors else 200,
    )
