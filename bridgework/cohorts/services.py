"""Writes of the cohorts app: cohorts, enrolment, sessions, run-of-show, attendance,
feedback pulses and calendar feeds. Keyword-only, validated, atomic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.models import Organisation, Person, Role, RoleAssignment
from bridgework.curriculum.api import (
    DiscussionQuestion,
    Exercise,
    Module,
    in_source_language,
    translation_languages,
)
from bridgework.lib import cadence, ics, small_counts
from bridgework.lib.small_counts import Band

from .models import (
    FEEDBACK_PER_MONTH,
    PULSE_MIN_ANSWERS,
    PULSE_MIN_FOR_TEXT,
    Attendance,
    CalendarFeed,
    Cohort,
    FacilitatorNote,
    Membership,
    OncePresent,
    PulseAnswer,
    PulseResponse,
    RunItem,
    Session,
    hash_token,
)

# The run-of-show every session starts from; the facilitator shapes it from there. Stored in
# every language we speak, so each person reads it in theirs until a facilitator rewords it.
GRATITUDE = (
    gettext_lazy("Opening round: something good"),
    gettext_lazy(
        "Go round once. Each person names one small thing from the past month they are glad "
        "about: a kind word, a problem solved, a good walk. A sentence is plenty, and passing "
        "is always fine."
    ),
    5,
)
AGREEMENTS = (
    gettext_lazy("How we look after each other here"),
    gettext_lazy(
        "Read these aloud and ask whether anyone wants to add one.\n\n"
        "- Stories stay in the room; what you learn can leave with you.\n"
        "- Speak for yourself: say “I”, not “everyone”.\n"
        "- Listen to understand before you reply.\n"
        "- Anyone may pass, and anyone may ask the group to pause.\n"
        "- We can mean well and still cause harm; we own the harm."
    ),
    5,
)
COMMITMENTS = (
    gettext_lazy("Closing round: one small step"),
    gettext_lazy(
        "Each person names one small, concrete thing they will try before the next session, "
        "small enough for a busy week. Writing it down in Practice keeps it private."
    ),
    10,
)
QUESTIONS_PER_SESSION = 3
QUESTION_MINUTES = 10


@transaction.atomic
def create_cohort(
    *,
    organisation: Organisation,
    created_by: Person,
    name: str,
    start_date: date,
    start_time: time,
    time_zone: str,
    session_count: int,
    duration_minutes: int = 90,
    cadence_rule: str = cadence.MonthlyRule.SAME_WEEKDAY,
    modules: Iterable[Module] = (),
    facilitators: Iterable[Person] = (),
    members: Iterable[Person] = (),
    description: str = "",
    open_to_join: bool = False,
) -> Cohort:
    cohort = Cohort(
        organisation=organisation,
        name=name,
        description=description,
        start_date=start_date,
        cadence=cadence_rule,
        time_zone=time_zone,
        open_to_join=open_to_join,
        created_by=created_by,
    )
    cohort.full_clean()
    cohort.save()
    chosen_modules = sorted(modules, key=lambda m: (m.order, m.title))
    if any(m.organisation_id != organisation.pk for m in chosen_modules):
        raise ValidationError(gettext("Modules must come from your organisation."))
    cohort.modules.set(chosen_modules)
    leaders = _in_organisation(organisation, facilitators) or [created_by]
    cohort.facilitators.set(leaders)
    starts = cadence.plan_sessions(
        start=start_date,
        at=start_time,
        zone_name=time_zone,
        count=session_count,
        rule=cadence.MonthlyRule(cadence_rule),
    )
    # The people a cohort starts with belong to it from its first session, even when it is
    # written down after that session took place.
    enrol(cohort=cohort, people=members, since=min([timezone.now(), *starts[:1]]))
    for number, start in enumerate(starts, start=1):
        module = chosen_modules[number - 1] if number <= len(chosen_modules) else None
        session = Session.objects.create(
            cohort=cohort,
            number=number,
            module=module,
            starts_at=start,
            time_zone=time_zone,
            duration_minutes=duration_minutes,
        )
        build_run_of_show(session=session)
    return cohort


@transaction.atomic
def update_cohort(
    *,
    cohort: Cohort,
    name: str,
    description: str,
    facilitators: Iterable[Person],
    open_to_join: bool,
) -> Cohort:
    leaders = _in_organisation(cohort.organisation, facilitators)
    if not leaders:
        raise ValidationError(gettext("A cohort needs at least one facilitator."))
    cohort.name = name
    cohort.description = description
    cohort.open_to_join = open_to_join
    cohort.full_clean()
    cohort.save()
    cohort.facilitators.set(leaders)
    return cohort


@transaction.atomic
def add_session(*, cohort: Cohort) -> Session:
    """One more session, on the cohort's cadence after the last, with the next unused module."""
    last = cohort.sessions.order_by("-number").first()
    if last is None:
        raise ValidationError(gettext("This cohort has no session to follow on from."))
    local_start = last.starts_at.astimezone(cadence.zone_or_utc(last.time_zone))
    at = local_start.time().replace(tzinfo=None)
    rule = cadence.MonthlyRule(cohort.cadence)
    # Counted from the cohort's first date, so "the 31st" or "the last Thursday" keeps its
    # meaning; from the last session only when sessions were moved past that date.
    following = cadence.plan_sessions(
        start=cohort.start_date,
        at=at,
        zone_name=last.time_zone,
        count=last.number + 1,
        rule=rule,
    )[-1]
    if following <= last.starts_at:
        following = cadence.plan_sessions(
            start=local_start.date(), at=at, zone_name=last.time_zone, count=2, rule=rule
        )[1]
    used = set(cohort.sessions.exclude(module=None).values_list("module_id", flat=True))
    ordered = sorted(cohort.modules.all(), key=lambda m: (m.order, m.title))
    module = next((m for m in ordered if m.pk not in used), None)
    session = Session.objects.create(
        cohort=cohort,
        number=last.number + 1,
        module=module,
        starts_at=following,
        time_zone=last.time_zone,
        duration_minutes=last.duration_minutes,
    )
    build_run_of_show(session=session)
    return session


