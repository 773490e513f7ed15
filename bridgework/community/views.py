from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.accounts.models import Person
from bridgework.lib.htmx import is_htmx
from bridgework.lib.ids import parse_id
from bridgework.lib.markdown import render as render_markdown

from . import services
from .forms import (
    DigestForm,
    ModerateForm,
    PollForm,
    PostForm,
    ReactionForm,
    ReasonForm,
    SearchForm,
    SpaceEditForm,
    SpaceForm,
    ThreadForm,
    VoteForm,
)
from .models import (
    DigestPreference,
    Flag,
    Follow,
    ModerationAction,
    Poll,
    PollResponse,
    Post,
    PostingPause,
    PostRevision,
    Reaction,
    Space,
    Thread,
    ThreadRead,
)
from .notifications import visible_notifications

SPACES_PER_PAGE = 30
THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 25
NOTIFICATIONS_PER_PAGE = 30
LOG_PER_PAGE = 50
SEARCH_LIMIT = 50

# --- access -------------------------------------------------------------------------------


def _space(request: HttpRequest, space_id: int, *, moderate: bool = False) -> Space:
    """A space the person may see (or moderate); anything else is a 404."""
    person = current_person(request)
    spaces = Space.objects.facilitated_by(person) if moderate else Space.objects.visible_to(person)
    space = spaces.filter(pk=space_id).select_related("cohort", "group").first()
    if space is None:
        raise Http404("No such space.")
    return space


def _thread(request: HttpRequest, thread_id: int) -> Thread:
    person = current_person(request)
    thread = (
        Thread.objects.visible_to(person)
        .filter(pk=thread_id)
        .select_related("space", "space__cohort", "space__group", "author")
        .first()
    )
    if thread is None:
        raise Http404("No such thread.")
    return thread


