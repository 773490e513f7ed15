"""Model choice fields that read the submitted ids through `parse_id`.

Django's own fields hand whatever was posted to the database: a number past the integer
range makes SQLite raise OverflowError (a server error) instead of "not found", and digits
from other scripts slip through `int()`. These fields refuse both with Django's usual
"Select a valid choice" message, next to the field. Use them for every choice of a model
object made in a form.

Also here: the write-only secret of a settings page (an identity provider's or a bot's),
and the note that it was not kept when the page is shown again with errors; and the
textarea every form uses, which reads line breaks as the browser counted them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy

from bridgework.lib.ids import parse_id

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _shown(value: Any) -> str:
    """The refused value as the message quotes it: a 5,000-digit number is cut short."""
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


def _is_pk_lookup(field: forms.ModelChoiceField[Any]) -> bool:
    return field.to_field_name in (None, "pk", "id")


def _refuse_unless_id(field: forms.ModelChoiceField[Any], value: Any) -> None:
    model = field.queryset.model if field.queryset is not None else None
    if model is not None and isinstance(value, model):
        return
    if _is_pk_lookup(field) and parse_id(str(value)) is None:
        raise ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": _shown(value)},
        )


class SafeModelChoiceField(forms.ModelChoiceField[Any]):
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        _refuse_unless_id(self, value)
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    def clean(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            for one in value:
                _refuse_unless_id(self, one)
        return super().clean(value)


def offer[M: Model](field: forms.Field, rows: QuerySet[M]) -> None:
    """Let a choice field declared on the form's class choose from these rows (this
    organisation's, say), which are known only once the form is made."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = rows


CLIENT_SECRET = gettext_lazy("Client secret")


class WriteOnlySecretField(forms.CharField):
    """A secret typed into a settings page and never shown back: the page says only whether
    one is set, and an empty box keeps it."""

    def __init__(self, *, label: StrOrPromise = CLIENT_SECRET, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            required=False,
            max_length=500,
            strip=True,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            **kwargs,
        )

    def explain(self, *, is_set: bool, otherwise: StrOrPromise) -> None:
        self.help_text = (
            gettext_lazy("A secret is set. Type a new one to replace it; leave empty to keep it.")
            if is_set
            else otherwise
        )


def ask_again_for_secrets(form: forms.BaseForm) -> None:
    """A form shown again with errors never echoes a secret back, so the secret boxes the
    admin had typed into are empty now: say so next to each, or they would save the rest
    thinking the secret went with it."""
    if not form.is_bound or not form.errors:
        return
    for name, field in form.fields.items():
        hidden = isinstance(field.widget, forms.PasswordInput) and not field.widget.render_value
        if hidden and str(form.data.get(form.add_prefix(name), "")).strip():
            form.add_error(name, gettext_lazy("For your safety this was not kept: paste it again."))


def one_character_line_breaks(text: str) -> str:
    """Each line break as one line feed, whether it came as CR LF (as browsers send it) or
    as a lone CR."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Textarea(forms.Textarea):
    """The textarea of every form (tests/test_line_breaks.py holds every form to it).

    A browser counts a line break in a `<textarea maxlength>` as one character but sends it
    as CR LF, two, so a field's max_length would count it twice: someone who typed up to the
    limit over several lines, and was never warned, would be told the text is too long. Read
    here, before any field sees the text, each line break is one character again, and is
    stored that way.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return one_character_line_breaks(value) if isinstance(value, str) else value