def _in_organisation(organisation: Organisation, people: Iterable[Person]) -> list[Person]:
    chosen = list(people)
    if any(p.organisation_id != organisation.pk for p in chosen):
        raise ValidationError(gettext("Everyone in a cohort must belong to your organisation."))
    return chosen


@transaction.atomic
def enrol(*, cohort: Cohort, people: Iterable[Person], since: datetime | None = None) -> int:
    """Add people as members (a waiting request becomes membership), members from `since`
    (now, unless said). Returns how many were new to the cohort."""
    added = 0
    joined_at = since or timezone.now()
    for person in _in_organisation(cohort.organisation, people):
        membership, created = Membership.objects.get_or_create(
            cohort=cohort,
            person=person,
            defaults={"status": Membership.Status.MEMBER, "joined_at": joined_at},
        )
        if created:
            added += 1
        elif membership.status != Membership.Status.MEMBER:
            membership.status, membership.joined_at = Membership.Status.MEMBER, joined_at
            membership.save(update_fields=["status", "joined_at"])
            added += 1
    return added


def request_to_join(*, cohort: Cohort, person: Person) -> Membership:
    if not cohort.open_to_join:
        raise ValidationError(gettext("This cohort is not taking requests to join."))
    membership, _ = Membership.objects.get_or_create(
        cohort=cohort, person=person, defaults={"status": Membership.Status.REQUESTED}
    )
    return membership


def remove_member(*, membership: Membership) -> None:
    membership.delete()


def _default_item(kind: str, default: tuple[Promise, Promise, int]) -> RunItem:
    """A default part of the run-of-show, with its texts in every language we speak."""
    title, body, minutes = default
    with in_source_language():
        item = RunItem(kind=kind, title=str(title), body=str(body), minutes=minutes)
    for language in translation_languages():
        with translation.override(language):
            item.translations[language] = {"title": str(title), "body": str(body)}
    return item


