"""`{{ cohort|members_line }}` and `{{ cohort|starts_line }}`: the counts under a cohort's
name on the cohorts page ("12 members · you run this cohort", "Starts 6 January 2027 · 12
members").

Built here rather than with a `{% blocktranslate %}` a card: the page lists twenty cohorts,
and those tags were a third of its time (bench/PAGES.md, twenty-first round). The sentences
are the catalogs' own, as the tags had them; only the values are escaped, as the tags
escape them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from bridgework.lib.cadence import zone_or_utc

register = template.Library()


@register.filter
def members_line(cohort: Any) -> SafeString:
    count = cohort.member_count
    if cohort.managed:
        text = ngettext(
            "%(counter)s member · you run this cohort",
            "%(counter)s members · you run this cohort",
            count,
        )
    else:
        text = ngettext("%(counter)s member", "%(counter)s members", count)
    return mark_safe(text % {"counter": localize(count)})  # noqa: S308 - catalog text


@register.filter
def starts_line(cohort: Any) -> SafeString:
    count = cohort.member_count
    start = timezone.localtime(cohort.first_start, zone_or_utc(cohort.time_zone))
    text = ngettext(
        "Starts %(start)s · %(counter)s member", "Starts %(start)s · %(counter)s members", count
    )
    values = {"start": conditional_escape(date_format(start, "j F Y")), "counter": localize(count)}
    return mark_safe(text % values)  # noqa: S308 - catalog text, escaped values
