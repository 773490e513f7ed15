"""Community spaces: who can see a space is decided live from the membership tables, every
time, by the one rule in `visibility.py`. Nothing about access is cached or copied.

A space's audience is all participants of the organisation, the members of a cohort, or the
members of one community group. A group's space is "protected": nobody outside the group —
program admins included — sees any trace of it. Its facilitators can see it to look after it.

Polls keep who voted (`PollResponse`) apart from what was chosen (`PollAnswer`); an anonymous
poll's answers carry no person, a random id and no time, like the cohorts' feedback pulse.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import (
    gettext,
    gettext_lazy,
    gettext_noop,
    ngettext,
    pgettext_lazy,
)

from bridgework.accounts.models import CommunityGroup, GroupMembership, Organisation, Person, Role
from bridgework.cohorts.api import Cohort
from bridgework.lib.sentences import same_words

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

# Stored in English as the field's default (so no migration follows the interface's
# language); shown in each reader's language for as long as nobody has changed it.
DEFAULT_GUIDELINES = gettext_noop("""\
**Share what you have checked.** Before you post a link, a statistic or a story that is not
yours, ask yourself where it comes from and whether it is fair to the people it describes.
If you are not sure, say so.

**Make room for every voice.** Online, the loudest few can fill a space without meaning to.
Say your piece, then leave space for others. Read more than you write; a short reply that
builds on someone else's point often helps more than a long one.

**Go gently with other people's energy.** Explaining your own experience again and again is
tiring work. Nobody here owes anyone an education. Look things up first, thank people for
what they share, and accept "not today" as a full answer.

**Speak for yourself.** Say "I" rather than "everyone". Ask before you retell someone
else's story, even without their name.

**Disagree with ideas, not people.** You can challenge a point and still be kind to the
person who made it. When you get something wrong, own the impact and carry on.