def _question_item(question: DiscussionQuestion) -> RunItem:
    texts = question.translations
    return RunItem(
        kind=RunItem.Kind.QUESTION,
        title=question.text[:200],
        minutes=QUESTION_MINUTES,
        translations={
            lang: {"title": t["text"][:200]} for lang, t in texts.items() if t.get("text")
        },
    )


def _exercise_item(exercise: Exercise) -> RunItem:
    return RunItem(
        kind=RunItem.Kind.EXERCISE,
        title=exercise.title,
        body=exercise.body[:4000],
        minutes=exercise.minutes,
        translations={
            lang: {"title": t.get("title", ""), "body": t.get("body", "")[:4000]}
            for lang, t in exercise.translations.items()
        },
    )


@transaction.atomic
def build_run_of_show(*, session: Session) -> list[RunItem]:
    """Replace the session's run-of-show with the default one for its module."""
    session.items.all().delete()
    items = [
        _default_item(RunItem.Kind.GRATITUDE, GRATITUDE),
        _default_item(RunItem.Kind.AGREEMENTS, AGREEMENTS),
    ]
    if session.module_id:
        with in_source_language():
            questions = list(
                DiscussionQuestion.objects.active().filter(module_id=session.module_id)[
                    :QUESTIONS_PER_SESSION
                ]
            )
            exercises = list(Exercise.objects.active().filter(module_id=session.module_id))
        items += [_question_item(question) for question in questions]
        exercise = next((e for e in exercises if e.format == "group"), None) or next(
            iter(exercises), None
        )
        if exercise is not None:
            items.append(_exercise_item(exercise))
    items.append(_default_item(RunItem.Kind.COMMITMENTS, COMMITMENTS))
    for position, item in enumerate(items, start=1):
        item.session, item.position, item.default_text = session, position, True
    return RunItem.objects.bulk_create(items)


ATTENDED_SESSIONS_STAY_PUT = gettext_lazy(
    "Members were marked present at this session, so its date, time and length stay as they "
    "are: its feedback pulse opens and closes with them. The place, link and module can "
    "still change."
)
INVITE_FIELDS = ("starts_at", "time_zone", "duration_minutes", "location", "video_link", "module")


@transaction.atomic
def update_session(
    *,
    session: Session,
    on: date,
    at: time,
    time_zone: str,
    duration_minutes: int,
    location: str,
    video_link: str,
    module: Module | None,
) -> bool:
    """Save changes; anything the calendar shows raises the invite's SEQUENCE, so calendar
    apps replace the old event. A new module brings its own run-of-show. True if the
    invite changed."""
    if module is not None and module.organisation_id != session.cohort.organisation_id:
        raise ValidationError(gettext("That module is not part of your organisation's curriculum."))
    starts_at = cadence.local_datetime(on, at, time_zone)
    # Read again, locked: someone checking in while the form was open has fixed the time.
    now_starts, now_minutes, attended = (
        Session.objects.select_for_update()
        .values_list("starts_at", "duration_minutes", "was_attended")
        .get(pk=session.pk)
    )
    moved = starts_at != now_starts or duration_minutes != now_minutes
    if moved and attended:
        # The pulse opens and closes with the session. Were it movable once answered, it could
        # be closed to read its totals, reopened for one more answer and closed again. Only
        # those marked present answer, so a session nobody attended has no answers; and the
        # rule never turns on the answers themselves, which would tell the facilitator, from
        # the form, that someone had answered.
        raise ValidationError(ATTENDED_SESSIONS_STAY_PUT)
    before = {name: getattr(session, name) for name in INVITE_FIELDS}
    module_changed = session.module_id != (module.pk if module else None)
    session.starts_at = starts_at
    session.time_zone = time_zone
    session.duration_minutes = duration_minutes
    session.location = location
    session.video_link = video_link
    session.module = module
    changed = any(getattr(session, name) != value for name, value in before.items())
    if changed:
        session.sequence += 1
        session.updated_at = timezone.now()
    session.full_clean()
    # Never `was_attended`: this copy may predate a check-in, and the flag is never unset.
    session.save(update_fields=[*INVITE_FIELDS, "sequence", "updated_at"])
    if module_changed:
        build_run_of_show(session=session)
    return changed


