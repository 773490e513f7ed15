"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 as a second fence."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False})
        .enable("table")
        .enable("strikethrough")
    )


def _shift_headings(html: str) -> str:
    # Page templates own the <h1>; a "# Heading" in content becomes an <h2>.
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def render(text: str) -> str:
    html = _shift_headings(_parser().render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=256)
def render_shared(text: str) -> str:
    """`render` for text everyone in an organisation reads again and again (lessons,
    modules): kept per process, as rendering a lesson was a fifth of its page's time.
    Never for a person's own text, which must not linger in a cache."""
    return render(text)
