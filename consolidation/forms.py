"""The form that settles one consolidated answer: a reply picked, or the focal point's own value."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation.definition import ChoiceDef, QuestionDef
from consultation.formbuilder import (
    LABEL_COLUMN,
    NOTE_MAX_LENGTH,
    OTHER_MAX_LENGTH,
    AnswerKey,
    AnswerValue,
    create_field,
    status_field,
    value_to_json,
)
from consultation.models import Kind

from .services import ConsolidatedAnswer

OWN_VALUE = "own"
# Kinds whose own value this form cannot ask for (a ranking is several inputs): pick a reply.
NO_OWN_VALUE_KINDS = frozenset({Kind.RANKING, Kind.GRID})


def value_definition(
    question: QuestionDef, key: AnswerKey
) -> tuple[str, tuple[ChoiceDef, ...], tuple[str, ...], dict[str, Any]]:
    """Kind, choices, special values and validation of the value a key holds."""
    _code, row, column = key
    if not question.is_grid:
        return question.kind, question.choices, question.special_values, dict(question.validation)
    if column == LABEL_COLUMN:
        return Kind.TEXT, (), (), {}
    if not row and not column:
        return Kind.GRID, (), question.special_values, {}
    grid_column = question.column(column)
    if grid_column is None:
        return Kind.TEXT, (), (), {}
    return (
        grid_column.kind,
        grid_column.choices,
        grid_column.special_values,
        dict(grid_column.validation),
    )


class ResolveForm(forms.Form):
    """Pick one of the replies (by authority) or write an own value, with an optional note."""

    choice = forms.ChoiceField(label=gettext_lazy("Consolidated answer"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    versions = forms.CharField(widget=forms.HiddenInput, max_length=10_000)

    def __init__(
        self,
        *args: Any,
        answer: ConsolidatedAnswer,
        question: QuestionDef,
        replies: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "auto_id", "id_" + ".".join(piece for piece in answer.key if piece) + "_%s"
        )
        kwargs.setdefault(
            "initial",
            {"base_version": answer.version, "versions": json.dumps(answer.source_versions)},
        )
        super().__init__(*args, **kwargs)
        self.answer = answer
        self.kind, self.choices, special_values, validation = value_definition(question, answer.key)
        options = [(str(authority_id), label) for authority_id, label in replies]
        self.allows_own_value = self.kind not in NO_OWN_VALUE_KINDS or bool(special_values)
        if self.allows_own_value:
            options.append((OWN_VALUE, _("Write the country's own answer")))
        choice_field = self.fields["choice"]
        assert isinstance(choice_field, forms.ChoiceField)
        choice_field.choices = options
        if len(options) == 1:
            self.fields["choice"].initial = options[0][0]
        if self.allows_own_value:
            if self.kind not in NO_OWN_VALUE_KINDS:
                self.fields["value"] = create_field(self.kind, validation, self.choices)
                self.fields["value"].label = _("Own answer")
                if any(choice.is_other for choice in self.choices):
                    self.fields["other"] = forms.CharField(
                        label=_("Please specify"), required=False, max_length=OTHER_MAX_LENGTH
                    )
            if special_values:
                self.fields["status"] = status_field(special_values)
                self.fields["status"].label = _("Or a special value")
            if question.allows_note:
                self.fields["footnote"] = forms.CharField(
                    label=_("Footnote"),
                    required=False,
                    max_length=NOTE_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def clean_versions(self) -> dict[str, int]:
        try:
            versions = json.loads(self.cleaned_data["versions"])
            if not isinstance(versions, dict):
                raise TypeError
            return {str(int(key)): int(value) for key, value in versions.items()}
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("The page was damaged: load it again.")) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("choice") != OWN_VALUE:
            return cleaned
        value = value_to_json(
            self.kind, cleaned.get("value"), cleaned.get("other", ""), self.choices
        )
        own = AnswerValue(value, cleaned.get("status", "") or "", cleaned.get("footnote", ""))
        if own.value is not None and own.status:
            self.add_error("status", _("Give either an answer or a special value, not both."))
        elif own.is_blank:
            self.add_error(
                "value" if "value" in self.fields else None,
                _("Write the answer, choose a special value or write a footnote."),
            )
        cleaned["own"] = own
        return cleaned

    @property
    def picked_authority_id(self) -> int | None:
        choice = self.cleaned_data["choice"]
        return None if choice == OWN_VALUE else int(choice)

    @property
    def own_value(self) -> AnswerValue | None:
        return self.cleaned_data.get("own") if self.picked_authority_id is None else None


class SeparateReturnsForm(forms.Form):
    """Why the country cannot consolidate its replies."""

    reason = forms.CharField(
        label=gettext_lazy("Why the replies cannot be consolidated"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