def _renumber(session: Session, ordered: list[RunItem]) -> None:
    for n, item in enumerate(ordered, start=1):
        item.position = n
    RunItem.objects.bulk_update(ordered, ["position"])


@transaction.atomic
def move_item(*, item: RunItem, direction: str) -> None:
    items = list(RunItem.objects.select_for_update().filter(session_id=item.session_id))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"} or not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    _renumber(item.session, items)


@transaction.atomic
def add_item(*, session: Session, title: str, minutes: int, body: str = "") -> RunItem:
    last = session.items.order_by("-position").values_list("position", flat=True).first() or 0
    item = RunItem(
        session=session,
        kind=RunItem.Kind.OTHER,
        title=title,
        minutes=minutes,
        body=body,
        position=last + 1,
    )
    item.full_clean()
    item.save()
    return item


def update_item(*, item: RunItem, title: str, minutes: int, body: str) -> RunItem:
    """Change a step's minutes and, if the facilitator changed them, its words (which then
    replace the texts of every language)."""
    reworded = item.reword(title=title, body=body)
    item.minutes = minutes
    item.full_clean()
    item.save(
        update_fields=["title", "body", "translations", "default_text", "minutes"]
        if reworded
        else ["minutes"]
    )
    return item


@transaction.atomic
def remove_item(*, item: RunItem) -> None:
    session = item.session
    item.delete()
    _renumber(session, list(session.items.all()))


def save_note(*, session: Session, author: Person, text: str) -> FacilitatorNote:
    note, _ = FacilitatorNote.objects.get_or_create(session=session, author=author)
    note.text = text
    note.updated_at = timezone.now()
    note.save()
    return note


def note_for(*, session: Session, author: Person) -> str:
    note = FacilitatorNote.objects.filter(session=session, author=author).first()
    return (note.text or "") if note else ""


def member_ids(session: Session) -> set[int]:
    return set(
        Membership.objects.filter(
            cohort_id=session.cohort_id, status=Membership.Status.MEMBER
        ).values_list("person_id", flat=True)
    )


@transaction.atomic
def mark_attendance(*, session: Session, marks: Mapping[int, str]) -> int:
    """Record present/absent by person id; an empty mark clears it. Only members count.
    One statement clears and one writes, however many people are marked."""
    allowed = member_ids(session)
    cleared = [pid for pid, status in marks.items() if pid in allowed and not status]
    now = timezone.now()
    rows = [
        Attendance(
            session=session,
            person_id=pid,
            status=Attendance.Status(status),
            source=Attendance.Source.FACILITATOR,
            marked_at=now,
        )
        for pid, status in marks.items()
        if pid in allowed and status
    ]
    changed = 0
    present = [row.person_id for row in rows if row.status == Attendance.Status.PRESENT]
    if present:
        _record_attended(session)
        _remember_present(session, present)
    if cleared:
        changed += Attendance.objects.filter(session=session, person_id__in=cleared).delete()[0]
    if rows:
        Attendance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["session", "person"],
            update_fields=["status", "source", "marked_at"],
        )
        changed += len(rows)
    return changed


def _remember_present(session: Session, person_ids: list[int]) -> None:
    OncePresent.objects.bulk_create(
        [OncePresent(session=session, person_id=pid) for pid in person_ids],
        ignore_conflicts=True,
    )


def _record_attended(session: Session) -> None:
    if not session.was_attended:
        # Its pulse's month is fixed first: once someone is present, someone may answer.
        fix_pulse_month(session)
        Session.objects.filter(pk=session.pk).update(was_attended=True)
        session.was_attended = True


