"""`{% load i18n %}` gives Django's tags, with a fixed `{% translate %}` remembered per
language (`front/templatetags/remembered_i18n.py`): it must still follow the reader's
language, its message context, and the variable of a `{% translate variable %}`."""

from __future__ import annotations

from django.template import engines
from django.utils import translation


def render(source: str, language: str, **context: object) -> str:
    template = engines["django"].from_string("{% load i18n %}" + source)
    with translation.override(language):
        return str(template.render(context))


def test_a_fixed_sentence_follows_the_readers_language_from_one_render_to_the_next() -> None:
    template = engines["django"].from_string('{% load i18n %}{% translate "Sign out" %}')
    for _ in range(2):
        for language, said in [
            ("en", "Sign out"),
            ("fr", "Se déconnecter"),
            ("es", "Cerrar sesión"),
        ]:
            with translation.override(language):
                assert template.render({}) == said


def test_a_fixed_sentence_kept_as_a_variable_is_set_on_every_render() -> None:
    template = engines["django"].from_string(
        '{% load i18n %}{% translate "Sign out" as label %}[{{ label }}]'
    )
    for language, said in [
        ("fr", "[Se déconnecter]"),
        ("fr", "[Se déconnecter]"),
        ("en", "[Sign out]"),
    ]:
        with translation.override(language):
            assert template.render({}) == said


def test_the_message_context_chooses_the_translation() -> None:
    source = '{% translate "Time" context "time of day" %}|{% translate "Time" %}'
    for _ in range(2):
        assert render(source, "fr") == "Heure|Durée"
        assert render(source, "en") == "Time|Time"


def test_a_translated_variable_follows_the_variable() -> None:
    template = engines["django"].from_string("{% load i18n %}{% translate word %}")
    with translation.override("fr"):
        assert template.render({"word": "Sign out"}) == "Se déconnecter"
        assert template.render({"word": "Home"}) != "Se déconnecter"


def test_other_i18n_tags_are_djangos() -> None:
    source = (
        "{% get_current_language as code %}{{ code }} "
        "{% blocktranslate count counter=n %}{{ counter }} reply{% plural %}{{ counter }} replies"
        "{% endblocktranslate %}"
    )
    assert render(source, "fr", n=2) == "fr 2 réponses"
