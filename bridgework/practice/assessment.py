"""The self-assessment: how often a person practised each of the seven practices last month,
and which defense holds them back most right now. Written in Bridgework's own words; the
practices are after Luthra (HBR 2022), the defenses after Erin L. Thomas.

Every text is marked for translation (lazily: it is read in the language of the request,
or of the person an e-mail goes to)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

FREQUENCY_SCALE: list[tuple[int, _StrOrPromise]] = [
    (0, _("Not this month")),
    (1, _("Once or twice")),
    (2, _("A few times")),
    (3, _("Most weeks")),
    (4, _("Most days")),
]

_LOWEST = FREQUENCY_SCALE[0][0]
_HIGHEST = FREQUENCY_SCALE[-1][0]


@dataclass(frozen=True)
class Item:
    """One question of the assessment, about one concrete thing a person does at work."""

    key: str
    practice: str
    text: _StrOrPromise


ITEMS: list[Item] = [
    # Deep curiosity
    Item(
        key="curiosity-ask-about-experience",
        practice="deep-curiosity",
        text=_(
            "In the last month, how often did you ask a colleague a respectful question "
            "about their life or their experience at work, and then really listen?"
        ),
    ),
    Item(
        key="curiosity-notice-missing-voices",
        practice="deep-curiosity",
        text=_(
            "In the last month, how often did you stop to ask whose views were missing "
            "from a meeting, a project or a decision?"
        ),
    ),
    Item(
        key="curiosity-learn-from-other-lives",
        practice="deep-curiosity",
        text=_(
            "In the last month, how often did you read, watch or listen to something made "
            "by a person whose life is very different from yours?"
        ),
    ),
    # Honest introspection
    Item(
        key="introspection-check-who-you-pick",
        practice="honest-introspection",
        text=_(
            "In the last month, how often did you look at who you turned to first for "
            "advice, praise or a stretch task, and ask yourself why?"
        ),
    ),
    Item(
        key="introspection-reread-your-words",
        practice="honest-introspection",
        text=_(
            "In the last month, how often did you reread feedback or notes you wrote about "
            "people, checking whether you describe some people differently from others?"
        ),
    ),
    Item(
        key="introspection-question-first-impressions",
        practice="honest-introspection",
        text=_(
            "In the last month, how often did you pause to ask what a quick first "
            "impression of someone was really based on?"
        ),
    ),
    # Humble acknowledgement
    Item(
        key="acknowledgement-say-you-do-not-know",
        practice="humble-acknowledgement",
        text=_(
            'In the last month, how often did you say "I don\'t know" or "I hadn\'t thought '
            'of that" when a colleague described an experience unlike yours?'
        ),
    ),
    Item(
        key="acknowledgement-notice-what-is-easy-for-you",
        practice="humble-acknowledgement",
        text=_(
            "In the last month, how often did you notice something at work that is easy "
            "for you but harder for someone else?"
        ),
    ),
    Item(
        key="acknowledgement-check-before-assuming",
        practice="humble-acknowledgement",
        text=_(
            "In the last month, how often did you check with others before assuming that "
            "a plan, a time or a place worked for everyone?"
        ),
    ),
    # Empathetic engagement
    Item(
        key="empathy-focus-on-how-it-landed",
        practice="empathetic-engagement",
        text=_(
            "In the last month, how often did you focus on how a remark landed for a "
            "colleague, rather than on what was meant by it?"
        ),
    ),
    Item(
        key="empathy-check-in-after-a-sting",
        practice="empathetic-engagement",
        text=_(
            "In the last month, how often did you check in privately with a colleague "
            "after a moment that might have hurt them?"
        ),
    ),
    Item(
        key="empathy-listen-without-fixing",
        practice="empathetic-engagement",
        text=_(
            "In the last month, how often did you listen to a colleague's hard experience "
            "without trying to fix it, compare it or explain it away?"
        ),
    ),
    # Authentic conversations
    Item(
        key="conversations-raise-fairness",
        practice="authentic-conversations",
        text=_(
            "In the last month, how often did you bring up a question about fairness or "
            "inclusion in a meeting or a one-to-one?"
        ),
    ),
    Item(
        key="conversations-invite-disagreement",
        practice="authentic-conversations",
        text=_(
            "In the last month, how often did you invite people to disagree with you, and "
            "thank them when they did?"
        ),
    ),
    Item(
        key="conversations-ask-how-it-really-is",
        practice="authentic-conversations",
        text=_(
            "In the last month, how often did you ask a teammate how work was really going "
            "for them, in a setting where they could answer openly?"
        ),
    ),
    # Vulnerable interactions
    Item(
        key="vulnerability-share-a-mistake",
        practice="vulnerable-interactions",
        text=_(
            "In the last month, how often did you tell someone about a mistake you made "
            "and what you learned from it?"
        ),
    ),
    Item(
        key="vulnerability-talk-about-learning",
        practice="vulnerable-interactions",
        text=_(
            "In the last month, how often did you talk openly about something you are "
            "still learning as an ally?"
        ),
    ),
    Item(
        key="vulnerability-ask-for-feedback",
        practice="vulnerable-interactions",
        text=_(
            "In the last month, how often did you ask someone for honest feedback on how "
            "you show up for your colleagues?"
        ),
    ),
    # Courageous responsibilities
    Item(
        key="responsibility-speak-up",
        practice="courageous-responsibilities",
        text=_(
            "In the last month, how often did you speak up, in the moment or soon after, "
            "when a remark or a decision seemed unfair to someone?"
        ),
    ),
    Item(
        key="responsibility-credit-by-name",
        practice="courageous-responsibilities",
        text=_(
            "In the last month, how often did you make sure a colleague got credit for "
            "their idea, by name?"
        ),
    ),
    Item(
        key="responsibility-open-a-door",
        practice="courageous-responsibilities",
        text=_(
            "In the last month, how often did you use your access or influence to "
            "recommend, sponsor or open a door for someone who has less of it?"
        ),
    ),
]


@dataclass(frozen=True)
class PracticeInfo:
    """One of the seven practices, as the assessment explains it."""

    slug: str
    name: _StrOrPromise
    short: _StrOrPromise
    growth_tip: _StrOrPromise


PRACTICES: list[PracticeInfo] = [
    PracticeInfo(
        slug="deep-curiosity",
        name=_("Deep curiosity"),
        short=_(
            "You take a real interest in the many parts of who people are, yourself "
            "included, and you ask with care."
        ),
        growth_tip=_(
            "This week, try one open question with a colleague, such as \"What's something "
            "about your work that most people don't see?\", and simply listen."
        ),
    ),
    PracticeInfo(
        slug="honest-introspection",
        name=_("Honest introspection"),
        short=_(
            "You look at your own habits and choices to find the assumptions hiding inside them."
        ),
        growth_tip=_(
            "Pick one choice you make often, like who you ask for help first, and jot down "
            "who it was each time for one week."
        ),
    ),
    PracticeInfo(
        slug="humble-acknowledgement",
        name=_("Humble acknowledgement"),
        short=_(
            "You admit what you don't know and notice the advantages that make some "
            "things easier for you."
        ),
        growth_tip=_(
            "Next time someone shares an experience unlike yours, try \"I hadn't thought "
            'of that. Tell me more." and let that be your whole reply.'
        ),
    ),
    PracticeInfo(
        slug="empathetic-engagement",
        name=_("Empathetic engagement"),
        short=_(
            "When someone tells you something stung, you turn toward their experience "
            "instead of defending your intent."
        ),
        growth_tip=_(
            'Keep a simple phrase ready, like "Thank you for telling me," so your first '
            "reply to a concern is to listen."
        ),
    ),
    PracticeInfo(
        slug="authentic-conversations",
        name=_("Authentic conversations"),
        short=_(
            "You help keep talk at work honest and safe, so people can raise hard things "
            "without fear."
        ),
        growth_tip=_(
            'In your next one-to-one, ask one real question, such as "Is anything making '
            'work harder for you right now?", and give the answer time.'
        ),
    ),
    PracticeInfo(
        slug="vulnerable-interactions",
        name=_("Vulnerable interactions"),
        short=_(
            "You let people see that you are still learning, including the times you got it wrong."
        ),
        growth_tip=_(
            "Tell one person you trust about one thing you are still learning; a single "
            "sentence is plenty."
        ),
    ),
    PracticeInfo(
        slug="courageous-responsibilities",
        name=_("Courageous responsibilities"),
        short=_(
            "You use the voice and influence you have to back others up and to change "
            "what isn't fair."
        ),
        growth_tip=_(
            "Choose one low-risk move for this week, like naming whose idea it was, and "
            "let that be enough for now."
        ),
    ),
]


@dataclass(frozen=True)
class DefenseInfo:
    """One of the four defenses, with the questions that guide an action plan past it."""

    slug: str
    name: _StrOrPromise
    sounds_like: _StrOrPromise
    protects: _StrOrPromise
    way_through: _StrOrPromise
    plan_prompts: dict[str, _StrOrPromise]


PLAN_PROMPT_KEYS: tuple[str, ...] = ("serves_me", "costs", "small_step", "when", "with_whom")

DEFENSES: list[DefenseInfo] = [
    DefenseInfo(
        slug="self-preservation",
        name=_("Self-preservation"),
        sounds_like=_("\"I'm running on empty. I can't take on one more hard thing today.\""),
        protects=_(
            "Your energy and your wellbeing, which truly matter, most of all when work "
            "or life already asks a lot of you."
        ),
        way_through=_(
            "Match the step to the energy you have: on a hard week, a two-line kind "
            "message counts as much as a long talk."
        ),
        plan_prompts={
            "serves_me": _("How does guarding your energy help you right now?"),
            "costs": _("What does it cost you, or a colleague, when you step back?"),
            "small_step": _("What is one light step that fits the energy you have this week?"),
            "when": _("When in your week do you usually have a little energy to spare?"),
            "with_whom": _("Who could share the load with you, or remind you to rest?"),
        },
    ),
    DefenseInfo(
        slug="self-consciousness",
        name=_("Self-consciousness"),
        sounds_like=_(
            '"If I show that I care, or that I\'m unsure, people will think less of me."'
        ),
        protects=_(
            "Your standing and your sense of safety at work, shaped by real lessons about "
            "what happens when people show feelings there."
        ),
        way_through=_(
            'Take one small, planned risk, like saying "this matters to me" in a meeting, '
            "and notice what actually happens next."
        ),
        plan_prompts={
            "serves_me": _("What does keeping your feelings hidden protect for you at work?"),
            "costs": _("What do colleagues miss when they can't tell that you care?"),
            "small_step": _("What is one small way to show a bit more of yourself?"),
            "when": _("In which meeting or chat would a small risk feel manageable?"),
            "with_whom": _("Who is one person you already feel fairly safe with?"),
        },
    ),
    DefenseInfo(
        slug="other-consciousness",
        name=_("Other-consciousness"),
        sounds_like=_('"I don\'t want to make things awkward or put my feelings on anyone."'),
        protects=_(
            "Your relationships and other people's comfort, which shows how much you care "
            "about the people around you."
        ),
        way_through=_(
            "Share one honest line that suits the setting, then hand the conversation "
            "back with a question."
        ),
        plan_prompts={
            "serves_me": _("Whose comfort are you looking after when you hold back?"),
            "costs": _("What might others keep to themselves when you never open up?"),
            "small_step": _("What is one honest thing you could share that fits the setting?"),
            "when": _("Which moment this week would suit a short, honest share?"),
            "with_whom": _("Who might welcome hearing a bit more from you?"),
        },
    ),
    DefenseInfo(
        slug="paralysis",
        name=_("Paralysis"),
        sounds_like=_("\"I wouldn't even know where to start, so I'll wait until I do.\""),
        protects=_(
            "You from getting it wrong, which makes sense when a topic feels big and the "
            "stakes feel high."
        ),
        way_through=_(
            "Pick a step so small it feels almost silly, like noticing who speaks in one "
            "meeting, and do only that."
        ),
        plan_prompts={
            "serves_me": _("What does waiting until you feel ready protect you from?"),
            "costs": _("What has slipped by while you waited to feel ready?"),
            "small_step": _("What is the smallest first step you could take?"),
            "when": _("What day and time this week will you try it?"),
            "with_whom": _("Who could you tell, so they can ask you how it went?"),
        },
    ),
]

CAPACITY_LEVELS: list[tuple[str, _StrOrPromise, _StrOrPromise]] = [
    (
        "full",
        _("I have room to stretch"),
        _("This could be a good week to try a step that asks a little more of you."),
    ),
    (
        "some",
        _("I have some room"),
        _("Keep it steady: pick a step you know you can finish, and let that be enough."),
    ),
    (
        "low",
        _("I'm running low"),
        _(
            "It's hard to care for others with nothing left in the tank, so look after "
            "yourself first: choose a very light step, or pause for a while, and your "
            "progress will wait."
        ),
    ),
]

INTRO: _StrOrPromise = _(
    "This short check-in shows how often you put each of the seven practices to work last "
    "month, and which defense tends to hold you back right now. Only you can see your "
    "answers, and there are no right or wrong ones: it is a picture of your practice, not "
    "a judgement of you. It takes about four minutes, and coming back each month lets you "
    "see your habits grow."
)

RETAKE_NOTE: _StrOrPromise = _(
    "Come back in a month and take it again, so you can see how your practice has grown."
)

_ITEM_PRACTICE: dict[str, str] = {item.key: item.practice for item in ITEMS}
_PRACTICE_ORDER: dict[str, int] = {info.slug: index for index, info in enumerate(PRACTICES)}


def practice_scores(answers: dict[str, int]) -> dict[str, float]:
    """Mean frequency (0-4) per practice over the items answered; practices with no answered
    item are left out.

    Keys that are not item keys (for example an item retired since the answers were given)
    are ignored. A value outside the frequency scale raises ValueError. The result follows
    the order of PRACTICES.
    """
    totals: dict[str, list[int]] = {}
    for key, value in answers.items():
        practice = _ITEM_PRACTICE.get(key)
        if practice is None:
            continue
        if not _LOWEST <= value <= _HIGHEST:
            raise ValueError(f"answer for {key!r} must be {_LOWEST}-{_HIGHEST}, got {value!r}")
        totals.setdefault(practice, []).append(value)
    return {
        info.slug: sum(totals[info.slug]) / len(totals[info.slug])
        for info in PRACTICES
        if info.slug in totals
    }


def weakest_practice(scores: dict[str, float]) -> str | None:
    """The practice with the lowest mean (ties broken by the PRACTICES order); None if empty."""
    if not scores:
        return None
    unknown = len(_PRACTICE_ORDER)
    return min(scores, key=lambda slug: (scores[slug], _PRACTICE_ORDER.get(slug, unknown)))