def _clock_of(session: Session) -> tzinfo:
    """The zone of the session's organisation's calendar, as it is set now."""
    name = (
        Cohort.objects.filter(pk=session.cohort_id)
        .values_list("organisation__time_zone", flat=True)
        .get()
    )
    return Organisation(time_zone=name).clock


def fix_pulse_month(session: Session) -> date:
    """The month the session's pulse counts in (`Session.pulse_month`), fixed now if it was
    not yet: the month the pulse closes in on the organisation's calendar as it is now.
    Fixed when someone is first marked present, so before anyone can answer; never changed.
    Two at once agree: only the first write of the month is kept."""
    if session.pulse_month is None:
        month = session.pulse_month_on(_clock_of(session))
        if not Session.objects.filter(pk=session.pk, pulse_month__isnull=True).update(
            pulse_month=month
        ):
            fixed = Session.objects.values_list("pulse_month", flat=True).get(pk=session.pk)
            assert fixed is not None
            month = fixed
        session.pulse_month = month
    return session.pulse_month


@transaction.atomic
def self_check_in(*, session: Session, person: Person, now: datetime | None = None) -> Attendance:
    now = now or timezone.now()
    # Locked, and its time read again: a facilitator moving it meanwhile waits, or went first.
    session = Session.objects.select_for_update().get(pk=session.pk)
    if person.pk not in member_ids(session):
        raise ValidationError(gettext("Only members of this cohort can check in."))
    if not session.check_in_open(now):
        raise ValidationError(
            gettext("Check-in opens 15 minutes before the session starts and closes when it ends.")
        )
    _record_attended(session)
    _remember_present(session, [person.pk])
    attendance, _ = Attendance.objects.update_or_create(
        session=session,
        person=person,
        defaults={
            "status": Attendance.Status.PRESENT,
            "source": Attendance.Source.SELF,
            "marked_at": now,
        },
    )
    return attendance


def has_answered(*, session: Session, person: Person) -> bool:
    return PulseResponse.objects.filter(session=session, person=person).exists()


@dataclass(frozen=True)
class PulseStanding:
    """Where one person stands with one session's pulse: whether they answered it, and
    whether their month of feedback was already full (see `month_of_feedback_full`)."""

    answered: bool
    month_full: bool


def pulse_standing(*, session: Session, person: Person) -> PulseStanding:
    """Both in one query, whatever the number of answers: the person's answers to pulses
    counting in the same month as this one's (`Session.pulse_month`, fixed before anyone
    could answer) include this one's, if given. A pulse whose month is not fixed yet (nobody
    was marked present, so nobody answered it) would count in the month it closes in on the
    organisation's calendar now."""
    assert person.organisation is not None
    month = session.pulse_month or session.pulse_month_on(person.organisation.clock)
    in_month = list(
        PulseResponse.objects.filter(person=person, session__pulse_month=month).values_list(
            "session_id", flat=True
        )
    )
    return PulseStanding(
        answered=session.pk in in_month, month_full=len(in_month) >= FEEDBACK_PER_MONTH
    )


def month_of_feedback_full(*, session: Session, person: Person) -> bool:
    """Whether the person has answered as many session pulses counting in the same month as
    this one's (`Session.pulse_month`) as a month counts."""
    return pulse_standing(session=session, person=person).month_full


FEEDBACK_MONTH_FULL = gettext_lazy(
    "You have answered as many session pulses as count in one month. Thank you: this one is "
    "not needed, and nothing is lost by leaving it."
)


NOT_THERE = gettext_lazy(
    "The pulse is for members who were at the session: in the cohort by the time it ended, "
    "and marked present (check in, or ask a facilitator to mark you)."
)
READERS_DO_NOT_ANSWER = gettext_lazy(
    "Facilitators and program admins do not answer a session's pulse: they read its results, "
    "and would know their own answer in them."
)


