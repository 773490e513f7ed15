"""`{% reaction_form post %}`: a post's reaction buttons, in one form per post.

A thread page shows up to twenty posts with a button for each kind of reaction. Written as
a template loop, those buttons were a quarter of the thread page's time and most of what
the page adds per post (bench/PAGES.md, tenth round). Here every piece of text is escaped
as it is put in, as the template did; the words come translated by `attach_reactions`."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from bridgework.lib.addresses import row_address

register = template.Library()

# Each button has an id that stays the same across the swap, so htmx puts the keyboard's
# focus back on the button just pressed.
_BUTTON = (
    '<button type="submit" name="kind" value="{kind}" id="react-{post:d}-{kind}" '
    'class="community-reaction" aria-pressed="{mine}">'
    '{label} <span class="community-reaction__count">{count:d}</span>'
    '<span class="visually-hidden"> {people}</span></button>'
)
_FORM = (
    '<form class="community-reactions" id="reactions-{id:d}" method="post" action="{action}" '
    'hx-post="{action}" hx-target="this" hx-swap="outerHTML">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">{buttons}</form>'
)


@register.simple_tag(takes_context=True)
def reaction_form(context: template.Context, post: Any) -> SafeString:
    buttons = "".join(
        _BUTTON.format(
            kind=escape(kind),
            post=post.pk,
            mine="true" if mine else "false",
            label=escape(label),
            count=count,
            people=escape(people),
        )
        for kind, label, count, mine, people in post.reaction_list
    )
    return mark_safe(  # noqa: S308  (every value above is escaped or an integer)
        _FORM.format(
            id=post.pk,
            action=escape(row_address(post.pk, "community_react")),
            token=escape(str(context.get("csrf_token", ""))),
            buttons=buttons,
        )
    )
