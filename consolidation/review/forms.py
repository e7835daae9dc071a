"""Forms of review: a message in a query's thread, a reason, a proposed correction, a decision."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation.definition import QuestionDef
from consultation.formbuilder import (
    NOTE_MAX_LENGTH,
    OTHER_MAX_LENGTH,
    AnswerKey,
    AnswerValue,
    create_field,
    status_field,
    value_to_json,
)

from ..forms import NO_OWN_VALUE_KINDS, value_definition

MESSAGE_MAX_LENGTH = 5000


class MessageForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    """The country accepts or rejects a proposed correction (a reason is needed to reject)."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            ("accept", gettext_lazy("Accept: the answer takes the proposed value")),
            ("reject", gettext_lazy("Reject: keep the answer as it is")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why (needed to reject)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why you keep your answer: UNSD reads it."))
        return cleaned


class CorrectionForm(forms.Form):
    """The value a reviewer proposes for one answer (a value or a special value), and why."""

    def __init__(self, *args: Any, question: QuestionDef, key: AnswerKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.choices, special_values, validation = value_definition(question, key)
        if self.kind not in NO_OWN_VALUE_KINDS:
            self.fields["value"] = create_field(self.kind, validation, self.choices)
            self.fields["value"].label = _("Proposed answer")
            if any(choice.is_other for choice in self.choices):
                self.fields["other"] = forms.CharField(
                    label=_("Please specify"), required=False, max_length=OTHER_MAX_LENGTH
                )
        if special_values:
            self.fields["status"] = status_field(special_values)
            self.fields["status"].label = _("Or a special value")
        self.fields["reason"] = forms.CharField(
            label=_("Why you propose it (the country reads this)"),
            max_length=NOTE_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value = value_to_json(
            self.kind, cleaned.get("value"), cleaned.get("other", ""), self.choices
        )
        proposed = AnswerValue(value, cleaned.get("status", "") or "")
        if proposed.value is not None and proposed.status:
            self.add_error("status", _("Give either an answer or a special value, not both."))
        elif proposed.is_blank:
            self.add_error(
                "value" if "value" in self.fields else None,
                _("Give the value you propose, or a special value."),
            )
        cleaned["proposed"] = proposed
        return cleaned

    def answer_value(self) -> AnswerValue:
        proposed: AnswerValue = self.cleaned_data["proposed"]
        return proposed