Facilitators look after this space. They may hide a post, lock a thread or pause someone's
posting, and they always say why.
""")


def is_default_guidelines(text: str) -> bool:
    """Bridgework's own guidelines, unchanged: in English as stored, or in any language the
    interface speaks (the one the editor saw them in)."""
    if same_words(text, DEFAULT_GUIDELINES):
        return True
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if same_words(text, gettext(DEFAULT_GUIDELINES)):
                return True
    return False


class SpaceQuerySet(models.QuerySet["Space"]):
    def in_organisation(self, organisation: Organisation) -> SpaceQuerySet:
        return self.filter(organisation=organisation)

    def visible_to(self, person: Person) -> SpaceQuerySet:
        """Spaces the person may see, computed from live memberships (see visibility.py)."""
        from .visibility import visible_spaces_q

        return self.filter(visible_spaces_q(person))

    def facilitated_by(self, person: Person) -> SpaceQuerySet:
        """Spaces the person moderates: their own facilitated spaces, while they hold the role."""
        if not person.is_active or not person.is_facilitator or person.organisation_id is None:
            return self.none()
        return self.named_for(person.pk, person.organisation_id)

    def named_for(self, person_id: int, organisation_id: int) -> SpaceQuerySet:
        """Spaces that name the person among their facilitators, whatever their roles now."""
        return self.filter(
            organisation_id=organisation_id,
            pk__in=Space.facilitators.through.objects.filter(person_id=person_id).values(
                "space_id"
            ),
        )


class Space(models.Model):
    class Audience(models.TextChoices):
        ORGANISATION = "organisation", gettext_lazy("Everyone taking part in the program")
        COHORT = "cohort", gettext_lazy("The members of one cohort")
        GROUP = "group", gettext_lazy("The members of one community group")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60)
    description = models.TextField(blank=True, max_length=2000)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        CommunityGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    facilitators = models.ManyToManyField(Person, related_name="facilitated_spaces", blank=True)
    guidelines = models.TextField(default=DEFAULT_GUIDELINES, max_length=10000)
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A community group's space is the group's own: its members see it only once one of the
    # group's leads has opened it to them, so no facilitator can set up a space for a group
    # and read what its members post there without the group agreeing.
    opened_to_group_at = models.DateTimeField(null=True, blank=True)

    objects = SpaceQuerySet.as_manager()

    if TYPE_CHECKING:
        threads: RelatedManager[Thread]

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="unique_space_slug_per_organisation"
            ),
            models.CheckConstraint(
                condition=(
                    Q(audience="organisation", cohort__isnull=True, group__isnull=True)
                    | Q(audience="cohort", cohort__isnull=False, group__isnull=True)
                    | Q(audience="group", cohort__isnull=True, group__isnull=False)
                ),
                name="space_audience_matches_its_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community_space", args=[self.pk])

    @property
    def is_protected(self) -> bool:
        """A community group's own space; organisation and cohort spaces are allies' spaces."""
        return self.audience == Space.Audience.GROUP

    @staticmethod
    def unique_slug_for(organisation: Organisation, name: str) -> str:
        base = slugify(name)[:50] or "space"
        slug, number = base, 2
        while Space.objects.filter(organisation=organisation, slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug

    @property
    def awaits_group(self) -> bool:
        """A group's space that none of the group's leads has opened to its members yet."""
        return self.audience == Space.Audience.GROUP and self.opened_to_group_at is None

    def is_led_by(self, person: Person) -> bool:
        """Is the person one of the leads of the group this space is for?"""
        return (
            self.group_id is not None
            and GroupMembership.objects.filter(
                group_id=self.group_id, person_id=person.pk, is_lead=True
            ).exists()
        )

    def audience_label(self) -> SafeString:
        """Who the space is for, in the reader's language; names people typed are isolated
        (`<bdi>`) for right-to-left text."""
        if self.audience == Space.Audience.COHORT and self.cohort is not None:
            text = gettext("Members of the cohort “%(cohort)s”")
            return format_html(text.replace("%(cohort)s", "<bdi>{}</bdi>"), self.cohort.name)
        if self.audience == Space.Audience.GROUP and self.group is not None:
            text = gettext("Members of %(group)s")
            return format_html(text.replace("%(group)s", "<bdi>{}</bdi>"), self.group.name)
        return format_html("{}", gettext("Everyone taking part in the program"))

    def guidelines_text(self) -> str:
        """The guidelines to show: Bridgework's own in the reader's language while they are
        unchanged, else the facilitators' words as written."""
        if is_default_guidelines(self.guidelines):
            return gettext(DEFAULT_GUIDELINES)
        return self.guidelines

    def can_view(self, person: Person) -> bool:
        from .visibility import can_view

        return can_view(person, self)

    def is_in_audience(self, person: Person) -> bool:
        """In the audience right now, not merely looking after the space (visibility.py)."""
        from .visibility import in_audience

        return in_audience(person, self)

    def can_moderate(self, person: Person) -> bool:
        """Only this space's own facilitators, while they hold the facilitator role."""
        return (
            can_moderate_anywhere(person)
            and person.organisation_id == self.organisation_id
            and self.facilitators.filter(pk=person.pk).exists()
        )

    def is_paused_for(self, person: Person) -> bool:
        return PostingPause.objects.active().filter(space=self, person=person).exists()

    def can_post(self, person: Person) -> bool:
        """May write here at all. Accepting the guidelines is checked apart, with its own
        prompt (`has_accepted_guidelines`)."""
        return not self.is_archived and self.can_view(person) and not self.is_paused_for(person)

    def has_accepted_guidelines(self, person: Person) -> bool:
        return GuidelinesAcceptance.objects.filter(space=self, person=person).exists()

    def standing(self, person: Person, thread: Thread | None = None) -> Standing:
        """What the space's and a thread's pages need to know of the person here, in one
        query instead of one each: `can_moderate`, `has_accepted_guidelines`, an active
        posting pause's reason, whether they follow `thread` and whether they have read it
        since its last post. Written as SQL: built with the ORM, the one query cost more
        Python than the simple ones."""
        may_moderate = (
            can_moderate_anywhere(person) and person.organisation_id == self.organisation_id
        )
        tables = {
            "facilitators": Space.facilitators.through._meta.db_table,
            "accepted": GuidelinesAcceptance._meta.db_table,
            "pauses": PostingPause._meta.db_table,
            "follows": Follow._meta.db_table,
            "reads": ThreadRead._meta.db_table,
        }
        # Table names from the models; every value a parameter.
        sql = (  # noqa: S608
            "SELECT EXISTS(SELECT 1 FROM {facilitators} WHERE space_id = %s AND person_id = %s),"
            " EXISTS(SELECT 1 FROM {accepted} WHERE space_id = %s AND person_id = %s),"
            " (SELECT reason FROM {pauses} WHERE space_id = %s AND person_id = %s"
            " AND lifted_at IS NULL ORDER BY id LIMIT 1),"
            " EXISTS(SELECT 1 FROM {follows} WHERE thread_id = %s AND person_id = %s),"
            " EXISTS(SELECT 1 FROM {reads} WHERE thread_id = %s AND person_id = %s"
            " AND last_read_at >= %s)"
        ).format(**tables)
        thread_id = thread.pk if thread is not None else None
        # Stored as the ORM stores it (SQLite compares datetimes as text).
        last_post_at = (
            connection.ops.adapt_datetimefield_value(thread.last_activity_at) if thread else None
        )
        params = [self.pk, person.pk] * 3 + [thread_id, person.pk, thread_id, person.pk]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, last_post_at])
            moderator, accepted, pause_reason, following, read = cursor.fetchone()
        return Standing(
            moderator=bool(may_moderate and moderator),
            accepted=bool(accepted),
            pause_reason=pause_reason,
            following=bool(following),
            read_since_last_post=bool(read),
        )


