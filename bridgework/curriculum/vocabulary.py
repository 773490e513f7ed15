"""The fixed vocabularies that curriculum files and tips are tagged with."""

from django.db import models


class Practice(models.TextChoices):
    """The seven practices of active allyship (after Luthra, HBR 2022)."""

    DEEP_CURIOSITY = "deep-curiosity", "Deep curiosity"
    HONEST_INTROSPECTION = "honest-introspection", "Honest introspection"
    HUMBLE_ACKNOWLEDGEMENT = "humble-acknowledgement", "Humble acknowledgement"
    EMPATHETIC_ENGAGEMENT = "empathetic-engagement", "Empathetic engagement"
    AUTHENTIC_CONVERSATIONS = "authentic-conversations", "Authentic conversations"
    VULNERABLE_INTERACTIONS = "vulnerable-interactions", "Vulnerable interactions"
    COURAGEOUS_RESPONSIBILITIES = "courageous-responsibilities", "Courageous responsibilities"


class Defense(models.TextChoices):
    """The four defenses that hold people back (after Erin L. Thomas)."""

    SELF_PRESERVATION = "self-preservation", "Self-preservation"
    SELF_CONSCIOUSNESS = "self-consciousness", "Self-consciousness"
    OTHER_CONSCIOUSNESS = "other-consciousness", "Other-consciousness"
    PARALYSIS = "paralysis", "Paralysis"


class Courage(models.IntegerChoices):
    LEARN = 1, "1 · Learn"
    SUPPORT = 2, "2 · Support"
    SPEAK_UP = 3, "3 · Speak up"
    ACCOMPLICE = 4, "4 · Accomplice"


class Context(models.TextChoices):
    MEETINGS = "meetings", "Meetings"
    ONE_TO_ONES = "one-to-ones", "One-to-ones"
    HIRING = "hiring", "Hiring"
    CHAT = "chat", "Chat"
    REMOTE = "remote", "Remote work"
    EVENTS = "events", "Events"
    EMAIL = "email", "E-mail"
    FEEDBACK = "feedback", "Feedback"
    ONBOARDING = "onboarding", "Onboarding"
    EVERYDAY = "everyday", "Everyday"


class ExerciseFormat(models.TextChoices):
    SOLO = "solo", "On your own"
    PAIR = "pair", "In pairs"
    GROUP = "group", "In a group"


class Effort(models.IntegerChoices):
    """Filter bands for a tip's effort in minutes."""

    QUICK = 5, "5 minutes or less"
    SHORT = 15, "15 minutes or less"
    LONGER = 60, "Up to an hour"
