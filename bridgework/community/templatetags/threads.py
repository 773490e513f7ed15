"""`{{ thread|byline }}`: "by Nia · 3 replies · last post 2 hours ago", under a thread's title;
`{{ moment|ago }}`: "2 hours ago" (`bridgework/lib/ago.py`).

Built here rather than with three `{% blocktranslate %}` a row: a space's page lists twenty
threads, and those tags were a quarter of the page's time (bench/PAGES.md, nineteenth
round). The sentences are the catalogs' own, escaped as the tags escape them: the
translations stay as they are, and only the person's name and the time are escaped."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from bridgework.lib.ago import time_ago

register = template.Library()

ago = register.filter("ago", time_ago)


@register.filter
def byline(thread: Any) -> SafeString:
    if thread.author:
        by = gettext("by <bdi>%(name)s</bdi>") % {
            "name": conditional_escape(thread.author.chosen_name)
        }
    else:
        by = gettext("by a former member")
    replies = ngettext("%(counter)s reply", "%(counter)s replies", thread.reply_count) % {
        "counter": localize(thread.reply_count)
    }
    last = gettext("last post %(when)s") % {
        "when": conditional_escape(time_ago(thread.last_activity_at))
    }
    return mark_safe(f"{by} · {replies} · {last}")  # noqa: S308 - catalog text, escaped values