def _reads(session: Session) -> Q:
    """Who reads a session's pulse results: its facilitators and the program admins."""
    admins = RoleAssignment.objects.filter(role=Role.PROGRAM_ADMIN).values("person_id")
    return Q(person_id__in=session.cohort.facilitators.values("pk")) | Q(person_id__in=admins)


def _members_by_end(session: Session) -> QuerySet[Membership]:
    """The cohort's members who had joined by the time the session ended."""
    return Membership.objects.filter(
        cohort_id=session.cohort_id, status=Membership.Status.MEMBER, joined_at__lte=session.ends_at
    )


def may_answer(session: Session, person: Person) -> bool:
    """Whether the person answers a session's pulse: a member who was at the session (joined
    by its end, marked present). Never someone who reads its results — its facilitators and
    the program admins — since anyone who knows one of the answers would need only four
    others to be alone with the rest."""
    return (
        Attendance.objects.filter(
            session=session,
            person=person,
            status=Attendance.Status.PRESENT,
            person_id__in=_members_by_end(session).values("person_id"),
        )
        .exclude(_reads(session))
        .exists()
    )


def reads_pulse_results(session: Session, person: Person) -> bool:
    return person.is_program_admin or session.cohort.facilitators.filter(pk=person.pk).exists()


PULSE_NOT_OPEN = gettext_lazy("This session's pulse is not open.")


def pulse_refusal(
    *, session: Session, person: Person, standing: PulseStanding, now: datetime
) -> str:
    """Why `answer_pulse` would refuse this person's answer now, for a chat bot to say
    before offering a form to fill in for nothing; "" if it would take it (or they have
    answered already: sending again changes nothing)."""
    if standing.answered:
        return ""
    # The lasting reason first: before the session nobody has been marked present yet.
    if reads_pulse_results(session, person):
        return str(READERS_DO_NOT_ANSWER)
    if not session.pulse_open(now):
        return str(PULSE_NOT_OPEN)
    if not may_answer(session, person):
        return str(NOT_THERE)
    return str(FEEDBACK_MONTH_FULL) if standing.month_full else ""


@transaction.atomic
def answer_pulse(
    *,
    session: Session,
    person: Person,
    useful: int,
    safe: int,
    line: str = "",
    now: datetime | None = None,
) -> bool:
    """Record that the person answered and, separately, what was answered. False if they
    had already answered (the first answer stands)."""
    if not may_answer(session, person):
        if reads_pulse_results(session, person):
            raise ValidationError(READERS_DO_NOT_ANSWER)
        raise ValidationError(NOT_THERE)
    if not session.pulse_open(now or timezone.now()):
        raise ValidationError(PULSE_NOT_OPEN)
    if not (1 <= useful <= 5 and 1 <= safe <= 5):
        raise ValidationError(gettext("Answers go from 1 to 5."))
    # One person's answers at a time, so two at once cannot both pass the month's bound.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if has_answered(session=session, person=person):
        return False
    # Fixed when they were marked present; fixed here only for a session marked otherwise.
    fix_pulse_month(session)
    if month_of_feedback_full(session=session, person=person):
        raise ValidationError(FEEDBACK_MONTH_FULL)
    try:
        with transaction.atomic():
            PulseResponse.objects.create(session=session, person=person)
    except IntegrityError:
        return False
    PulseAnswer.objects.create(session=session, useful=useful, safe=safe, line=line.strip())
    return True


