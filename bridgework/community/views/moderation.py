"""Moderation: flags, the queue, decisions with reasons, pauses, the log and the balance."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import current_person, member_required
from bridgework.lib.pager import keyset_page

from .. import services
from ..forms import ModerateForm, ReasonForm
from ..models import Flag, ModerationAction, Post, PostingPause, Space
from .common import _moderated_post, _post, _refused, _space, _thread, _too_many

LOG_PER_PAGE = 50


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
        messages.success(request, _("Thread locked.") if found.is_locked else _("Thread unlocked."))
        return redirect(found)
    return render(
        request,
        "community/lock.html",
        {"thread": found, "space": found.space, "form": form},
        status=400 if form.errors else 200,
    )


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
        except (PermissionDenied, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. A facilitator of this space will look at it. "
                    "The author is never told who flagged."
                ),
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
            messages.success(request, _("Hidden. The author sees your reason."))
        else:
            services.restore_post(post=found, moderator=person, reason=reason)
            messages.success(request, _("The post is shown and its flags are closed."))
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
        except (PermissionDenied, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("%(name)s's posting here is paused.") % {"name": found.author.chosen_name},
            )
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
        messages.error(request, _("Say why you lift the pause, in a sentence."))
        return redirect("community_queue", found.space_id)
    services.lift_pause(pause=found, moderator=person, reason=form.cleaned_data["reason"])
    messages.success(
        request, _("%(name)s can post here again.") % {"name": found.person.chosen_name}
    )
    return redirect("community_queue", found.space_id)


@require_GET
@member_required
def queue(request: HttpRequest, space_id: int) -> HttpResponse:
    found = _space(request, space_id, moderate=True)
    open_flags = Flag.objects.filter(resolved_at__isnull=True).select_related("flagged_by")
    waiting = list(
        Post.objects.waiting_in(found)
        .select_related("author", "thread")
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flag_list"))
        .order_by("created_at")[:100]
    )
    hidden = list(Post.objects.latest_hidden_in(found).select_related("author", "thread")[:20])
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
        raise PermissionDenied(_("The moderation log is for facilitators and program admins."))
    # Only spaces the reader can see, by the one visibility rule: a space outside their
    # audience leaves no trace here, not even that something happened in it.
    actions = ModerationAction.objects.filter(
        space__in=Space.objects.visible_to(person)
    ).select_related("space", "actor", "thread", "subject")
    page = keyset_page(actions, request.GET, LOG_PER_PAGE)
    # A withheld thread's title, and whom a decision was about and why, are for the space's
    # facilitators only (a withheld title also for the thread's author).
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
