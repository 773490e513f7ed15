"""The fixed vocabularies that curriculum files and tips are tagged with."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Practice(models.TextChoices):
    """The seven practices of active allyship (after Luthra, HBR 2022)."""

    DEEP_CURIOSITY = "deep-curiosity", _("Deep curiosity")
    HONEST_INTROSPECTION = "honest-introspection", _("Honest introspection")
    HUMBLE_ACKNOWLEDGEMENT = "humble-acknowledgement", _("Humble acknowledgement")
    EMPATHETIC_ENGAGEMENT = "empathetic-engagement", _("Empathetic engagement")
    AUTHENTIC_CONVERSATIONS = "authentic-conversations", _("Authentic conversations")
    VULNERABLE_INTERACTIONS = "vulnerable-interactions", _("Vulnerable interactions")
    COURAGEOUS_RESPONSIBILITIES = "courageous-responsibilities", _("Courageous responsibilities")


class Defense(models.TextChoices):
    """The four defenses that hold people back (after Erin L. Thomas)."""

    SELF_PRESERVATION = "self-preservation", _("Self-preservation")
    SELF_CONSCIOUSNESS = "self-consciousness", _("Self-consciousness")
    OTHER_CONSCIOUSNESS = "other-consciousness", _("Other-consciousness")
    PARALYSIS = "paralysis", _("Paralysis")


class Courage(models.IntegerChoices):
    LEARN = 1, _("1 · Learn")
    SUPPORT = 2, _("2 · Support")
    SPEAK_UP = 3, _("3 · Speak up")
    ACCOMPLICE = 4, _("4 · Accomplice")


class Context(models.TextChoices):
    MEETINGS = "meetings", _("Meetings")
    ONE_TO_ONES = "one-to-ones", _("One-to-ones")
    HIRING = "hiring", _("Hiring")
    CHAT = "chat", pgettext_lazy("where a tip fits", "Chat")
    REMOTE = "remote", _("Remote work")
    EVENTS = "events", _("Events")
    EMAIL = "email", _("E-mail")
    FEEDBACK = "feedback", _("Feedback")
    ONBOARDING = "onboarding", _("Onboarding")
    EVERYDAY = "everyday", _("Everyday")


class ExerciseFormat(models.TextChoices):
    SOLO = "solo", _("On your own")
    PAIR = "pair", _("In pairs")
    GROUP = "group", _("In a group")


class Effort(models.IntegerChoices):
    """Filter bands for a tip's effort in minutes."""

    QUICK = 5, _("5 minutes or less")
    SHORT = 15, _("15 minutes or less")
    LONGER = 60, _("Up to an hour")


def label_of(choices: type[models.Choices], value: object) -> str:
    """A choice's label in the page's language, as `get_FOO_display()` gives it. Django's
    version rebuilds the field's whole list of choices on every call (~50 µs); a page of 20
    tips asked it 60 times."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
