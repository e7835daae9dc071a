"""The engine: a section of the questionnaire becomes a Django form, whose cleaned data becomes
answer values (JSON), and answer values become form data again.

Field names follow the answer keys: `A9` (a question), `A9.other` ("please specify"),
`A9.status` (a special value such as "not available"), `A9.note` (a footnote), `D12.rank1`
(ranking), `C1.S01.exists` (a grid cell), `C1.S01.exists.status`, and `D2.other._label` (the
name the respondent gives an "other, please specify" row).

Pure: no request, no database, no saving. Callers pass the section's definition, the rows of
grids whose rows are not fixed, and the answers of other sections that conditions look at.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import conditions
from .answers import (
    LABEL_COLUMN,
    AnswerKey,
    AnswerValue,
    comparable_answers,
    field_name,
    is_empty,
    json_to_data,
    other_codes,
    value_to_json,
)
from .definition import (
    SPECIAL_VALUES,
    YES_NO_CHOICES,
    ChoiceDef,
    ColumnDef,
    QuestionDef,
    RowDef,
    SectionDef,
)
from .models import Kind, Question
from .parsing import parse_whole_number
from .visibility import Visibility, shown_answers

if TYPE_CHECKING:
    # A message: a string, or a lazily translated one (django-stubs' alias, for mypy only).
    from django_stubs_ext import StrOrPromise
else:
    StrOrPromise = str
TEXT_MAX_LENGTH = 500
LONG_TEXT_MAX_LENGTH = 10_000
NOTE_MAX_LENGTH = 2_000
OTHER_MAX_LENGTH = 300


# --- Field factories, one per kind -------------------------------------------------------------


def _choice_pairs(choices: Iterable[ChoiceDef]) -> list[tuple[str, str]]:
    return [(choice.code, choice.label) for choice in choices]


def _bounds(validation: Mapping[str, Any]) -> dict[str, Any]:
    bounds = {}
    if "min" in validation:
        bounds["min_value"] = validation["min"]
    if "max" in validation:
        bounds["max_value"] = validation["max"]
    return bounds


def _range_messages(validation: Mapping[str, Any], what: StrOrPromise) -> dict[str, str]:
    """Messages for a value out of bounds that name both bounds: "Enter a year from 1950 to 2035".

    `what` is the thing to enter ("a whole number"). The messages are formatted here, so that
    Django has no placeholder left to fill in.
    """
    low, high = validation.get("min"), validation.get("max")
    if low is not None and high is not None:
        message = _("Enter %(what)s from %(min)s to %(max)s.") % {
            "what": what,
            "min": low,
            "max": high,
        }
        return {"min_value": message, "max_value": message}
    if low is not None:
        return {"min_value": _("Enter %(what)s of at least %(min)s.") % {"what": what, "min": low}}
    if high is not None:
        return {"max_value": _("Enter %(what)s of at most %(max)s.") % {"what": what, "max": high}}
    return {}


def _length_messages(what: str = "") -> dict[str, Any]:
    return {
        "max_length": what
        or _("Shorten this answer to %(limit_value)d characters or fewer (it has %(show_value)d)."),
        "null_characters_not_allowed": _(
            "This answer contains a control character that cannot be saved; type it again."
        ),
    }


CHOICE_MESSAGES = {"invalid_choice": _("Choose one of the options listed.")}
INTEGER_INVALID = _("Enter a whole number, such as 1250.")
DECIMAL_INVALID = _("Enter a number, such as 12.5 (use a point for decimals).")
YEAR_INVALID = _("Enter a year with four digits, such as 2024.")
DATE_INVALID = _("Enter a real date: day, month and year, such as 31 3 2026.")
# A date is typed as day, month and year (three boxes, GOV.UK's date input), not in the
# browser's own date widget, whose order depends on its language.
DATE_PARTS = ("day", "month", "year")
EMAIL_INVALID = _("Enter an e-mail address, such as name@example.org.")
URL_INVALID = _("Enter a web address, such as https://www.example.org.")
DECIMAL_MAX_DIGITS = 24
EMAIL_MAX_LENGTH = 254
URL_MAX_LENGTH = 1000


def create_text_field(validation: Mapping[str, Any], choices: tuple[ChoiceDef, ...]) -> forms.Field:
    return forms.CharField(
        max_length=validation.get("max_length", TEXT_MAX_LENGTH), error_messages=_length_messages()
    )


def create_long_text_field(validation, choices) -> forms.Field:
    return forms.CharField(
        max_length=validation.get("max_length", LONG_TEXT_MAX_LENGTH),
        widget=forms.Textarea,
        error_messages=_length_messages(),
    )


def create_integer_field(validation, choices) -> forms.Field:
    return forms.IntegerField(
        **_bounds(validation),
        error_messages={
            "invalid": INTEGER_INVALID,
            **_range_messages(validation, _("a whole number")),
        },
    )


def create_decimal_field(validation, choices, what: StrOrPromise = "") -> forms.Field:
    places = int(validation.get("decimal_places", 6))
    bounds = {key: Decimal(str(value)) for key, value in _bounds(validation).items()}
    return forms.DecimalField(
        min_value=bounds.get("min_value"),
        max_value=bounds.get("max_value"),
        decimal_places=places,
        max_digits=DECIMAL_MAX_DIGITS,
        error_messages={
            "invalid": DECIMAL_INVALID,
            **_range_messages(validation, what or _("a number")),
            "max_decimal_places": ngettext(
                "Give at most %(count)d digit after the decimal point.",
                "Give at most %(count)d digits after the decimal point.",
                places,
            )
            % {"count": places}
            if places
            else _("Enter a whole number, without decimals."),
            "max_digits": _("Enter a number with at most %(count)d digits.")
            % {"count": DECIMAL_MAX_DIGITS},
            "max_whole_digits": _(
                "Enter a number with at most %(count)d digits before the decimal point."
            )
            % {"count": DECIMAL_MAX_DIGITS - places},
        },
    )


def create_percentage_field(validation, choices) -> forms.Field:
    bounded = {"min": 0, "max": 100, **validation}
    return create_decimal_field(bounded, choices, what=_("a percentage"))


def create_year_field(validation, choices) -> forms.Field:
    bounded = {"min": 1900, "max": 2100, **validation}
    return forms.IntegerField(
        **_bounds(bounded),
        error_messages={"invalid": YEAR_INVALID, **_range_messages(bounded, _("a year"))},
    )


def create_date_field(validation, choices) -> forms.Field:
    field = forms.DateField(
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )
    for bound, validator in (("min", _date_not_before), ("max", _date_not_after)):
        if bound in validation:
            field.validators.append(validator(datetime.date.fromisoformat(str(validation[bound]))))
    return field


def _date_not_before(limit: datetime.date):
    def validate(value: datetime.date) -> None:
        if value < limit:
            raise ValidationError(
                _("Enter a date on or after %(date)s."), params={"date": limit.isoformat()}
            )

    return validate


def _date_not_after(limit: datetime.date):
    def validate(value: datetime.date) -> None:
        if value > limit:
            raise ValidationError(
                _("Enter a date on or before %(date)s."), params={"date": limit.isoformat()}
            )

    return validate


class WebAddressField(forms.URLField):
    """A URLField for web pages: http and https only (URLValidator also takes ftp)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


