"""What keeps a typical page cheap: kept connections, cached templates, work done once.

The page benchmark (`python -m bench.pages`, bench/PAGES.md) measures the effect; these tests
keep the settings and shapes that it depends on from quietly going away.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.renderers import Jinja2 as Jinja2Renderer
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridgework import settings as project_settings
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.accounts.people_count import RECOUNT_AFTER, count_people
from bridgework.accounts.tasks import count_people_everywhere
from bridgework.community.models import Flag, Post, Reaction
from bridgework.lib.markdown import render_shared
from bridgework.practice.forms import TimeZoneForm
from bridgework.reflection.forms import SocialMapForm

from .community_support import allies_space, raw_post
from .conftest import Cast, curriculum_sample, make_person

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_sqlite_keeps_its_connection_and_checks_it_before_reuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = project_settings.database_settings()
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


def test_postgresql_keeps_its_connection_and_checks_it_before_reuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal:5432/bridgework")
    database = project_settings.database_settings()
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_templates_are_compiled_once_per_process() -> None:
    # Without DEBUG (production, and the tests), Django wraps the loaders in its cached loader.
    loaders = engines["django"].engine.template_loaders  # type: ignore[attr-defined]
    assert [type(loader) for loader in loaders] == [CachedLoader]


def test_form_widgets_are_drawn_by_jinja2_with_djangos_own_markup() -> None:
    # A select of 600 time zones or a page of radio scales is a small template per choice.
    assert isinstance(get_default_renderer(), Jinja2Renderer)
    time_zone = TimeZoneForm(data={"time_zone": "Nowhere/Atlantis"})
    social_map = SocialMapForm(data={"note": "x" * 6000})
    for form in (time_zone, social_map):
        assert not form.is_valid()

        def drawn(form: forms.Form = form) -> str:
            html = "".join(f"{field}{field.errors}" for field in form)
            return " ".join(re.sub(r">\s+<", "><", html).split())

        fast = drawn()
        form.renderer = DjangoTemplates()
        assert fast == drawn()
    time_zone.renderer = get_default_renderer()
    select = str(time_zone["time_zone"])
    assert '<option value="Europe/Paris">Europe/Paris</option>' in select
    assert 'aria-invalid="true"' in select


def test_the_navigation_fits_the_role_and_marks_the_current_section(cast: Cast) -> None:
    def nav(position: str, path: str) -> list[tuple[str, str]]:
        html = cast.client(position).get(path).content.decode()
        block = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
        return re.findall(r'<a href="([^"]+)"( aria-current="page")?', block)

    participant = nav("participant", "/community/")
    assert ("/community/", ' aria-current="page"') in participant
    assert [url for url, current in participant if current] == ["/community/"]
    assert "/people/" not in [url for url, _ in participant]
    admin = nav("program_admin", "/people/")
    assert ("/people/", ' aria-current="page"') in admin
    assert "/insights/" in [url for url, _ in admin]
    assert "/profile/" not in [url for url, _ in admin]


def test_profile_sits_beside_sign_out_and_is_marked_on_its_own_pages(cast: Cast) -> None:
    def account_nav(path: str) -> str:
        html = cast.client("participant").get(path).content.decode()
        return html.split('aria-label="Your account"', 1)[1].split("</nav>", 1)[0]

    assert '<a href="/profile/" aria-current="page">Profile</a>' in account_nav("/profile/")
    assert '<a href="/profile/">Profile</a>' in account_nav("/community/")
    assert "Sign out" in account_nav("/community/")


def test_each_post_has_one_reaction_form_with_a_button_per_kind(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    first = raw_post(space, cast.participant, "One")
    for body in ("Two", "Three"):
        Post.objects.create(space=space, thread=first.thread, author=cast.facilitator, body=body)
    html = cast.client("participant").get(f"/community/threads/{first.thread_id}/").content
    page = html.decode()
    forms = re.findall(r'<form class="community-reactions".*?</form>', page, flags=re.DOTALL)
    assert len(forms) == 3
    for form in forms:
        assert form.count("csrfmiddlewaretoken") == 1
        assert form.count('name="kind"') == len(Reaction.Kind)


def test_the_space_counts_each_post_waiting_for_a_facilitator_once(cast: Cast) -> None:
    space = allies_space(cast.facilitator)
    twice = raw_post(space, cast.participant, "Flagged by two people")
    settled = raw_post(space, cast.participant, "Flagged, then settled")
    held = raw_post(space, cast.participant, "Held, its flags settled")
    raw_post(space, cast.participant, "Never flagged")
    for person in (cast.participant_and_member, cast.facilitator):
        Flag.objects.create(post=twice, flagged_by=person, reason="Unkind")
    now = timezone.now()
    Flag.objects.create(post=settled, flagged_by=cast.facilitator, reason="Hm", resolved_at=now)
    Flag.objects.create(post=held, flagged_by=cast.facilitator, reason="Hm", resolved_at=now)
    Post.objects.filter(pk=held.pk).update(status=Post.Status.HELD)
    page = cast.client("facilitator").get(f"/community/{space.pk}/").content.decode()
    assert "Moderation queue (2 waiting)" in page


def test_healthz_reads_no_session_and_no_person_even_for_a_signed_in_browser(cast: Cast) -> None:
    client = cast.client("participant")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/healthz")
    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in captured)
    assert "django_session" not in tables
    assert "accounts_person" not in tables


def test_healthz_is_not_redirected_to_https_for_a_probe_from_inside(
    settings: object, db: None
) -> None:
    settings.SECURE_SSL_REDIRECT = True  # type: ignore[attr-defined]
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301


def test_healthz_still_refuses_other_methods(db: None) -> None:
    assert Client().post("/healthz").status_code == 405


def test_the_people_page_reads_one_page_of_the_organisation_from_an_index(
    organisation: Organisation,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    queryset = (
        Person.objects.in_organisation(organisation).order_by("chosen_name", "pk").values("pk")[:50]
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "person_org_name" in plan
    assert "TEMP B-TREE" not in plan  # no sort of the whole organisation


def test_the_moderation_queue_reads_a_spaces_hidden_posts_without_its_shown_ones(
    cast: Cast,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    space = allies_space(cast.facilitator)
    raw_post(space, cast.participant, "Shown, as nearly every post is.")
    hidden = raw_post(space, cast.participant, "Hidden by a facilitator.")
    Post.objects.filter(pk=hidden.pk).update(status=Post.Status.HIDDEN)

    queryset = Post.objects.latest_hidden_in(space).values("pk")[:20]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "community_post_hidden" in plan
    assert "TEMP B-TREE" not in plan  # no sort of the space's posts
    assert [row["pk"] for row in queryset] == [hidden.pk]


def test_the_admins_home_shows_the_workers_count_of_the_organisation(
    cast: Cast, organisation: Organisation
) -> None:
    def active_people(client: Client) -> str:
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/").content.decode()
        counted.append(
            any("COUNT" in q["sql"] and 'FROM "accounts_person"' in q["sql"] for q in captured)
        )
        return html.split("<dt>Active people</dt><dd>", 1)[1].split("</dd>", 1)[0]

    counted: list[bool] = []
    client = cast.client("program_admin")
    with time_machine.travel(NOON, tick=False) as clock:
        count_people_everywhere.call()
        before = int(active_people(client))
        make_person(organisation, "new@acme.test", "New", {Role.PARTICIPANT})
        clock.shift(timedelta(seconds=61))
        assert int(active_people(client)) == before  # the worker has not counted again yet
        count_people_everywhere.call()
        assert int(active_people(client)) == before + 1
    # The page itself never counted: the worker did.
    assert counted == [False, False, False]


def test_without_a_worker_the_admins_home_counts_when_the_last_count_is_five_minutes_old(
    cast: Cast, organisation: Organisation
) -> None:
    client = cast.client("program_admin")

    def active_people() -> int:
        html = client.get("/").content.decode()
        return int(html.split("<dt>Active people</dt><dd>", 1)[1].split("</dd>", 1)[0])

    with time_machine.travel(NOON, tick=False) as clock:
        before = active_people()  # never counted: counted now
        make_person(organisation, "new@acme.test", "New", {Role.PARTICIPANT})
        clock.shift(RECOUNT_AFTER - timedelta(seconds=1))
        assert active_people() == before
        clock.shift(timedelta(seconds=1))
        assert active_people() == before + 1


def test_the_count_is_by_active_people_and_their_roles(
    cast: Cast, organisation: Organisation
) -> None:
    make_person(organisation, "left@acme.test", "Left", {Role.FACILITATOR}).deactivate()
    count = count_people(organisation, now=timezone.now())
    people = Person.objects.in_organisation(organisation)
    assert count.active == people.filter(is_active=True).count()
    assert count.deactivated == people.filter(is_active=False).count() >= 1
    active_facilitators = people.filter(is_active=True, role_assignments__role=Role.FACILITATOR)
    assert count.by_role[Role.FACILITATOR] == active_facilitators.count()


POSITIONS = ("participant", "facilitator", "program_admin")


def test_a_lesson_is_rendered_from_markdown_once_per_process(cast: Cast) -> None:
    module, lesson, _, _ = curriculum_sample(cast.facilitator)
    lesson.body = "A lesson only this test has: **one** thing to do."
    lesson.save()
    path = f"/learn/{module.slug}/{lesson.slug}/"
    misses = render_shared.cache_info().misses
    pages = [cast.client(position).get(path).content.decode() for position in POSITIONS]
    assert all("<strong>one</strong> thing to do" in page for page in pages)
    assert render_shared.cache_info().misses == misses + 1