def can_moderate_anywhere(person: Person) -> bool:
    return person.is_active and person.has_role(Role.FACILITATOR)


@dataclass(frozen=True)
class Standing:
    moderator: bool
    accepted: bool
    pause_reason: str | None
    following: bool
    read_since_last_post: bool


class GuidelinesAcceptance(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "person"], name="one_acceptance_per_space")
        ]

    def __str__(self) -> str:
        return f"Guidelines acceptance {self.pk}"


class ThreadQuerySet(models.QuerySet["Thread"]):
    def visible_to(self, person: Person) -> ThreadQuerySet:
        """Threads in spaces the person may see; a withheld thread only to its author and
        the space's facilitators (see visibility.py)."""
        from .visibility import visible_threads_q

        return self.filter(visible_threads_q(person))

    def listed_for(self, person: Person) -> ThreadQuerySet:
        """Of threads already known to be in a space the person sees, the ones they may
        see: a withheld thread only to its author and the space's facilitators."""
        from .visibility import withheld_threads_q

        return self.filter(withheld_threads_q(person))


class Thread(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    reply_count = models.PositiveIntegerField(default=0)
    is_locked = models.BooleanField(default=False)
    lock_reason = models.CharField(max_length=500, blank=True)
    # The opening post is hidden or held: the thread, title included, is then seen only by
    # its author and the space's facilitators. Kept in step by the moderation services.
    is_withheld = models.BooleanField(default=False)

    objects = ThreadQuerySet.as_manager()

    if TYPE_CHECKING:
        posts: RelatedManager[Post]

    class Meta:
        ordering = ["-last_activity_at", "-pk"]
        indexes = [
            models.Index(fields=["space", "-last_activity_at"]),
            # The community page's latest threads across spaces: read in this order until
            # five are found, instead of sorting every thread.
            models.Index(fields=["-last_activity_at"], name="thread_latest_activity"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community_thread", args=[self.pk])


class PostQuerySet(models.QuerySet["Post"]):
    def visible_to(self, person: Person) -> PostQuerySet:
        """Posts in spaces the person may see; a hidden post only to its author and the
        space's facilitators."""
        from .visibility import visible_posts_q

        return self.filter(visible_posts_q(person))

    def listed_for(self, person: Person, *, moderator: bool) -> PostQuerySet:
        """Of posts already known to be in a thread the person sees, the ones they may see:
        a hidden or held post only to its author and the space's moderators (`moderator`,
        from `Space.can_moderate`). Asking `visible_to` again would check the space and the
        thread a second time."""
        if moderator:
            return self.all()
        return self.filter(Q(status=Post.Status.SHOWN) | Q(author_id=person.pk))

    def shown(self) -> PostQuerySet:
        return self.filter(status=Post.Status.SHOWN)

    def latest_hidden_in(self, space: Space) -> PostQuerySet:
        """The space's hidden posts, newest first, read from their own index."""
        return self.filter(space=space, status=Post.Status.HIDDEN).order_by("-created_at")

    def waiting_in(self, space: Space) -> PostQuerySet:
        """The space's posts waiting for a facilitator: held, or with a flag not yet dealt
        with. Only a flagged post can wait (a post is held after flags), so this starts from
        the space's flags instead of reading every post of a busy space."""
        return self._waiting(Flag.objects.filter(space=space))

    def waiting_for(self, person: Person) -> PostQuerySet:
        """Posts waiting in any of the spaces the person looks after."""
        return self.waiting_in_any(Space.objects.facilitated_by(person))

    def waiting_in_any(self, spaces: SpaceQuerySet) -> PostQuerySet:
        return self._waiting(Flag.objects.filter(space__in=spaces))

    def _waiting(self, flagged: models.QuerySet[Flag]) -> PostQuerySet:
        open_flags = flagged.filter(resolved_at__isnull=True)
        return self.filter(pk__in=flagged.values("post_id")).filter(
            Q(status=Post.Status.HELD) | Q(pk__in=open_flags.values("post_id"))
        )


class Post(models.Model):
    class Status(models.TextChoices):
        SHOWN = "shown", gettext_lazy("Shown")
        HELD = "held", gettext_lazy("Held for review after several flags")
        HIDDEN = "hidden", gettext_lazy("Hidden by a facilitator")

    # The space is copied from the thread so that every visibility check is one join.
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=10000)
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SHOWN)
    moderation_reason = models.CharField(max_length=500, blank=True)

    objects = PostQuerySet.as_manager()

    if TYPE_CHECKING:
        # Filled in by the thread page for the posts it shows: their reactions as (kind,
        # label, count, whether the reader gave it, "person"/"people" for that count), from
        # one grouped query.
        reaction_list: list[tuple[str, str, int, bool, str]]

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["space", "author", "created_at"]),
            # The moderation queue's latest hidden posts, without reading a busy space's
            # shown ones (hidden posts are few).
            models.Index(
                fields=["space", "created_at"],
                condition=Q(status="hidden"),
                name="community_post_hidden",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk}"

    def get_absolute_url(self) -> str:
        return f"{reverse('community_thread', args=[self.thread_id])}?post={self.pk}#post-{self.pk}"

    @property
    def is_shown(self) -> bool:
        return self.status == Post.Status.SHOWN