def create_email_field(validation, choices) -> forms.Field:
    limit = int(validation.get("max_length", EMAIL_MAX_LENGTH))
    return forms.EmailField(
        max_length=limit,
        error_messages={
            "invalid": EMAIL_INVALID,
            **_length_messages(
                _("An e-mail address here has at most %(count)d characters.") % {"count": limit}
            ),
        },
    )


def create_url_field(validation, choices) -> forms.Field:
    limit = int(validation.get("max_length", URL_MAX_LENGTH))
    return WebAddressField(
        max_length=limit,
        assume_scheme="https",
        error_messages={
            "invalid": URL_INVALID,
            **_length_messages(
                _("Shorten this web address to %(count)d characters or fewer.") % {"count": limit}
            ),
        },
    )


def create_yes_no_field(validation, choices) -> forms.Field:
    return forms.ChoiceField(choices=YES_NO_CHOICES, error_messages=CHOICE_MESSAGES)


def create_checkbox_field(validation, choices) -> forms.Field:
    return forms.BooleanField()


def create_single_choice_field(validation, choices) -> forms.Field:
    return forms.ChoiceField(choices=_choice_pairs(choices), error_messages=CHOICE_MESSAGES)


def create_multiple_choice_field(validation, choices) -> forms.Field:
    return forms.MultipleChoiceField(
        choices=_choice_pairs(choices),
        error_messages={
            "invalid_choice": _("Choose only options from the list."),
            "invalid_list": _("Choose only options from the list."),
        },
    )


