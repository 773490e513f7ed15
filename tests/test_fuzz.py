"""Hostile input at every URL of the project, from every position: never a server error.

Like the authorization matrix (tests/test_authorization.py), this walks the URL configuration,
so a new view is fuzzed without anyone writing a test for it. For each route, method and
position it first makes an ordinary request while noting which query-string and form keys
the view looks up (every `QueryDict` lookup is recorded, so keys read by forms and by hand
are both found). It then sends those keys again with hostile values: Unicode digits, huge
and negative numbers, non-ASCII text, control characters, NUL bytes, very long strings,
fields left out and fields sent twice. Path segments get hostile values too where their
converter lets them through. Any 5xx answer or unhandled exception is a failure.

A fixed list of nasty values is always tried first; Hypothesis then draws a few more
combinations, derandomized so every CI run sends the same requests.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import PASSWORD, POSITIONS, Cast
from .test_authorization import ADMIN_PREFIX, example_path, walk
from .test_authorization import sample_values as sample_values  # the matrix's objects

# Marker keys sent with every fuzzed request: they tell a recorded lookup whether it was made
# on request.GET or request.POST, and they make both non-empty, so views that bind a form
# only when there is data (`Form(request.GET or None)`) read every field.
GET_MARK = "_fuzz_get"
POST_MARK = "_fuzz_post"

# Always tried first, each sent in every key at once.
NASTY_VALUES = [
    "\N{MATHEMATICAL BOLD DIGIT NINE}",
    "9" * 5000,
    "-1",
    "1e400",
    "Zoë ✊🏾 自分",
    "\x01\x08\x1b\x7f\u200b\u202e\r\n\t",
    "",
    "//evil.example/",
]
# Sent in one key at a time while the other keys hold sensible values (or are left out): a
# value too long for its column only fails once the rest of the form is valid, and a view
# may read one key only when another is missing.
DEEP_VALUES = ["²", "99999999999999999999999", "\x00", "x" * 12_000]
# Forms with more keys than this get one deep value per key, in turn, to keep within budget.
MANY_KEYS = 12
# Drawn from by Hypothesis, with everything it makes up.
MORE_NASTY_VALUES = [
    "٣",
    "1²",
    "-99999999999999999999999",
    "0",
    "Zoë ✊🏾 自分",
    "1.5",
    "NaN",
    "é",
    "1\x00",
    " ",
    "../../etc/passwd",
    "%00",
    "javascript:alert(1)",
]
# Path segments: an int converter only lets digits through, a slug only ASCII letters, digits,
# hyphens and underscores; str takes anything but a slash.
NASTY_SEGMENTS = {
    "int": ["99999999999999999999999"],
    "str": ["é", "²", "\x00", "\x01\x7f", "x" * 5000],
    "slug": ["_", "x" * 5000],
}

unicode_digits = st.text(st.characters(categories=["Nd"]), min_size=1, max_size=6)
hostile_text = st.one_of(
    st.sampled_from(NASTY_VALUES + DEEP_VALUES + MORE_NASTY_VALUES),
    unicode_digits,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Zs"], codec="utf-8"), max_size=10),
)
# A field is left out (None), sent once, or sent several times.
hostile_field = st.one_of(st.none(), hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
HYPOTHESIS_SETTINGS = settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@contextmanager
def recording_lookups() -> Iterator[set[tuple[str, str]]]:
    """Note every key looked up on a marked request.GET ("GET") or request.POST ("POST")."""
    asked: set[tuple[str, str]] = set()
    names = ("__getitem__", "__contains__", "get", "getlist")
    own = {name: QueryDict.__dict__[name] for name in names if name in QueryDict.__dict__}

    def recording(original: Callable[..., Any]) -> Callable[..., Any]:
        def lookup(self: QueryDict, key: object, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str) and key not in (GET_MARK, POST_MARK):
                if dict.__contains__(self, GET_MARK):
                    asked.add(("GET", key))
                elif dict.__contains__(self, POST_MARK):
                    asked.add(("POST", key))
            return original(self, key, *args, **kwargs)

        return lookup

    for name in names:
        setattr(QueryDict, name, recording(getattr(QueryDict, name)))
    try:
        yield asked
    finally:
        for name in names:
            if name in own:
                setattr(QueryDict, name, own[name])
            else:
                delattr(QueryDict, name)


Fields = Mapping[str, "str | list[str] | None"]


@dataclass
class Target:
    """One route and method as one position sees it, and the keys its view reads."""

    route: str
    name: str
    method: str
    path: str
    get_keys: list[str] = field(default_factory=list)
    post_keys: list[str] = field(default_factory=list)
    # Sensible values for some keys, from the forms on the page at the same address.
    valid: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Fuzzer:
    client: Client
    position: str
    cookies: dict[str, str]
    failures: list[str] = field(default_factory=list)

    def send(
        self, method: str, path: str, get: Fields, post: Fields
    ) -> tuple[int, set[tuple[str, str]], str]:
        """One request, rolled back, with every lookup recorded; a crash becomes a failure.
        Returns the status, the keys looked up and the page (HTML only)."""
        query = urlencode(_present({GET_MARK: "1", **get}), doseq=True)
        self.client.cookies = SimpleCookie(dict(self.cookies))
        status = 0
        with recording_lookups() as asked:
            try:
                with transaction.atomic():
                    if method == "GET":
                        response = self.client.get(f"{path}?{query}")
                    else:
                        data = _present({POST_MARK: "1", **post})
                        response = self.client.post(f"{path}?{query}", data)
                    transaction.set_rollback(True)
                status = response.status_code
            except Exception as error:
                self.fail(method, path, get, post, repr(error)[:300])
                return 500, asked, ""
        if status >= 500:
            self.fail(method, path, get, post, f"status {status}")
        html = response.get("Content-Type", "").startswith("text/html")
        page = response.content.decode(errors="replace") if html and status == 200 else ""
        return status, asked, page

    def fail(self, method: str, path: str, get: Fields, post: Fields, what: str) -> None:
        self.failures.append(
            f"{method} {_short(path)} as {self.position}"
            f" GET={_short(_present(get))} POST={_short(_present(post))}: {what}"
        )

    def fuzz(self, target: Target) -> None:
        get_keys, post_keys, valid = target.get_keys, target.post_keys, target.valid
        if not get_keys and not post_keys:
            return
        method, path = target.method, target.path
        # Each nasty value in every key at once, then every key sent twice.
        for value in NASTY_VALUES:
            self.send(method, path, dict.fromkeys(get_keys, value), dict.fromkeys(post_keys, value))
        twice: list[str] = ["1", "²"]
        self.send(method, path, dict.fromkeys(get_keys, twice), dict.fromkeys(post_keys, twice))
        # One nasty key at a time among otherwise sensible values, to get past validation of
        # the other fields (a value too long for its column only fails once the rest is valid).
        sensible = {key: values[0] for key, values in valid.items()}
        keys = [("GET", key) for key in get_keys] + [("POST", key) for key in post_keys]
        for number, (source, key) in enumerate(keys):
            if len(keys) > MANY_KEYS:
                deep = [DEEP_VALUES[number % len(DEEP_VALUES)]]
            else:
                deep = DEEP_VALUES
            for value in deep:
                get = {k: sensible.get(k) for k in get_keys}
                post = {k: sensible.get(k) for k in post_keys}
                (get if source == "GET" else post)[key] = value
                self.send(method, path, get, post)

        def field_values(key: str) -> st.SearchStrategy[str | list[str] | None]:
            if key in valid:
                return st.one_of(st.sampled_from(valid[key]), hostile_field)
            return hostile_field

        @HYPOTHESIS_SETTINGS
        @given(
            st.fixed_dictionaries({key: field_values(key) for key in get_keys}),
            st.fixed_dictionaries({key: field_values(key) for key in post_keys}),
        )
        def drawn(get: Fields, post: Fields) -> None:
            self.send(method, path, get, post)

        drawn()


class FormValues(HTMLParser):
    """The values a page's forms offer for each field: options, inputs' values, and a
    plausible value for empty inputs and text areas."""

    PLAUSIBLE: ClassVar[dict[str, str]] = {
        "email": "someone@acme.test",
        "url": "https://example.org/",
        "number": "1",
        "range": "1",
        "date": "2026-06-01",
        "time": "10:00",
        "password": PASSWORD,
    }

    def __init__(self, page: str) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self.feed(page)

    def _add(self, name: str | None, value: str) -> None:
        if name and name != "csrfmiddlewaretoken" and value not in self.values.get(name, []):
            self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and found.get("type") not in ("submit", "file", "button"):
            kind = found.get("type") or "text"
            default = "on" if kind == "checkbox" else self.PLAUSIBLE.get(kind, "Plain words")
            self._add(name, found.get("value") or default)
        elif tag == "textarea":
            self._add(name, "Plain words.")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and found.get("value"):
            self._add(self._select, found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _present(fields: Fields) -> dict[str, str | list[str]]:
    return {key: value for key, value in fields.items() if value is not None}


def _short(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return re.sub(r"(.)\1{30,}", lambda m: f"{m.group(1)}*{len(m.group(0))}", text)[:400]


def hostile_paths(route: str, values: dict[str, str]) -> Iterator[tuple[str, str]]:
    """The route with one path segment at a time replaced by a hostile value."""
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        for segment in NASTY_SEGMENTS.get(converter or "str", []):
            yield f"<{name}>", example_path(route, {**values, name: quote(segment, safe="")})


# The positions the product knows, less two that add nothing here: the deactivated person is
# turned away like the anonymous one, and the participant who is also a group member only
# combines two others.
FUZZED_POSITIONS = [p for p in POSITIONS if p not in ("deactivated", "participant_and_member")]
# The routes are dealt into shards by a stable hash of their pattern, so parallel test
# workers share the work and every run deals them the same way.
SHARDS = 8


def routes_in_shard(shard: int) -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name, _ in walk(get_resolver().url_patterns)
        # The operator admin is Django's own, and for platform operators only.
        if not route.startswith(ADMIN_PREFIX) and zlib.crc32(route.encode()) % SHARDS == shard
    ]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_hostile_input_gets_a_server_error(
    shard: int, cast: Cast, sample_values: dict[str, str]
) -> None:
    fuzzers = {}
    for position in FUZZED_POSITIONS:
        client = cast.client(position)
        cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        fuzzers[position] = Fuzzer(client, position, cookies)
    failures: list[str] = []
    for route, name in routes_in_shard(shard):
        path = example_path(route, sample_values)
        pages: dict[str, str] = {}
        for method in ("GET", "POST"):
            # A position that reads the same keys and gets the same answer as one already
            # fuzzed would only repeat its requests.
            seen: set[tuple[object, ...]] = set()
            for position, fuzzer in fuzzers.items():
                status, asked, page = fuzzer.send(method, path, {}, {})
                if method == "GET":
                    pages[position] = page
                fuzzed = sorted(asked)
                if status == 405 or (status, *fuzzed) in seen:
                    continue
                seen.add((status, *fuzzed))
                target = Target(route, name, method, path)
                target.get_keys = [key for source, key in fuzzed if source == "GET"]
                target.post_keys = [key for source, key in fuzzed if source == "POST"]
                target.valid = FormValues(pages.get(position, "")).values
                fuzzer.fuzz(target)
                for _segment, hostile in hostile_paths(route, sample_values):
                    fuzzer.send(method, hostile, {}, {})
    for fuzzer in fuzzers.values():
        failures.extend(fuzzer.failures)
    assert failures == [], f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_the_recorder_finds_the_keys_a_view_reads(cast: Cast) -> None:
    """Without this the fuzz test could pass by sending nothing."""
    client = cast.client("participant")
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    fuzzer = Fuzzer(client, "participant", cookies)
    _, asked, _ = fuzzer.send("GET", "/tips/", {}, {})
    assert {("GET", "q"), ("GET", "practice"), ("GET", "page")} <= asked
    _, asked, _ = fuzzer.send("POST", "/profile/", {}, {})
    assert {("POST", "chosen_name"), ("POST", "pronouns")} <= asked


# What the fuzz test found, beyond the list.


@pytest.mark.parametrize("post", ["²", "٣", "9" * 5000, "99999999999999999999999"])
def test_a_thread_link_to_an_impossible_post_shows_the_first_page(
    post: str, cast: Cast, sample_values: dict[str, str]
) -> None:
    thread = f"/community/threads/{sample_values['thread_id']}/"
    response = cast.client("group_member").get(thread, {"post": post})
    assert response.status_code == 200
    assert response.context["page"].number == 1
