"""`{{ reason|sentence }}`: someone's words ending in exactly one full stop (or their own
question or exclamation mark), so a notice never reads "…directly.. Only you…"."""

from __future__ import annotations

from django import template

from bridgework.lib.sentences import as_sentence

register = template.Library()


@register.filter(is_safe=True)
def sentence(value: object) -> str:
    return as_sentence(str(value or ""))