FIELD_FACTORIES: dict[str, Callable[[Mapping[str, Any], tuple[ChoiceDef, ...]], forms.Field]] = {
    Kind.TEXT: create_text_field,
    Kind.LONG_TEXT: create_long_text_field,
    Kind.INTEGER: create_integer_field,
    Kind.DECIMAL: create_decimal_field,
    Kind.PERCENTAGE: create_percentage_field,
    Kind.YEAR: create_year_field,
    Kind.DATE: create_date_field,
    Kind.EMAIL: create_email_field,
    Kind.URL: create_url_field,
    Kind.YES_NO: create_yes_no_field,
    Kind.CHECKBOX: create_checkbox_field,
    Kind.SINGLE_CHOICE: create_single_choice_field,
    Kind.MULTIPLE_CHOICE: create_multiple_choice_field,
}


def create_field(
    kind: str, validation: Mapping[str, Any], choices: tuple[ChoiceDef, ...]
) -> forms.Field:
    field = FIELD_FACTORIES[kind](validation, choices)
    # Required answers are checked by the form itself: a special value also answers a question.
    field.required = False
    return field


# --- The form -----------------------------------------------------------------------------------


class SectionForm(forms.Form):
    """A section's questions as one form, built by SectionFormBuilder."""

    section: SectionDef
    grid_rows: Mapping[str, tuple[RowDef, ...]]
    _errors: ErrorDict  # set by Form.full_clean(); typed here for the checks that extend it
    # The questions whose conditions decide what is shown, in questionnaire order: the whole
    # questionnaire's when the builder was given them, else the section's own.
    ordered_questions: tuple[QuestionDef, ...]

    def __init__(
        self,
        *args: Any,
        context_answers: Mapping[AnswerKey, Any] | None = None,
        enforce_required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.context_answers = context_answers or {}
        self.enforce_required = enforce_required
        if self.is_bound:
            self._join_date_parts()
        self.hidden_questions: set[str] = set()
        self.hidden_cells: set[tuple[str, str, str]] = set()

    def _join_date_parts(self) -> None:
        """Dates typed as day, month and year become the one ISO value the field reads."""
        names = [name for name, f in self.fields.items() if isinstance(f, forms.DateField)]
        if not any(f"{name}.year" in self.data for name in names):
            return
        # A QueryDict keeps every value of a multiple choice; a plain mapping is copied as is.
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        for name in names:
            parts = [str(self.data.get(f"{name}.{part}", "")).strip() for part in DATE_PARTS]
            if f"{name}.year" not in self.data:
                continue
            if not any(parts):
                data[name] = ""
            elif None not in (numbers := [parse_whole_number(part) for part in parts]):
                day_number, month_number, year_number = numbers
                data[name] = f"{year_number:04d}-{month_number:02d}-{day_number:02d}"
            else:
                data[name] = "-".join(parts)  # refused by the field, with its message
        self.data = data

    # Conditions ---------------------------------------------------------------------------------

    def raw_comparable(self, name: str, kind: str) -> Any:
        """What a condition sees of a field's submitted (or initial) data."""
        source = self.data if self.is_bound else self.initial
        if kind == Kind.MULTIPLE_CHOICE:
            values = source.getlist(name) if hasattr(source, "getlist") else source.get(name, [])
            return list(values) if values else None
        value = source.get(name)
        if kind == Kind.CHECKBOX:
            return True if value in ("on", "true", "1", True) else None
        return value if value not in ("", None) else None

    def raw_status(self, name: str) -> Any:
        """A special value chosen instead of an answer, as conditions see it, or None."""
        source = self.data if self.is_bound else self.initial
        status = source.get(field_name(name, part="status"))
        return conditions.marked(status) if isinstance(status, str) and status else None

    def condition_lookup(self) -> conditions.AnswerLookup:
        """What conditions see: the answers given, less those of hidden questions and cells."""
        return self.visibility().lookup

    def visibility(self) -> Visibility:
        values: dict[AnswerKey, Any] = dict(self.context_answers)
        for question in self.section.questions:
            if question.is_grid:
                values[(question.code, "", "")] = self.raw_status(question.code)
                for row in self.grid_rows.get(question.code, ()):
                    for column in question.columns:
                        name = field_name(question.code, row.code, column.code)
                        values[(question.code, row.code, column.code)] = self.raw_comparable(
                            name, column.kind
                        ) or self.raw_status(name)
            elif question.kind == Kind.RANKING:
                # A ranking compares as the list of its ranks, in order (as conditions.js sees it).
                ranks = [
                    self.raw_comparable(f"{question.code}.rank{n}", Kind.SINGLE_CHOICE)
                    for n in range(1, ranking_size(question) + 1)
                ]
                values[(question.code, "", "")] = [
                    rank for rank in ranks if rank
                ] or self.raw_status(question.code)
            else:
                values[(question.code, "", "")] = self.raw_comparable(
                    question.code, question.kind
                ) or self.raw_status(question.code)
        return shown_answers(self.ordered_questions, values, grid_rows=self.grid_rows)

    def shown_context(self) -> dict[str, Any]:
        """The answers of other sections that conditions.js sees, keyed "question|row|column".

        Answers of questions and cells hidden by their conditions are left out, as the server
        leaves them out, so that the browser follows the same chains.
        """
        own = {question.code for question in self.section.questions}
        return {
            "|".join(key): value
            for key, value in self.visibility().lookup.values.items()
            if key[0] not in own and value is not None
        }

    def compute_visibility(self) -> None:
        """Which of the section's questions and cells are hidden, following chains of conditions."""
        visibility = self.visibility()
        own = {question.code for question in self.section.questions}
        self.hidden_questions = visibility.hidden_questions & own
        self.hidden_cells = {key for key in visibility.hidden_cells if key[0] in own}

    def fields_of(self, question: QuestionDef) -> list[str]:
        return [name for name in self.fields if name.split(".", 1)[0] == question.code]

    def full_clean(self) -> None:
        if not self.is_bound:
            return super().full_clean()
        self.compute_visibility()
        super().full_clean()
        if not hasattr(self, "cleaned_data"):
            return None
        for name in list(self.fields):
            if self._is_hidden_field(name):
                self._errors.pop(name, None)
                self.cleaned_data.pop(name, None)
        return None

    def _is_hidden_field(self, name: str) -> bool:
        parts = name.split(".")
        if parts[0] in self.hidden_questions:
            return True
        return len(parts) >= 3 and (parts[0], parts[1], parts[2]) in self.hidden_cells

    # Cross-field checks ---------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        for question in self.section.questions:
            if question.code in self.hidden_questions:
                continue
            if question.is_grid:
                self._clean_grid(question)
            else:
                self._clean_value(
                    question.code,
                    question.kind,
                    question.choices,
                    question.required,
                    validation=question.validation,
                    question=question,
                )
            if question.kind == Kind.RANKING:
                self._clean_ranking(question)
            if question.validation.get("rules"):
                self._check_rules(question)
        return data

    def add_question_error(self, code: str, message: StrOrPromise) -> None:
        """An error about a whole question (a grid, a ranking), shown above its inputs.

        Grids and rankings have no field named by their code, which Form.add_error() requires.
        """
        if code in self.fields:
            self.add_error(code, message)
        else:
            self._errors.setdefault(code, self.error_class()).append(message)

    def _status_label(self, name: str, status: str) -> str:
        field = self.fields[name]
        return field.choices_dict()[status] if isinstance(field, StatusField) else status

    def _has_value(self, name: str) -> bool:
        # An unticked checkbox cleans to False: no answer.
        value = self.cleaned_data.get(name)
        return not is_empty(value) and value is not False

    def _given(self, name: str) -> bool:
        """Whether something was given: a value, or an input refused (already reported)."""
        return self._has_value(name) or name in self._errors

    def _answered(self, question: QuestionDef) -> bool:
        return any(
            self._has_value(name) for name in self.fields_of(question) if not name.endswith(".note")
        )

    def _clean_lookup(self) -> conditions.AnswerLookup:
        answers = self.cleaned_answers(validate=False)
        values = dict(self.context_answers)
        values.update(comparable_answers(answers))
        return shown_answers(self.ordered_questions, values, grid_rows=self.grid_rows).lookup

    def _check_rules(self, question: QuestionDef) -> None:
        """Each rule must hold once the answers it compares are given.

        A rule that names `{column: c}` holds for every row of its grid.
        """
        if not self._answered(question):
            return
        lookup = self._clean_lookup()
        for rule in question.validation["rules"]:
            check = rule["check"]
            places = [("", "")]
            if question.is_grid and any(
                reference.subject == "column" for reference in conditions.references(check)
            ):
                places = [(question.code, row.code) for row in self.grid_rows[question.code]]
            for grid, row in places:
                if conditions.answers_given(
                    check, lookup, grid=grid, row=row
                ) and not conditions.evaluate(check, lookup, grid=grid, row=row):
                    self.add_question_error(question.code, rule["message"])
                    break

    def _clean_value(
        self,
        name: str,
        kind: str,
        choices: tuple[ChoiceDef, ...],
        required: bool,
        *,
        validation: Mapping[str, Any],
        question: QuestionDef | None = None,
    ) -> None:
        data = self.cleaned_data
        value = data.get(name)
        status_name = field_name(name, part="status")
        status = data.get(status_name, "")
        if question is not None and kind == Kind.RANKING:
            has_value = any(
                data.get(f"{name}.rank{n}") for n in range(1, ranking_size(question) + 1)
            )
        else:
            has_value = self._has_value(name)
        if has_value and status:
            self.add_error(
                status_name,
                _("Give either an answer or a reason there is none (%(status)s), not both.")
                % {"status": self._status_label(status_name, status)},
            )
        refused = name in self._errors or status_name in self._errors
        if required and self.enforce_required and not has_value and not status and not refused:
            self.add_question_error(name, _("This question needs an answer."))
        others = other_codes(choices)
        other_name = field_name(name, part="other")
        if others and other_name in self.fields:
            chosen = set(value or []) if isinstance(value, list) else {value}
            # Without JavaScript the "please specify" box is always shown: a text left in it
            # while another option is chosen is ignored (value_to_json drops it), not refused.
            if chosen & others and not data.get(other_name):
                self.add_error(other_name, _("Please specify the other answer."))
        if kind == Kind.MULTIPLE_CHOICE and value:
            exclusive = [
                choice for choice in choices if choice.is_exclusive and choice.code in value
            ]
            limit = int(validation.get("max_choices", 0))
            if exclusive and len(value) > 1:
                self.add_error(
                    name,
                    _("\u201c%(option)s\u201d cannot be combined with other options.")
                    % {"option": exclusive[0].label},
                )
            elif limit and len(value) > limit:
                self.add_error(
                    name,
                    ngettext(
                        "Choose at most %(count)d option.",
                        "Choose at most %(count)d options.",
                        limit,
                    )
                    % {"count": limit},
                )

    def _clean_ranking(self, question: QuestionDef) -> None:
        ranks = [
            self.cleaned_data.get(f"{question.code}.rank{n}") or ""
            for n in range(1, ranking_size(question) + 1)
        ]
        chosen = [rank for rank in ranks if rank]
        if len(chosen) != len(set(chosen)):
            self.add_question_error(question.code, _("Each option can be ranked only once."))
        elif chosen and ranks[: len(chosen)] != chosen:
            self.add_question_error(
                question.code, _("Fill the ranks in order, starting with the first.")
            )

    def _clean_grid(self, question: QuestionDef) -> None:
        data = self.cleaned_data
        code = question.code
        ticked: dict[str, int] = {}
        grid_answered = False
        for row in self.grid_rows.get(code, ()):
            columns = [
                column
                for column in question.columns
                if (code, row.code, column.code) not in self.hidden_cells
            ]
            label_name = field_name(code, row.code, LABEL_COLUMN)
            # A row is started once any of its visible cells, or its name, is given.
            cells_given = any(
                self._given(field_name(code, row.code, column.code))
                or self._given(field_name(code, row.code, column.code, "status"))
                for column in columns
            )
            row_started = cells_given or bool(row.is_other and data.get(label_name))
            grid_answered = grid_answered or row_started
            if row.is_other and cells_given and not data.get(label_name):
                self.add_error(
                    label_name, _("Say what \u201c%(row)s\u201d is.") % {"row": row.label}
                )
            for column in columns:
                name = field_name(code, row.code, column.code)
                self._clean_value(
                    name,
                    column.kind,
                    column.choices,
                    column.required and row_started,
                    validation=column.validation,
                )
                if column.kind == Kind.CHECKBOX and data.get(name):
                    ticked[column.code] = ticked.get(column.code, 0) + 1
        for column in question.columns:
            limit = column.validation.get("max_ticked")
            if limit and ticked.get(column.code, 0) > limit:
                self.add_question_error(
                    code,
                    ngettext(
                        "Tick at most %(count)d row in \u201c%(column)s\u201d.",
                        "Tick at most %(count)d rows in \u201c%(column)s\u201d.",
                        limit,
                    )
                    % {"count": limit, "column": column.label},
                )
        status_name = field_name(code, part="status")
        status = data.get(status_name)
        if status and grid_answered:
            self.add_error(
                status_name,
                _("Give either an answer or a reason there is none (%(status)s), not both.")
                % {"status": self._status_label(status_name, status)},
            )
        if question.required and self.enforce_required and not status and not grid_answered:
            self.add_question_error(code, _("This question needs an answer."))

    # Answers --------------------------------------------------------------------------------------

    def cleaned_answers(self, *, validate: bool = True) -> dict[AnswerKey, AnswerValue]:
        """The visible answers of the section, keyed by (question, row, column).

        Hidden questions and cells are left out, so that their stored answers stay as they are.
        """
        if validate and not self.is_valid():
            raise ValueError("cleaned_answers() needs a valid form")
        data = self.cleaned_data
        answers: dict[AnswerKey, AnswerValue] = {}
        for question in self.section.questions:
            if question.code in self.hidden_questions:
                continue
            note = data.get(field_name(question.code, part="note"), "") or ""
            status = data.get(field_name(question.code, part="status"), "") or ""
            if question.is_grid:
                answers[(question.code, "", "")] = AnswerValue(None, status, note)
                for row in self.grid_rows.get(question.code, ()):
                    if row.is_other:
                        label = data.get(field_name(question.code, row.code, LABEL_COLUMN)) or None
                        answers[(question.code, row.code, LABEL_COLUMN)] = AnswerValue(label)
                    for column in question.columns:
                        if (question.code, row.code, column.code) in self.hidden_cells:
                            continue
                        name = field_name(question.code, row.code, column.code)
                        answers[(question.code, row.code, column.code)] = AnswerValue(
                            value_to_json(
                                column.kind,
                                data.get(name),
                                data.get(field_name(name, part="other"), ""),
                                column.choices,
                            ),
                            data.get(field_name(name, part="status"), "") or "",
                        )
            elif question.kind == Kind.RANKING:
                ranks = [
                    data.get(f"{question.code}.rank{n}")
                    for n in range(1, ranking_size(question) + 1)
                ]
                value = [rank for rank in ranks if rank] or None
                answers[(question.code, "", "")] = AnswerValue(value, status, note)
            else:
                answers[(question.code, "", "")] = AnswerValue(
                    value_to_json(
                        question.kind,
                        data.get(question.code),
                        data.get(field_name(question.code, part="other"), ""),
                        question.choices,
                    ),
                    status,
                    note,
                )
        return answers


class StatusField(forms.ChoiceField):
    """The choice of a special value ("not available" ...) instead of an answer."""

    def __init__(self, *, special_choices: list[tuple[str, StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(choices=special_choices, **kwargs)
        self.special_choices = special_choices

    def choices_dict(self) -> dict[str, str]:
        return {str(code): str(label) for code, label in self.special_choices}


def ranking_size(question: QuestionDef) -> int:
    return int(question.validation.get("max_choices", len(question.choices) or 1))


def status_field(codes: Iterable[str]) -> StatusField:
    choices: list[tuple[str, StrOrPromise]] = [("", _("Give an answer"))]
    choices += [(code, SPECIAL_VALUES[code]) for code in codes]
    return StatusField(
        required=False,
        special_choices=choices,
        error_messages=CHOICE_MESSAGES,
    )


class SectionFormBuilder:
    """Builds the form class of one section (modelled on Wagtail's FormBuilder)."""

    def __init__(
        self,
        section: SectionDef,
        grid_rows: Mapping[str, tuple[RowDef, ...]],
        questions: Mapping[str, QuestionDef] | None = None,
    ) -> None:
        """`questions`: the questionnaire's questions in order (QuestionnaireDef.questions).

        With them, a condition that names a question of another section sees it unanswered
        when that question is itself hidden; without them, only the section's own chains are
        followed (the answers of other sections are taken as given).
        """
        self.section = section
        self.ordered_questions = (
            tuple(questions.values()) if questions is not None else section.questions
        )
        self.grid_rows = {
            question.code: tuple(grid_rows.get(question.code, question.rows))
            for question in section.questions
            if question.is_grid
        }

    @property
    def formfields(self) -> dict[str, forms.Field]:
        """Every field of the section, by name.

        A field holds no state of a form's own, so one field object serves every row of a grid
        column, every rank of a ranking and every note: section D has a thousand inputs.
        """
        note = forms.CharField(
            required=False,
            max_length=NOTE_MAX_LENGTH,
            widget=forms.Textarea,
            error_messages=_length_messages(),
        )
        text = forms.CharField(
            required=False, max_length=OTHER_MAX_LENGTH, error_messages=_length_messages()
        )
        fields: dict[str, forms.Field] = {}
        for question in self.section.questions:
            if question.is_grid:
                columns = [
                    (column, *self._value_fields(column.kind, column, text))
                    for column in question.columns
                ]
                for row in self.grid_rows[question.code]:
                    if row.is_other:
                        fields[field_name(question.code, row.code, LABEL_COLUMN)] = text
                    for column, value, other, status in columns:
                        name = field_name(question.code, row.code, column.code)
                        fields[name] = value
                        if other is not None:
                            fields[field_name(name, part="other")] = other
                        if status is not None:
                            fields[field_name(name, part="status")] = status
            elif question.kind == Kind.RANKING:
                rank = forms.ChoiceField(
                    required=False,
                    choices=[("", ""), *_choice_pairs(question.choices)],
                    error_messages=CHOICE_MESSAGES,
                )
                for n in range(1, ranking_size(question) + 1):
                    fields[f"{question.code}.rank{n}"] = rank
            else:
                value, other, status = self._value_fields(question.kind, question, text)
                fields[question.code] = value
                if other is not None:
                    fields[field_name(question.code, part="other")] = other
            if question.special_values:
                fields[field_name(question.code, part="status")] = status_field(
                    question.special_values
                )
            if question.allows_note:
                fields[field_name(question.code, part="note")] = note
        return fields

    @staticmethod
    def _value_fields(
        kind: str, item: QuestionDef | ColumnDef, text: forms.Field
    ) -> tuple[forms.Field, forms.Field | None, StatusField | None]:
        """The value field of a question or column, its "please specify" and its status fields.

        A question's own special values belong to the question, not to its value: they are
        added by the caller, so a question gets no status field here.
        """
        value = create_field(kind, item.validation, item.choices)
        other = text if other_codes(item.choices) else None
        status = (
            status_field(item.special_values)
            if isinstance(item, ColumnDef) and item.special_values
            else None
        )
        return value, other, status

    def get_form_class(self) -> type[SectionForm]:
        attributes: dict[str, Any] = dict(self.formfields)
        attributes["section"] = self.section
        attributes["grid_rows"] = self.grid_rows
        attributes["ordered_questions"] = self.ordered_questions
        form_class = type(f"Section{self.section.code}Form", (SectionForm,), attributes)
        form_class.base_fields = _SharedFields(form_class.base_fields)  # type: ignore[attr-defined]
        return form_class


class _SharedFields(dict):
    """Base fields that Form.__init__ copies without deep-copying each field.

    Django deep-copies `base_fields` so that a form instance may change its own fields. Section
    forms never change a field once built (rendering.py writes the HTML; no widget renders),
    and a class is built per request: the deep copy of a thousand fields would be pure cost.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


def answers_to_data(
    section: SectionDef,
    grid_rows: Mapping[str, tuple[RowDef, ...]],
    answers: Mapping[AnswerKey, AnswerValue],
) -> dict[str, Any]:
    """Stored answers as form data, the exact inverse of SectionForm.cleaned_answers()."""
    data: dict[str, Any] = {}

    def put(name: str, kind: str, answer: AnswerValue | None) -> None:
        if answer is None:
            return
        value, other = json_to_data(kind, answer.value)
        if value not in ("", []):
            data[name] = value
        if other:
            data[field_name(name, part="other")] = other
        if answer.status:
            data[field_name(name, part="status")] = answer.status

    for question in section.questions:
        answer = answers.get((question.code, "", ""))
        if question.is_grid:
            rows = grid_rows.get(question.code, question.rows)
            for row in rows:
                label = answers.get((question.code, row.code, LABEL_COLUMN))
                if row.is_other and label is not None and label.value:
                    data[field_name(question.code, row.code, LABEL_COLUMN)] = label.value
                for column in question.columns:
                    put(
                        field_name(question.code, row.code, column.code),
                        column.kind,
                        answers.get((question.code, row.code, column.code)),
                    )
            if answer and answer.status:
                data[field_name(question.code, part="status")] = answer.status
        elif question.kind == Kind.RANKING:
            if answer and answer.value:
                for n, code in enumerate(answer.value, start=1):
                    data[f"{question.code}.rank{n}"] = code
            if answer and answer.status:
                data[field_name(question.code, part="status")] = answer.status
        else:
            put(question.code, question.kind, answer)
        if answer and answer.note:
            data[field_name(question.code, part="note")] = answer.note
    return data


# --- Rows of grids whose rows are not fixed -----------------------------------------------------


# Row codes "r1", "r2"… of respondent grids; a larger number is no row (and would not fit the
# answer's row code column).
MAX_ROW_NUMBER = 999_999


def respondent_row_code(number: int) -> str:
    return f"r{number}"


def _row_number(code: str) -> int:
    number = parse_whole_number(code[1:], maximum=MAX_ROW_NUMBER) if code.startswith("r") else None
    return number or 0


def resolve_grid_rows(
    section: SectionDef,
    questions: Mapping[str, QuestionDef],
    answers: Mapping[AnswerKey, AnswerValue],
    *,
    submitted_rows: Mapping[str, str] | None = None,
    added_row: str = "",
) -> dict[str, tuple[RowDef, ...]]:
    """The rows of each grid of the section, given the answers of the whole return.

    Respondent grids show their answered rows plus one empty row to fill (and `added_row`
    names a grid where the respondent asked for one more). Derived grids show the rows of their
    source grid that satisfy its `where` condition.
    """
    # Only a derived grid needs the pass over the whole questionnaire's conditions: an autosave
    # of a plain question must not pay for it.
    visibility: Visibility | None = None
    rows: dict[str, tuple[RowDef, ...]] = {}
    for question in section.questions:
        if not question.is_grid:
            continue
        if question.row_source == Question.RowSource.RESPONDENT:
            rows[question.code] = _respondent_rows(
                question, answers, (submitted_rows or {}).get(question.code), added_row
            )
        elif question.row_source == Question.RowSource.DERIVED:
            if visibility is None:
                visibility = shown_answers(questions.values(), comparable_answers(answers))
            rows[question.code] = _derived_rows(question, questions, answers, visibility)
        else:
            rows[question.code] = question.rows
    return rows


def _respondent_rows(
    question: QuestionDef,
    answers: Mapping[AnswerKey, AnswerValue],
    submitted: str | None,
    added_row: str,
    *,
    with_blank: bool = True,
) -> tuple[RowDef, ...]:
    if submitted is not None:
        numbers = sorted({_row_number(code) for code in submitted.split(",") if _row_number(code)})[
            : question.max_rows
        ]
    else:
        numbers = sorted(
            {
                _row_number(row)
                for (code, row, _column), answer in answers.items()
                if code == question.code and row and not answer.is_blank
            }
            - {0}
        )
        # One empty row to fill in.
        if with_blank and len(numbers) < question.max_rows:
            numbers.append((numbers[-1] if numbers else 0) + 1)
    if added_row == question.code and len(numbers) < question.max_rows:
        numbers.append((numbers[-1] if numbers else 0) + 1)
    return tuple(
        RowDef(respondent_row_code(n), _("Row %(n)d") % {"n": index})
        for index, n in enumerate(numbers, start=1)
    )


def _derived_rows(
    question: QuestionDef,
    questions: Mapping[str, QuestionDef],
    answers: Mapping[AnswerKey, AnswerValue],
    visibility: Visibility,
    seen: frozenset[str] = frozenset(),
) -> tuple[RowDef, ...]:
    """The rows of the source grid that satisfy `where`, with their labels.

    A hidden source gives no rows. The source may itself be derived: its rows are then the
    rows it shows (the loader refuses cycles; `seen` guards against them anyway).
    """
    source = questions.get(question.rows_from.get("question", ""))
    if source is None or source.code in visibility.hidden_questions or source.code in seen:
        return ()
    lookup = visibility.lookup
    if source.row_source == Question.RowSource.RESPONDENT:
        candidates = _respondent_rows(source, answers, None, "", with_blank=False)
    elif source.row_source == Question.RowSource.DERIVED:
        candidates = _derived_rows(source, questions, answers, visibility, seen | {question.code})
    else:
        candidates = source.rows
    where = question.rows_from.get("where") or {}
    label_column = question.rows_from.get("label", "")
    rows = []
    for row in candidates:
        if where and not conditions.evaluate(where, lookup, grid=source.code, row=row.code):
            continue
        label = row.label
        if label_column:
            answer = answers.get((source.code, row.code, label_column))
            label = str(answer.value) if answer and answer.value else row.label
        elif row.is_other:
            answer = answers.get((source.code, row.code, LABEL_COLUMN))
            label = str(answer.value) if answer and answer.value else row.label
        rows.append(RowDef(row.code, label))
    return tuple(rows)


# --- Progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far a reply to a section got: visible questions answered, and required ones."""

    answered: int
    visible: int
    required_answered: int
    required: int


def section_progress(
    section: SectionDef,
    questions: Mapping[str, QuestionDef],
    answers: Mapping[AnswerKey, AnswerValue],
) -> Progress:
    """Count the visible questions of a section that have an answer (a special value counts)."""
    rows = resolve_grid_rows(section, questions, answers)
    visibility = shown_answers(questions.values(), comparable_answers(answers), grid_rows=rows)
    answered_codes = {
        code
        for (code, row, column), answer in answers.items()
        if answer.is_answered and column != LABEL_COLUMN
    }
    answered = visible = required_answered = required = 0
    for question in section.questions:
        if question.code in visibility.hidden_questions:
            continue
        visible += 1
        is_answered = question.code in answered_codes
        answered += is_answered
        if question.required:
            required += 1
            required_answered += is_answered
    return Progress(answered, visible, required_answered, required)