class PostRevision(models.Model):
    """An earlier wording of a post, kept when its author edits it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision {self.pk}"


class Reaction(models.Model):
    """One person's reaction of one kind to a post. Erasing the person keeps the row
    without them (as a poll's PollResponse does): deleted, every count they were in would
    drop by one, and whoever watched a post's counts before and after a colleague left
    would learn what they had reacted with. A reaction without a person is nobody's to
    see as theirs or take back. The uniqueness below binds the living: rows without a
    person never clash (NULLs are distinct on SQLite and PostgreSQL), so two leavers'
    reactions of one kind both stay."""

    class Kind(models.TextChoices):
        THANKS = "thanks", pgettext_lazy("reaction", "Thank you")
        AGREE = "agree", pgettext_lazy("reaction", "I agree")
        LEARNED = "learned", pgettext_lazy("reaction", "I learned something")
        SUPPORT = "support", pgettext_lazy("reaction", "Sending support")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "person", "kind"], name="one_reaction_each")
        ]

    def __str__(self) -> str:
        return f"Reaction {self.pk}"


class Follow(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "person"], name="one_follow_per_thread")
        ]

    def __str__(self) -> str:
        return f"Follow {self.pk}"


class ThreadRead(models.Model):
    """When someone last opened a thread: for "new since your last visit", and for the
    equal-voice count of people who read but never post (a number, never a list)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "person"], name="one_read_per_thread")
        ]

    def __str__(self) -> str:
        return f"Thread read {self.pk}"


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "person"], name="one_mention_per_post")
        ]

    def __str__(self) -> str:
        return f"Mention {self.pk}"