@dataclass(frozen=True)
class PulseSplit:
    """How one question was answered, as its readers may see it: how many rated it 4 or 5
    against 1 to 3, never a table of each value or an average. Either would name every
    answer when all agree: "5 of 5 answered" beside a 1 row holding 5 (or an average of
    1.0) says what each of the five members marked present gave.

    The rule is the one for an ask's check-ins (`asks.models.Aggregate.summary`): a side is
    counted exactly only when it and the other side both hold at least PULSE_MIN_ANSWERS
    answers. Otherwise the sentence gives a band of at least five possible counts ("fewer
    than 5", "more than 7" of 12). Below twice PULSE_MIN_ANSWERS answers no count leaves
    five on each side, so the answers are split only at half: "more than half" or "at least
    half", each a band of at least three counts, neither of which says that everyone chose
    one side. The bands do not overlap, so knowing the rule tells a reader no more than the
    sentence does (`bridgework.lib.small_counts`, shared with an anonymous poll's tally).
    Each case is a whole sentence for translators."""

    answered: int
    high: int

    @property
    def low(self) -> int:
        return self.answered - self.high

    @property
    def sentence(self) -> str:
        values = {
            "count": self.answered,
            "high": self.high,
            "low": self.low,
            "min": PULSE_MIN_ANSWERS,
            "most": self.answered - PULSE_MIN_ANSWERS,
        }
        side = small_counts.band(self.high, self.answered, PULSE_MIN_ANSWERS)
        if side is Band.MORE_THAN_HALF:
            return gettext("More than half of the %(count)s who answered rated it 4 or 5.") % values
        if side is Band.HALF_OR_FEWER:
            return gettext("At least half of the %(count)s who answered rated it 1 to 3.") % values
        if side is Band.FEWER_THAN_MINIMUM:
            return (
                gettext(
                    "Fewer than %(min)s of the %(count)s who answered rated it 4 or 5; "
                    "more than %(most)s rated it 1 to 3."
                )
                % values
            )
        if side is Band.MORE_THAN_MOST:
            return (
                gettext(
                    "More than %(most)s of the %(count)s who answered rated it 4 or 5; "
                    "fewer than %(min)s rated it 1 to 3."
                )
                % values
            )
        return (
            gettext(
                "%(high)s of the %(count)s who answered rated it 4 or 5; %(low)s rated it 1 to 3."
            )
            % values
        )