def _post(request: HttpRequest, post_id: int) -> Post:
    person = current_person(request)
    post = (
        Post.objects.visible_to(person)
        .filter(pk=post_id)
        .select_related("thread", "space", "author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def _moderated_post(request: HttpRequest, post_id: int) -> Post:
    post = _post(request, post_id)
    if not post.space.can_moderate(current_person(request)):
        raise Http404("No such post.")
    return post


def _field_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _too_many(
    request: HttpRequest, error: services.RateLimited, template: str, **ctx: Any
) -> HttpResponse:
    return render(request, template, {**ctx, "rate_limited": str(error)}, status=429)


# --- spaces -------------------------------------------------------------------------------


@require_GET
@member_required
def index(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    # Each figure is its own subquery on one space's threads. Joining the threads in and
    # aggregating (with the unread check inside) ran that check once per joined thread row.
    # Withheld threads (a hidden opening post) count only for those who may open them.
    listed_threads = Thread.objects.filter(space=OuterRef("pk")).listed_for(person)
    threads = listed_threads.order_by().values("space")
    read = ThreadRead.objects.filter(
        thread=OuterRef("pk"), person=person, last_read_at__gte=OuterRef("last_activity_at")
    )
    listed = (
        Space.objects.visible_to(person)
        .filter(is_archived=False)
        .select_related("group", "cohort")
        .annotate(
            thread_count=Coalesce(Subquery(threads.annotate(n=Count("pk")).values("n")), 0),
            last_activity=Subquery(
                listed_threads.order_by("-last_activity_at").values("last_activity_at")[:1]
            ),
            unread=Coalesce(
                Subquery(threads.exclude(Exists(read)).annotate(n=Count("pk")).values("n")), 0
            ),
        )
        .order_by(Lower("name"), "pk")
    )
    page = Paginator(listed, SPACES_PER_PAGE).get_page(request.GET.get("page"))
    spaces = list(page)
    recent = list(
        Thread.objects.visible_to(person).select_related("space").order_by("-last_activity_at")[:5]
    )
    moderated = set(Space.objects.facilitated_by(person).values_list("pk", flat=True))
    for space in spaces:
        space.moderated = space.pk in moderated  # type: ignore[attr-defined]
    return render(
        request,
        "community/index.html",
        {
            "spaces": spaces,
            "page": page,
            "recent": recent,
            "may_create": person.is_facilitator,
            "search_form": SearchForm(),
            "may_see_log": person.is_facilitator or person.is_program_admin,
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def space_new(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if not person.is_facilitator:
        raise PermissionDenied("Facilitators create spaces.")
    organisation = current_organisation(request)
    form = SpaceForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            space = services.create_space(
                organisation=organisation,
                created_by=person,
                name=data["name"],
                description=data["description"],
                audience=data["audience"],
                cohort=data["cohort"],
                group=data["group"],
                facilitators=data["facilitators"],
                guidelines=data["guidelines"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            if space.awaits_group:
                messages.success(
                    request,
                    f"“{space.name}” is ready. The members of {space.group} will see it once "
                    "one of the group's leads opens it to them.",
                )
            else:
                messages.success(request, f"“{space.name}” is ready. Start the first thread.")
            return redirect(space)
    return render(
        request, "community/space_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@member_required
def space(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    read = ThreadRead.objects.filter(
        thread=OuterRef("pk"), person=person, last_read_at__gte=OuterRef("last_activity_at")
    )
    threads = (
        Thread.objects.filter(space=found)
        .listed_for(person)
        .select_related("author")
        .annotate(seen=Exists(read))
        .order_by("-last_activity_at", "-pk")
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    moderator = found.can_moderate(person)
    # Only flagged posts can be waiting (a post is held after flags), so the count starts
    # from the space's flags: joining flags to every post of a busy space scanned them all.
    flagged = Flag.objects.filter(post__space=found)
    waiting = (
        Post.objects.filter(pk__in=flagged.values("post_id"))
        .filter(
            Q(status=Post.Status.HELD)
            | Q(pk__in=flagged.filter(resolved_at__isnull=True).values("post_id"))
        )
        .count()
        if moderator
        else 0
    )
    return render(
        request,
        "community/space.html",
        {
            "space": found,
            "page": page,
            "moderator": moderator,
            "waiting": waiting,
            "polls": list(found.polls.all()[:3]),
            "can_open": found.awaits_group and found.is_led_by(person),
            "accepted": found.has_accepted_guidelines(person),
            "paused": PostingPause.objects.active().filter(space=found, person=person).first(),
            # Asks come from the group's own members, not from facilitators looking after it.
            "may_write_ask": found.is_protected and found.is_in_audience(person),
        },
    )


@require_POST
@member_required
def space_open(request: HttpRequest, space_id: int) -> HttpResponse:
    found = _space(request, space_id)
    services.open_space_to_group(space=found, lead=current_person(request))
    messages.success(request, f"The members of {found.group} can see “{found.name}” now.")
    return redirect(found)


@require_http_methods(["GET", "POST"])
@member_required
def space_edit(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id, moderate=True)
    initial = {
        "name": found.name,
        "description": found.description,
        "guidelines": found.guidelines,
        "facilitators": list(found.facilitators.all()),
        "is_archived": found.is_archived,
    }
    form = SpaceEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisation=found.organisation,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_space(
                space=found,
                editor=person,
                name=data["name"],
                description=data["description"],
                guidelines=data["guidelines"],
                facilitators=data["facilitators"],
                is_archived=data["is_archived"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, "Saved.")
            if found.can_view(person):
                return redirect(found)
            return redirect("community")
    return render(
        request,
        "community/space_edit.html",
        {"space": found, "form": form},
        status=400 if form.errors else 200,
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """`next` when it is a path on this site, else `fallback`. Only paths: `redirect()` would
    take a bare word such as "home" for the name of a view."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
@member_required
def guidelines(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    if request.method == "POST":
        services.accept_guidelines(space=found, person=person)
        messages.success(request, "Thank you. You can post in this space now.")
        return redirect(_safe_next(request, found.get_absolute_url()))
    return render(
        request,
        "community/guidelines.html",
        {
            "space": found,
            "guidelines_html": render_markdown(found.guidelines),
            "accepted": found.has_accepted_guidelines(person),
            "next": _safe_next(request, ""),
        },
    )


def _guidelines_first(request: HttpRequest, found: Space, back: str) -> HttpResponse:
    messages.info(request, "Before your first post here, please read this space's guidelines.")
    return redirect(f"{reverse('community_guidelines', args=[found.pk])}?next={back}")


def _after_posting(request: HttpRequest, found: Space, person: Person) -> None:
    if services.needs_nudge(space=found, person=person):
        messages.info(
            request,
            "You have posted several times here in the last half hour — thank you for "
            "caring. Consider stepping back for a while to make room for other voices.",
        )


@require_http_methods(["GET", "POST"])
@member_required
def thread_new(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    back = reverse("community_thread_new", args=[found.pk])
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
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _field_errors(form, error)
        else:
            _after_posting(request, found, person)
            return redirect(thread)
    return render(request, "community/thread_new.html", context, status=400 if form.errors else 200)


# --- threads and posts -------------------------------------------------------------------------


def attach_reactions(posts: list[Post], person: Person) -> None:
    """Give each post its `reaction_list` (kind, label, count, mine) from one grouped query."""
    counts: dict[tuple[int, str], tuple[int, int]] = {
        (post_id, kind): (n, mine)
        for post_id, kind, n, mine in Reaction.objects.filter(post__in=[p.pk for p in posts])
        .order_by()
        .values("post_id", "kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(person=person)))
        .values_list("post_id", "kind", "n", "mine")
    }
    for post in posts:
        post.reaction_list = [  # type: ignore[attr-defined]
            (kind, label, *_count_and_mine(counts.get((post.pk, kind))))
            for kind, label in Reaction.Kind.choices
        ]


def _count_and_mine(found: tuple[int, int] | None) -> tuple[int, bool]:
    return (found[0], found[1] > 0) if found else (0, False)


def _thread_context(request: HttpRequest, thread: Thread, **extra: Any) -> dict[str, Any]:
    person = current_person(request)
    found = thread.space
    moderator = found.can_moderate(person)
    # Counts come from subqueries per post and one grouped query for the page's reactions:
    # joining revisions, flags and reactions together multiplied the rows before counting.
    revisions = (
        PostRevision.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    flags = (
        Flag.objects.filter(post=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    listed = Post.objects.visible_to(person).filter(thread=thread)
    posts = (
        listed.select_related("author")
        .annotate(
            revision_count=Coalesce(Subquery(revisions), 0),
            open_flags=Coalesce(Subquery(flags), 0) if moderator else Value(0),
        )
        .order_by("created_at", "pk")
    )
    paginator = Paginator(posts, POSTS_PER_PAGE)
    wanted = request.GET.get("page")
    target = parse_id(request.GET.get("post", ""))
    if target is not None and not wanted:
        before = listed.filter(pk__lt=target).count()
        wanted = str(before // POSTS_PER_PAGE + 1)
    page = paginator.get_page(wanted)
    attach_reactions(list(page), person)
    context = {
        "thread": thread,
        "space": found,
        "page": page,
        "moderator": moderator,
        "accepted": found.has_accepted_guidelines(person),
        "paused": PostingPause.objects.active().filter(space=found, person=person).first(),
        "following": Follow.objects.filter(thread=thread, person=person).exists(),
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
        services.record_read(thread=found, person=person)
        return render(request, "community/thread.html", _thread_context(request, found))
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
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _field_errors(form, error)
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
        "You will hear about new replies here." if wanted else "You will not hear about replies.",
    )
    return redirect(found)


@require_http_methods(["GET", "POST"])
@member_required
def lock(request: HttpRequest, thread_id: int) -> HttpResponse:
    person = current_person(request)
    found = _thread(request, thread_id)
    if not found.space.can_moderate(person):
        raise Http404("No such thread.")
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.lock_thread(
            thread=found,
            moderator=person,
            reason=form.cleaned_data["reason"],
            locked=not found.is_locked,
        )
        messages.success(request, "Thread locked." if found.is_locked else "Thread unlocked.")
        return redirect(found)
    return render(
        request,
        "community/lock.html",
        {"thread": found, "space": found.space, "form": form},
        status=400 if form.errors else 200,
    )


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
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, "Your post is updated; the earlier wording is kept.")
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
        return HttpResponse("Choose one of the reactions offered.", status=400)
    try:
        services.toggle_reaction(post=found, person=person, kind=form.cleaned_data["kind"])
    except PermissionDenied:
        return HttpResponse("You cannot react to this post.", status=400)
    if is_htmx(request):
        attach_reactions([found], person)
        return render(request, "community/thread.html#reactions", {"post": found})
    return redirect(found.get_absolute_url())


@require_http_methods(["GET", "POST"])
@member_required
def flag(request: HttpRequest, post_id: int) -> HttpResponse:
    person = current_person(request)
    found = _post(request, post_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    context = {"post": found, "thread": found.thread, "space": found.space, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(post=found, person=person, reason=form.cleaned_data["reason"])
        except services.RateLimited as error:
            return _too_many(request, error, "community/flag.html", **context)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(
                request,
                "Thank you. A facilitator of this space will look at it. "
                "The author is never told who flagged.",
            )
            return redirect(found.thread)
    return render(request, "community/flag.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@member_required
def moderate(request: HttpRequest, post_id: int) -> HttpResponse:
    person = current_person(request)
    found = _moderated_post(request, post_id)
    initial = {"action": "restore" if found.status != Post.Status.SHOWN else "hide"}
    form = ModerateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["action"] == "hide":
            services.hide_post(post=found, moderator=person, reason=reason)
            messages.success(request, "Hidden. The author sees your reason.")
        else:
            services.restore_post(post=found, moderator=person, reason=reason)
            messages.success(request, "The post is shown and its flags are closed.")
        if request.POST.get("next") == "queue":
            return redirect("community_queue", found.space_id)
        return redirect(found.get_absolute_url())
    flags = list(Flag.objects.filter(post=found).select_related("flagged_by"))
    return render(
        request,
        "community/moderate.html",
        {"post": found, "thread": found.thread, "space": found.space, "form": form, "flags": flags},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def pause(request: HttpRequest, post_id: int) -> HttpResponse:
    person = current_person(request)
    found = _moderated_post(request, post_id)
    if found.author is None or found.author_id == person.pk:
        raise Http404("No one to pause.")
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pause_posting(
                space=found.space,
                person=found.author,
                moderator=person,
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, f"{found.author.chosen_name}'s posting here is paused.")
            return redirect("community_queue", found.space_id)
    return render(
        request,
        "community/pause.html",
        {"post": found, "space": found.space, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def lift_pause(request: HttpRequest, pause_id: int) -> HttpResponse:
    person = current_person(request)
    found = (
        PostingPause.objects.active()
        .filter(pk=pause_id, space__in=Space.objects.facilitated_by(person))
        .select_related("space", "person")
        .first()
    )
    if found is None:
        raise Http404("No such pause.")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you lift the pause, in a sentence.")
        return redirect("community_queue", found.space_id)
    services.lift_pause(pause=found, moderator=person, reason=form.cleaned_data["reason"])
    messages.success(request, f"{found.person.chosen_name} can post here again.")
    return redirect("community_queue", found.space_id)


@require_GET
@member_required
def queue(request: HttpRequest, space_id: int) -> HttpResponse:
    found = _space(request, space_id, moderate=True)
    waiting = list(
        Post.objects.filter(space=found)
        .filter(Q(status=Post.Status.HELD) | Q(flags__resolved_at__isnull=True))
        .distinct()
        .select_related("author", "thread")
        .order_by("created_at")[:100]
    )
    reasons: dict[int, list[Flag]] = {}
    for item in Flag.objects.filter(post__in=waiting, resolved_at__isnull=True).select_related(
        "flagged_by"
    ):
        reasons.setdefault(item.post_id, []).append(item)
    for post in waiting:
        post.open_flag_list = reasons.get(post.pk, [])  # type: ignore[attr-defined]
    hidden = list(
        Post.objects.filter(space=found, status=Post.Status.HIDDEN)
        .select_related("author", "thread")
        .order_by("-created_at")[:20]
    )
    pauses = list(PostingPause.objects.active().filter(space=found).select_related("person"))
    return render(
        request,
        "community/queue.html",
        {
            "space": found,
            "waiting": waiting,
            "hidden": hidden,
            "pauses": pauses,
            "lift_form": ReasonForm(),
        },
    )


@require_GET
@member_required
def moderation_log(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if not (person.is_facilitator or person.is_program_admin):
        raise PermissionDenied("The moderation log is for facilitators and program admins.")
    # Only spaces the reader can see, by the one visibility rule: a space outside their
    # audience leaves no trace here, not even that something happened in it.
    actions = ModerationAction.objects.filter(
        space__in=Space.objects.visible_to(person)
    ).select_related("space", "actor", "thread", "subject")
    page = Paginator(actions, LOG_PER_PAGE).get_page(request.GET.get("page"))
    # A withheld thread's title is for its space's facilitators (and its author) only.
    moderated = set(Space.objects.facilitated_by(person).values_list("pk", flat=True))
    return render(request, "community/log.html", {"page": page, "moderated": moderated})


@require_GET
@member_required
def balance(request: HttpRequest, space_id: int) -> HttpResponse:
    found = _space(request, space_id, moderate=True)
    return render(
        request,
        "community/balance.html",
        {"space": found, "balance": services.participation_balance(found)},
    )


# --- search and notifications ---------------------------------------------------------------


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


@require_http_methods(["GET", "POST"])
@member_required
def notifications(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    listed = visible_notifications(person)
    if request.method == "POST":
        listed.unread().update(read_at=timezone.now())
        messages.success(request, "All marked as read.")
        return redirect("community_notifications")
    page = Paginator(listed, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "community/notifications.html", {"page": page})


@require_http_methods(["GET", "POST"])
@member_required
def digest(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    preference, _ = DigestPreference.objects.get_or_create(person=person)
    form = DigestForm(
        request.POST if request.method == "POST" else None,
        initial={"frequency": preference.frequency},
    )
    if request.method == "POST" and form.is_valid():
        preference.frequency = form.cleaned_data["frequency"]
        preference.save(update_fields=["frequency"])
        messages.success(request, "Saved.")
        return redirect("community_notifications")
    return render(
        request, "community/digest.html", {"form": form}, status=400 if form.errors else 200
    )


# --- polls ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def poll_new(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    back = reverse("community_poll_new", args=[found.pk])
    if not found.has_accepted_guidelines(person):
        return _guidelines_first(request, found, back)
    form = PollForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.create_poll(
                space=found,
                created_by=person,
                question=data["question"],
                options=data["options"],
                kind=data["kind"],
                is_anonymous=data["is_anonymous"],
            )
        except services.RateLimited as error:
            return _too_many(request, error, "community/poll_new.html", space=found, form=form)
        except services.GuidelinesNeeded:
            return _guidelines_first(request, found, back)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            _field_errors(form, error)
        else:
            return redirect(poll)
    return render(
        request,
        "community/poll_new.html",
        {"space": found, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def poll(request: HttpRequest, poll_id: int) -> HttpResponse:
    person = current_person(request)
    found = (
        Poll.objects.filter(pk=poll_id, space__in=Space.objects.visible_to(person))
        .select_related("space")
        .first()
    )
    if found is None:
        raise Http404("No such poll.")
    voted = PollResponse.objects.filter(poll=found, person=person).exists()
    form = VoteForm(request.POST if request.method == "POST" else None, poll=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.vote(poll=found, person=person, options=form.chosen())
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, "Thank you for voting.")
            return redirect(found)
    return render(
        request,
        "community/poll.html",
        {
            "poll": found,
            "space": found.space,
            "form": form,
            "voted": voted,
            "results": services.poll_results(found),
        },
        status=400 if form.errors else 200,
    )