class Flag(models.Model):
    """Someone's concern about a post. Who flagged is for the space's facilitators only."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    # The post's space, copied as a post copies its thread's: what waits in a space is found
    # from its own few flags, not by reading every post of a busy space for theirs.
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    flagged_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "flagged_by"], name="one_flag_per_person")
        ]

    def __str__(self) -> str:
        return f"Flag {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.space_id is None:
            self.space_id = self.post.space_id
        super().save(*args, **kwargs)


class PostingPauseQuerySet(models.QuerySet["PostingPause"]):
    def active(self) -> PostingPauseQuerySet:
        return self.filter(lifted_at__isnull=True)


class PostingPause(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = PostingPauseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Posting pause {self.pk}"


class ModerationAction(models.Model):
    class Kind(models.TextChoices):
        HIDE = "hide", gettext_lazy("Hid a post")
        RESTORE = "restore", gettext_lazy("Restored a post")
        HOLD = "hold", gettext_lazy("Held a post after three flags")
        LOCK = "lock", gettext_lazy("Locked a thread")
        UNLOCK = "unlock", gettext_lazy("Unlocked a thread")
        PAUSE = "pause", gettext_lazy("Paused someone's posting")
        UNPAUSE = "unpause", gettext_lazy("Lifted a posting pause")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True)
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, blank=True)
    subject = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Moderation action {self.pk}"

    def reason_text(self) -> str:
        """The reason to show. An automatic hold's reason was written by Bridgework (in
        English, when it happened), so it is said again in the reader's language."""
        if self.kind == ModerationAction.Kind.HOLD:
            from .services.moderation import FLAGS_TO_HOLD

            return ngettext(
                "%(count)s person flagged it.", "%(count)s people flagged it.", FLAGS_TO_HOLD
            ) % {"count": FLAGS_TO_HOLD}
        return self.reason


POLL_DAYS_BY_DEFAULT = 7


def _a_week_on() -> datetime:
    return timezone.now() + timedelta(days=POLL_DAYS_BY_DEFAULT)


class Poll(models.Model):
    """A question put to a space. An anonymous poll's results are shown once, when it has
    closed: a tally that moved with each vote would tell anyone watching it what the latest
    voter chose."""

    class Kind(models.TextChoices):
        SINGLE = "single", gettext_lazy("Pick one")
        MULTIPLE = "multiple", gettext_lazy("Pick any that apply")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    is_anonymous = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Voting stops here; closing a poll early moves it to that moment.
    closes_at = models.DateTimeField(default=_a_week_on)
    # When whoever asked and voted were told it had closed (once).
    announced_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        options: RelatedManager[PollOption]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("community_poll", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.closes_at


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class PollResponse(models.Model):
    """Only that someone has voted — never what they chose. Erasing the person keeps the
    row without them (see cohorts' PulseResponse)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "person"], name="one_vote_per_poll")]

    def __str__(self) -> str:
        return f"Poll response {self.pk}"


class PollAnswer(models.Model):
    """One chosen option. In an anonymous poll: no person, no time and a random id. In a
    named poll, erasing the voter keeps the answer without them, shown as a former
    member's, as their PollResponse is kept: deleted, the poll's "N votes" would no longer
    add up with its answers, and its tally would drop by what they chose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return "Poll answer"
