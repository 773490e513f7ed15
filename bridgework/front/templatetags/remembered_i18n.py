"""Django's `i18n` template library, with each fixed `{% translate "…" %}` translated once per
language.

What a fixed sentence renders to depends on the language only (and on whether the template
escapes), yet the tag looks it up in every catalog again on every render, and a page renders
thirty to sixty of them (bench/PAGES.md, twenty-second round). Templates load this library
with `{% load i18n %}`: `settings.TEMPLATES` registers it under that label. The other tags
and filters are Django's own, as is `{% translate some_variable %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.safestring import SafeString

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


def _fixed(expression: FilterExpression | None) -> bool:
    """Whether the expression is a string written in the template, with no filters."""
    if expression is None:
        return True
    var: Any = expression.var
    literal = var if isinstance(var, str) else getattr(var, "literal", None)
    return literal is not None and not expression.filters


class RememberedTranslateNode(django_i18n.TranslateNode):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed = _fixed(self.filter_expression) and _fixed(self.message_context)
        self.rendered: dict[tuple[str | None, bool], str | SafeString] = {}

    def render(self, context: Context) -> str:
        if not self.fixed:
            return str(super().render(context))
        key = (translation.get_language(), context.autoescape)
        if key not in self.rendered:
            output = super().render(context)
            self.rendered[key] = context[self.asvar] if self.asvar else output
        if self.asvar:
            context[self.asvar] = self.rendered[key]
            return ""
        return self.rendered[key]


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> RememberedTranslateNode:
    node = django_i18n.do_translate(parser, token)
    return RememberedTranslateNode(
        node.filter_expression, node.noop, node.asvar, node.message_context
    )