@dataclass
class PulseSummary:
    invited: int
    answered: int
    shown: bool
    closes_at: datetime
    closed: bool
    useful: PulseSplit | None = None
    safe: PulseSplit | None = None
    lines: list[str] | None = None

    @property
    def rate(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0

    minimum: int = PULSE_MIN_ANSWERS

    @property
    def few_answered(self) -> bool:
        """Below the minimum neither the count nor "of how many" is shown: with one member
        present, "0 of 1" turning into "1 of 1" would say that they answered, and "invited"
        (never below the answers) moves with the attendance the facilitator sets."""
        return self.answered < PULSE_MIN_ANSWERS


def _readers_who_may_know(session: Session, member_readers: set[int]) -> int:
    """How many of the people who read the results may know one of the answers: their own.

    A current reader counts if they were ever marked present at the session (`OncePresent`:
    nobody answers without that) or were a member by its end, whether they answered or not
    and whatever their attendance and membership now. Were only those who answered taken
    off, or only those marked present today, making someone a reader (after unmarking and
    removing them) and watching the results disappear would say whether they had answered.
    Readers who answered before presence was kept (an older database) count too."""
    reads = _reads(session)
    answered = PulseResponse.objects.filter(reads, session=session).values("person_id")
    once_present = OncePresent.objects.filter(reads, session=session).values("person_id")
    others = {row["person_id"] for row in answered.union(once_present)}
    return len(others | member_readers)


def pulse_summary(session: Session, *, now: datetime | None = None) -> PulseSummary:
    """Totals only, once the pulse has closed (while it is open, totals that change with each
    new answer would show that answer), and only if enough of the members who were there
    answered that no one stands out."""
    # Every answer counts, whatever has changed about its author since: were answers counted
    # only for those marked present now, unmarking one person (or making them a facilitator)
    # and watching the count would say whether they answered.
    answered = PulseResponse.objects.filter(session=session).count()
    # Counted in the database: a cohort can have hundreds of members, few of them readers.
    reads = _reads(session)
    members = _members_by_end(session)
    voters = (
        Attendance.objects.filter(
            session=session,
            status=Attendance.Status.PRESENT,
            person_id__in=members.values("person_id"),
        )
        .exclude(reads)
        .count()
    )
    member_readers = set(members.filter(reads).values_list("person_id", flat=True))
    closed = session.pulse_closed(now or timezone.now())
    summary = PulseSummary(
        invited=max(voters, answered),
        answered=answered,
        shown=False,
        closes_at=session.pulse_closes_at,
        closed=closed,
    )
    # Too few answers even before any reader is taken off: no need to ask who reads.
    if not closed or answered - len(member_readers) < PULSE_MIN_ANSWERS:
        return summary
    # A reader may have answered before becoming one, and knows that answer: each is taken
    # off (see _readers_who_may_know).
    unknown_to_readers = answered - _readers_who_may_know(session, member_readers)
    if unknown_to_readers < PULSE_MIN_ANSWERS:
        return summary
    answers = PulseAnswer.objects.filter(session=session)
    totals = answers.aggregate(
        n=Count("pk"),
        useful=Count("pk", filter=Q(useful__gte=4)),
        safe=Count("pk", filter=Q(safe__gte=4)),
    )
    summary.shown = True
    summary.useful = PulseSplit(answered=totals["n"], high=totals["useful"])
    summary.safe = PulseSplit(answered=totals["n"], high=totals["safe"])
    if unknown_to_readers >= PULSE_MIN_FOR_TEXT:
        # Sorted by text, so the order says nothing about who answered when.
        summary.lines = sorted(answers.exclude(line="").values_list("line", flat=True))
    return summary


def create_feed(*, person: Person) -> str:
    """A new private calendar address (replacing any old one). The token is shown once."""
    token = CalendarFeed.new_token()
    CalendarFeed.objects.update_or_create(
        person=person, defaults={"token_hash": hash_token(token), "created_at": timezone.now()}
    )
    return token


def revoke_feed(*, person: Person) -> None:
    CalendarFeed.objects.filter(person=person).delete()


def person_deactivated(person: Person) -> None:
    """Registered with accounts: a deactivated person's calendar address stops for good.
    The feed refuses an inactive person anyway, but an address shared or still subscribed
    somewhere must not start working again if they are reactivated; they make a new one."""
    revoke_feed(person=person)


def person_for_feed(token: str) -> Person | None:
    # Tokens are URL-safe ASCII; anything else (é, Arabic-Indic digits) is simply not one.
    if not token.isascii():
        return None
    feed = (
        CalendarFeed.objects.select_related("person__organisation")
        .filter(token_hash=hash_token(token), person__is_active=True)
        .first()
    )
    return feed.person if feed else None


def _event(session: Session) -> ics.CalendarEvent:
    where = ", ".join(part for part in (session.location, session.video_link) if part)
    link = settings.BASE_URL + reverse("cohort_session", args=[session.pk])
    return ics.CalendarEvent(
        uid=f"session-{session.uid}@bridgework",
        sequence=session.sequence,
        summary=f"{session.cohort.name} — {session.title}",
        start=session.local_start,
        duration=timedelta(minutes=session.duration_minutes),
        description=gettext("Details and the handout: %(link)s") % {"link": link},
        location=where,
        url=link,
    )


def session_invite(session: Session, *, now: datetime | None = None) -> bytes:
    return ics.build_calendar([_event(session)], now=now or timezone.now())


def person_calendar(person: Person, *, now: datetime | None = None) -> bytes:
    """The person's feed, in their own language: calendar apps fetch it without signing in."""
    sessions = (
        Session.objects.for_person(person)
        .select_related("cohort", "module")
        .filter(starts_at__gte=(now or timezone.now()) - timedelta(days=90))
    )
    with translation.override(person.preferred_language):
        return ics.build_calendar(
            [_event(s) for s in sessions],
            now=now or timezone.now(),
            name=gettext("Bridgework sessions"),
        )
