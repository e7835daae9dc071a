"""HTML for a section form: questions, grids as real tables, special values and notes.

Written in Python rather than through Django's widget templates because a section can hold
several thousand inputs and options (section D); template widgets cost about 0.05 ms each.
Every input has a label (grid cells are labelled by their row and column headers), errors are
tied to their inputs with aria-describedby, and conditions travel as data-show-if attributes for
static/consultation/conditions.js.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape as html_escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .answers import LABEL_COLUMN, field_name
from .definition import SPECIAL_VALUES, YES_NO_CHOICES, ChoiceDef, ColumnDef, QuestionDef
from .describe import describe_condition
from .formbuilder import DATE_PARTS, SectionForm, ranking_size
from .models import Kind, Question
from .parsing import parse_whole_number

INPUT_TYPES: dict[str, str] = {
    Kind.TEXT: "text",
    Kind.INTEGER: "text",
    Kind.DECIMAL: "text",
    Kind.PERCENTAGE: "text",
    Kind.YEAR: "text",
    Kind.DATE: "date",
    Kind.EMAIL: "email",
    Kind.URL: "url",
}
INPUT_MODES: dict[str, str] = {
    Kind.INTEGER: "numeric",
    Kind.YEAR: "numeric",
    Kind.DECIMAL: "decimal",
    Kind.PERCENTAGE: "decimal",
}
# Radios read best for short lists; longer lists become a select.
MAX_RADIOS = 8


def escape(value: Any) -> str:
    """What django.utils.html.escape returns, without its lazy-string wrapper: pages escape
    tens of thousands of strings, and the wrapper cost more than the escaping."""
    return html_escape(str(value))


def field_id(name: str) -> str:
    return "f-" + name


def _attr(name: str, value: Any) -> str:
    return f' {name}="{escape(value)}"'


class SectionRenderer:
    """Renders a bound or unbound SectionForm; `read_only` disables every input."""

    def __init__(
        self,
        form: SectionForm,
        *,
        read_only: bool = False,
        questions: Mapping[str, QuestionDef] | None = None,
        history_url: str = "",
    ) -> None:
        self.form = form
        self.read_only = read_only
        # A link to each question's history of changes: the URL with "{code}" in it.
        self.history_url = history_url
        # With the questionnaire's questions, conditions are also written out in words (print).
        self.questions = questions
        if not form.is_bound:
            form.compute_visibility()
        elif not hasattr(form, "cleaned_data"):
            form.full_clean()
        self.source = form.data if form.is_bound else form.initial
        self.errors = form.errors if form.is_bound else {}
        # Built once per page, not once per input: the options of each list, and the lists
        # made here (yes/no, special values), kept alive so that their id() stays theirs.
        self._options_html: dict[tuple[int, str], tuple[Sequence[ChoiceDef], str]] = {}
        self._yes_no = self.choices_of(Kind.YES_NO, ())
        self._special_values: dict[tuple[str, ...], list[ChoiceDef]] = {}
        self._has_other: dict[int, tuple[Sequence[ChoiceDef], bool]] = {}
        self._escaped: dict[int, tuple[Sequence[ChoiceDef], list[tuple[str, str, str, str]]]] = {}
        self._show_if: dict[int, tuple[ColumnDef, str]] = {}
        self._please_specify = escape(_("Please specify"))
        self._choose = _("Choose...")

    # Values ----------------------------------------------------------------------------------

    def value(self, name: str) -> str:
        value = self.source.get(name, "")
        if isinstance(value, list):
            return value[-1] if value else ""
        return "" if value is None else str(value)

    def values(self, name: str) -> list[str]:
        if hasattr(self.source, "getlist"):
            return [str(item) for item in self.source.getlist(name)]
        value = self.source.get(name, [])
        if isinstance(value, (list, tuple)):
            return [str(item) for item in value]
        return [str(value)] if value not in ("", None) else []

    def disabled(self) -> str:
        return " disabled" if self.read_only else ""

    # Page ---------------------------------------------------------------------------------------

    def render(self) -> SafeString:
        parts = [self.render_question(question) for question in self.form.section.questions]
        return mark_safe("\n".join(parts))  # noqa: S308 (every value above is escaped)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(link target, question code, message) for every error, in page order."""
        questions = {question.code: n for n, question in enumerate(self.form.section.questions)}
        fields = {name: n for n, name in enumerate(self.form.fields)}
        # Errors come field by field, then from the checks across fields: sort them into the
        # page's order (a question's own error first, as it is shown above its inputs).
        names = sorted(
            (name for name in self.errors if name != "__all__"),
            key=lambda name: (
                questions.get(name.split(".")[0], len(questions)),
                fields.get(name, -1),
            ),
        )
        summary = []
        for name in names:
            target = field_id(name) if name in self.form.fields else "q-" + name.split(".")[0]
            for message in self.errors[name]:
                summary.append((target, name.split(".")[0], str(message)))
        return summary

    def render_errors(self, name: str) -> str:
        messages = self.errors.get(name) if self.errors else None
        if not messages:
            return ""
        items = "".join(
            f'<p class="error-message" id="{escape(field_id(name))}-error">'
            f'<span class="visually-hidden">{escape(_("Error:"))}</span> {escape(message)}</p>'
            for message in messages
        )
        return items

    def described_by(self, name: str, *extra: str) -> str:
        ids = [item for item in extra if item]
        if self.errors and self.errors.get(name):
            ids.append(field_id(name) + "-error")
        return _attr("aria-describedby", " ".join(ids)) if ids else ""

    def invalid(self, name: str) -> str:
        return ' aria-invalid="true"' if self.errors and self.errors.get(name) else ""

    def render_question(self, question: QuestionDef) -> str:
        hidden = question.code in self.form.hidden_questions
        show_if = question.show_if
        attributes = _attr("id", "q-" + question.code) + _attr("data-question", question.code)
        attributes += _attr("data-kind", question.kind)
        if show_if:
            attributes += _attr("data-show-if", json.dumps(show_if))
        if question.is_grid and question.row_source == Question.RowSource.DERIVED:
            attributes += _attr("data-derived-from", question.rows_from.get("question", ""))
        classes = "question" + (" has-error" if self._question_has_error(question) else "")
        help_id = f"help-{question.code}" if question.help_text else ""
        required = (
            f' <span class="required">{escape(_("(required)"))}</span>' if question.required else ""
        )
        heading = (
            f'<span class="question-code">{escape(question.code)}</span> '
            f'<span class="question-text" dir="auto">{escape(question.text)}</span>{required}'
        )
        help_html = (
            f'<p class="help" id="{escape(help_id)}" dir="auto">{escape(question.help_text)}</p>'
            if help_id
            else ""
        )
        body = self.render_answer(question, heading, help_html, help_id)
        if show_if and self.questions is not None:
            sentence = _("Asked if %(condition)s.") % {
                "condition": describe_condition(show_if, self.questions)
            }
            body = f'<p class="condition print-only">{escape(sentence)}</p>{body}'
        questions = self.questions
        for column in question.columns if questions is not None else ():
            if column.show_if and questions is not None:
                sentence = _("%(column)s: asked if %(condition)s.") % {
                    "column": column.label,
                    "condition": describe_condition(column.show_if, questions, question),
                }
                body += f'<p class="condition print-only">{escape(sentence)}</p>'

        extras = self.render_status(question.code, question.special_values, question.text)
        extras += self.render_note(question)
        if self.history_url:
            link_text = _("History of %(code)s's answers") % {"code": question.code}
            href = self.history_url.replace("{code}", question.code)
            extras += (
                f'<p class="history-link"><a href="{escape(href)}">{escape(link_text)}</a></p>'
            )
        return (
            f'<section class="{classes}"{attributes}{" hidden" if hidden else ""}>'
            f"{body}{extras}</section>"
        )

    def _question_has_error(self, question: QuestionDef) -> bool:
        return bool(self.errors) and any(
            name.split(".")[0] == question.code for name in self.errors
        )

    def render_answer(
        self, question: QuestionDef, heading: str, help_html: str, help_id: str
    ) -> str:
        name = question.code
        errors = self.render_errors(name)
        if question.is_grid:
            return (
                f'<fieldset class="grid-question"><legend>{heading}</legend>{help_html}{errors}'
                f"{self.render_grid(question)}</fieldset>"
            )
        if question.kind == Kind.RANKING:
            return (
                f"<fieldset><legend>{heading}</legend>{help_html}{errors}"
                f"{self.render_ranking(question, help_id)}</fieldset>"
            )
        if question.kind in (Kind.SINGLE_CHOICE, Kind.YES_NO, Kind.MULTIPLE_CHOICE):
            choices = self._choices(question.kind, question.choices)
            multiple = question.kind == Kind.MULTIPLE_CHOICE
            if not multiple and len(choices) > MAX_RADIOS:
                label = f'<label for="{escape(field_id(name))}">{heading}</label>'
                widget = self.render_select(name, choices, self.described_by(name, help_id))
                widget += self.print_options(choices)
                return f"{label}{help_html}{errors}{widget}{self.render_other(name, choices)}"
            widget = self.render_options(name, choices, multiple=multiple)
            return (
                f"<fieldset{self.described_by(name, help_id)}><legend>{heading}</legend>"
                f"{help_html}{errors}{widget}{self.render_other(name, choices)}</fieldset>"
            )
        if question.kind == Kind.DATE:
            hint_id = f"hint-{name}"
            return (
                f"<fieldset{self.described_by(name, help_id, hint_id)}><legend>{heading}</legend>"
                f"{help_html}{self.date_hint(hint_id)}{errors}{self.render_date(name)}</fieldset>"
            )
        label = f'<label for="{escape(field_id(name))}">{heading}</label>'
        widget = self.render_input(name, question.kind, self.described_by(name, help_id))
        return f"{label}{help_html}{errors}{widget}"

    @staticmethod
    def date_hint(hint_id: str) -> str:
        return f'<p class="help" id="{escape(hint_id)}">{escape(_("For example, 31 3 2026"))}</p>'

    def render_date(self, name: str, labelled_by: str = "") -> str:
        """Day, month and year in three boxes; the stored value is an ISO date."""
        iso = self.value(name)
        stored = dict(zip(DATE_PARTS, reversed(iso.split("-")), strict=False)) if iso else {}
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        items = []
        for part in DATE_PARTS:
            part_name = f"{name}.{part}"
            value = self.value(part_name) if part_name in self.source else stored.get(part, "")
            number = parse_whole_number(value)
            if part != "year" and number is not None:
                value = str(number)  # "07" shows as 7
            part_id = escape(field_id(part_name))
            aria = (
                _attr("aria-labelledby", f"{field_id(part_name)}-label {labelled_by}")
                if labelled_by
                else ""
            )
            width = "year" if part == "year" else "day"
            items.append(
                f'<div class="date-part"><label for="{part_id}" id="{part_id}-label">'
                f"{escape(labels[part])}</label>"
                f'<input type="text" inputmode="numeric" class="date-{width}"'
                f' name="{escape(part_name)}" id="{part_id}" value="{escape(value)}"{aria}'
                f"{self.invalid(name)}{self.disabled()}></div>"
            )
        return f'<div class="date-input" id="{escape(field_id(name))}">{"".join(items)}</div>'

    # Widgets ------------------------------------------------------------------------------------

    @staticmethod
    def choices_of(kind: str, choices: Iterable[ChoiceDef]) -> list[ChoiceDef]:
        if kind == Kind.YES_NO:
            return [ChoiceDef(code, str(label)) for code, label in YES_NO_CHOICES]
        return list(choices)

    def _choices(self, kind: str, choices: Sequence[ChoiceDef]) -> Sequence[ChoiceDef]:
        """choices_of() without a new list per input."""
        return self._yes_no if kind == Kind.YES_NO else choices

    def _special_value_choices(self, codes: Sequence[str]) -> list[ChoiceDef]:
        key = tuple(codes)
        if key not in self._special_values:
            self._special_values[key] = [
                ChoiceDef(code, str(SPECIAL_VALUES[code])) for code in codes
            ]
        return self._special_values[key]

    def _escaped_choices(self, choices: Sequence[ChoiceDef]) -> list[tuple[str, str, str, str]]:
        """(code, escaped code, escaped label, exclusive and other attributes) of each choice."""
        cached = self._escaped.get(id(choices))
        if cached is None:
            cached = self._escaped[id(choices)] = (
                choices,
                [
                    (
                        choice.code,
                        escape(choice.code),
                        escape(choice.label),
                        (" data-exclusive" if choice.is_exclusive else "")
                        + (" data-other" if choice.is_other else ""),
                    )
                    for choice in choices
                ],
            )
        return cached[1]

    def _any_other(self, choices: Sequence[ChoiceDef]) -> bool:
        cached = self._has_other.get(id(choices))
        if cached is None:
            cached = self._has_other[id(choices)] = (
                choices,
                any(choice.is_other for choice in choices),
            )
        return cached[1]

    def render_input(self, name: str, kind: str, extra: str = "") -> str:
        value = self.value(name)
        if kind == Kind.LONG_TEXT:
            return (
                f'<textarea name="{escape(name)}" id="{escape(field_id(name))}" rows="4" dir="auto"'
                f"{extra}{self.invalid(name)}{self.disabled()}>{escape(value)}</textarea>"
            )
        if kind == Kind.CHECKBOX:
            checked = " checked" if value in ("on", "true", "True", "1") else ""
            return (
                f'<input type="checkbox" name="{escape(name)}" id="{escape(field_id(name))}"'
                f"{checked}{extra}{self.disabled()}>"
            )
        input_type = INPUT_TYPES.get(kind, "text")
        mode = INPUT_MODES.get(kind)
        size = ' class="narrow"' if mode else ""
        # Text in a right-to-left script shows right to left, in the page and in print.
        direction = ' dir="auto"' if kind == Kind.TEXT else ""
        return (
            f'<input type="{input_type}" name="{escape(name)}" id="{escape(field_id(name))}"'
            f' value="{escape(value)}"{_attr("inputmode", mode) if mode else ""}{size}{direction}'
            f"{extra}{self.invalid(name)}{self.disabled()}>"
        )

    def render_select(
        self, name: str, choices: Sequence[ChoiceDef], extra: str = "", blank: str = ""
    ) -> str:
        blank = blank or self._choose
        key = (id(choices), blank)
        cached = self._options_html.get(key)
        if cached is None:
            options = [f'<option value="">{escape(blank)}</option>']
            options.extend(
                f'<option value="{escape(choice.code)}"{" data-other" if choice.is_other else ""}>'
                f"{escape(choice.label)}</option>"
                for choice in choices
            )
            cached = self._options_html[key] = (choices, "".join(options))
        options_html = cached[1]
        current = self.value(name)
        if current:
            option = f'<option value="{escape(current)}"'
            options_html = options_html.replace(option, option + " selected", 1)
        return (
            f'<select name="{escape(name)}" id="{escape(field_id(name))}"{extra}'
            f"{self.invalid(name)}{self.disabled()}>{options_html}</select>"
        )

    def print_options(self, choices: Sequence[ChoiceDef], heading: str = "") -> str:
        """On the printed questionnaire, the options a drop-down hides (which prints as
        "Choose...")."""
        if self.questions is None or not choices:
            return ""
        items = "".join(f"<li>{escape(choice.label)}</li>" for choice in choices)
        title = f"<strong>{escape(heading)}</strong> " if heading else ""
        return f'<div class="print-options print-only">{title}<ul>{items}</ul></div>'

    def render_options(
        self, name: str, choices: Iterable[ChoiceDef], *, multiple: bool, extra: str = ""
    ) -> str:
        chosen = set(self.values(name)) if multiple else {self.value(name)}
        input_type = "checkbox" if multiple else "radio"
        items = []
        for choice in choices:
            option_id = field_id(f"{name}-{choice.code}")
            checked = " checked" if choice.code in chosen else ""
            exclusive = " data-exclusive" if choice.is_exclusive else ""
            other = " data-other" if choice.is_other else ""
            items.append(
                f'<div class="choice"><input type="{input_type}" name="{escape(name)}"'
                f' id="{escape(option_id)}" value="{escape(choice.code)}"{checked}{exclusive}'
                f'{other}{extra}{self.disabled()}><label for="{escape(option_id)}" dir="auto">'
                f"{escape(choice.label)}</label></div>"
            )
        return f'<div class="choices">{"".join(items)}</div>'

    def render_other(self, name: str, choices: Sequence[ChoiceDef], labelled_by: str = "") -> str:
        """The "please specify" box of a list with an "other" option.

        Shown without JavaScript (and ignored unless "other" is chosen); other_specify.js hides
        it until "other" is chosen. In a grid cell it is named by its row and column too.
        """
        if not self._any_other(choices):
            return ""
        other = field_name(name, part="other")
        other_id = escape(field_id(other))
        extra = (
            _attr("aria-labelledby", f"{field_id(other)}-label {labelled_by}")
            if labelled_by
            else ""
        )
        return (
            f'<div class="other-specify" data-other-for="{escape(name)}">'
            f'<label for="{other_id}" id="{other_id}-label">{self._please_specify}</label>'
            f"{self.render_errors(other)}"
            f"{self.render_input(other, Kind.TEXT, extra + self.described_by(other))}</div>"
        )

    def render_status(self, name: str, codes: Iterable[str], context: str) -> str:
        codes = list(codes)
        if not codes:
            return ""
        status = field_name(name, part="status")
        choices = self._special_value_choices(codes)
        extra = self.described_by(status)
        return (
            f'<div class="special-value"><label for="{escape(field_id(status))}">'
            f"{escape(_('No value to give? Say why'))}</label>{self.render_errors(status)}"
            f"{self.render_select(status, choices, extra, blank=_('None: I give an answer'))}</div>"
        )

    def render_note(self, question: QuestionDef) -> str:
        if not question.allows_note:
            return ""
        note = field_name(question.code, part="note")
        value = self.value(note)
        open_attribute = " open" if value or (self.errors and self.errors.get(note)) else ""
        code = question.code
        summary = (
            _("Edit the note on %(code)s") % {"code": code}
            if value
            else _("Add a note to %(code)s") % {"code": code}
        )
        label = _("Note on %(code)s (coverage, definitions, breaks in series, source)") % {
            "code": code
        }
        return (
            f'<details class="note"{open_attribute}><summary>{escape(summary)}</summary>'
            f'<label for="{escape(field_id(note))}">{escape(label)}</label>'
            f"{self.render_errors(note)}"
            f"{self.render_input(note, Kind.LONG_TEXT, self.described_by(note))}</details>"
        )

    def render_ranking(self, question: QuestionDef, help_id: str) -> str:
        items = [self.print_options(question.choices)]
        for n in range(1, ranking_size(question) + 1):
            name = f"{question.code}.rank{n}"
            label = _("Rank %(n)d") % {"n": n}
            items.append(
                f'<div class="rank"><label for="{escape(field_id(name))}">{escape(label)}</label>'
                f"{self.render_errors(name)}"
                f"{self.render_select(name, question.choices, self.described_by(name, help_id))}"
                "</div>"
            )
        return "".join(items)

    # Grids --------------------------------------------------------------------------------------

    def render_grid(self, question: QuestionDef) -> str:
        rows = self.form.grid_rows.get(question.code, ())
        code = question.code
        # "_item" cannot clash with a column code, which starts with a letter.
        header_cells = [f'<th scope="col" id="{escape(code)}-h-_item">{escape(_("Item"))}</th>']
        for column in question.columns:
            help_html = (
                f'<span class="column-help">{escape(column.help_text)}</span>'
                if column.help_text
                else ""
            )
            required = (
                f' <span class="required">{escape(_("(required)"))}</span>'
                if column.required
                else ""
            )
            header_cells.append(
                f'<th scope="col" id="{escape(code)}-h-{escape(column.code)}" dir="auto">'
                f"{escape(column.label)}{required}{help_html}</th>"
            )
        body = []
        for row in rows:
            body.append(self.render_grid_row(question, row.code, row.label, row.is_other))
        if rows and self.form.is_bound and self.value("add_row") == code:
            # The row just added: autosave.js puts the focus in it.
            body[-1] = body[-1].replace("<tr ", "<tr data-added-row ", 1)
        if not rows:
            if question.row_source == Question.RowSource.DERIVED:
                message = _("The rows of this table come from the answers to question %(q)s.") % {
                    "q": question.rows_from.get("question", "")
                }
            else:
                message = _("No rows yet.")
            body.append(
                f'<tr><td colspan="{len(question.columns) + 1}">{escape(message)}</td></tr>'
            )
        table = (
            f'<div class="grid-scroll" role="region" tabindex="0"'
            f' aria-labelledby="{escape(code)}-caption">'
            f'<table class="grid" data-grid="{escape(code)}">'
            f'<caption id="{escape(code)}-caption" class="visually-hidden">'
            f"{escape(code)} {escape(question.text)}</caption>"
            f"<thead><tr>{''.join(header_cells)}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table></div>"
        )
        for column in question.columns:
            if column.kind in (Kind.SINGLE_CHOICE, Kind.YES_NO):
                heading = _("%(column)s: choose one of") % {"column": column.label}
                table += self.print_options(self._choices(column.kind, column.choices), heading)
        if question.row_source == Question.RowSource.RESPONDENT:
            row_codes = ",".join(row.code for row in rows)
            table += (
                f'<input type="hidden" name="{escape(code)}._rows" value="{escape(row_codes)}">'
            )
            if not self.read_only and len(rows) < question.max_rows:
                table += (
                    f'<button type="submit" class="secondary add-row" name="add_row"'
                    f' value="{escape(code)}" formaction="#q-{escape(code)}" formnovalidate>'
                    f"{escape(_('Add a row to %(code)s') % {'code': code})}</button>"
                )
        return table

    def render_grid_row(self, question: QuestionDef, row: str, label: str, is_other: bool) -> str:
        code = question.code
        header_id = f"{code}-r-{row}"
        if is_other:
            label_name = field_name(code, row, LABEL_COLUMN)
            header = (
                f'<th scope="row" id="{escape(header_id)}">'
                f'<label for="{escape(field_id(label_name))}" dir="auto">{escape(label)}</label>'
                f"{self.render_errors(label_name)}"
                f"{self.render_input(label_name, Kind.TEXT)}</th>"
            )
        else:
            header = f'<th scope="row" id="{escape(header_id)}" dir="auto">{escape(label)}</th>'
        cells = [header]
        for column in question.columns:
            cells.append(self.render_cell(question, row, column, header_id))
        return f'<tr data-row="{escape(row)}">{"".join(cells)}</tr>'

    def render_cell(
        self, question: QuestionDef, row: str, column: ColumnDef, header_id: str
    ) -> str:
        code = question.code
        name = field_name(code, row, column.code)
        labelled_by = f"{header_id} {code}-h-{column.code}"
        hidden = (code, row, column.code) in self.form.hidden_cells
        attributes = _attr("data-column", column.code)
        if column.show_if:
            cached = self._show_if.get(id(column))
            if cached is None:
                cached = self._show_if[id(column)] = (
                    column,
                    _attr("data-show-if", json.dumps(column.show_if)),
                )
            attributes += cached[1]
        aria = _attr("aria-labelledby", labelled_by) + self.described_by(name)
        if column.kind in (Kind.SINGLE_CHOICE, Kind.YES_NO):
            widget = self.render_select(name, self._choices(column.kind, column.choices), aria)
        elif column.kind == Kind.MULTIPLE_CHOICE:
            widget = self.render_cell_options(name, column, labelled_by)
        elif column.kind == Kind.DATE:
            widget = self.render_date(name, labelled_by)
        else:
            widget = self.render_input(name, column.kind, aria)
        widget = (
            f'<div class="cell-value">{widget}</div>'
            f"{self.render_other(name, column.choices, labelled_by)}"
            f"{self.render_cell_status(name, column, labelled_by)}"
        )
        content = f"{self.render_errors(name)}{widget}"
        # A hidden cell keeps its place in the table; only its content is hidden.
        return (
            f'<td{attributes}><div class="cell"{" hidden" if hidden else ""}>{content}</div></td>'
        )

    def render_cell_options(self, name: str, column: ColumnDef, labelled_by: str) -> str:
        chosen = set(self.values(name))
        escaped_name, prefix = escape(name), escape(field_id(name))
        labelled_by, disabled = escape(labelled_by), self.disabled()
        items = []
        for raw_code, code, label, exclusive in self._escaped_choices(column.choices):
            option_id = f"{prefix}-{code}"
            checked = " checked" if raw_code in chosen else ""
            items.append(
                f'<div class="choice"><input type="checkbox" name="{escaped_name}"'
                f' id="{option_id}" value="{code}"{checked}{exclusive}'
                f' aria-labelledby="{labelled_by} {option_id}-label"{disabled}>'
                f'<label for="{option_id}" id="{option_id}-label">{label}</label></div>'
            )
        # The list scrolls: with its boxes disabled (read only), the list itself must take the
        # focus so that a keyboard can scroll it.
        focus = ' tabindex="0"' if self.read_only else ""
        return (
            f'<div class="choices compact" role="group" aria-labelledby="{labelled_by}"{focus}>'
            f"{''.join(items)}</div>"
        )

    def render_cell_status(self, name: str, column: ColumnDef, labelled_by: str) -> str:
        if not column.special_values:
            return ""
        status = field_name(name, part="status")
        choices = self._special_value_choices(column.special_values)
        label_id = field_id(status) + "-label"
        aria = _attr("aria-labelledby", f"{label_id} {labelled_by}") + self.described_by(status)
        return (
            f'<div class="special-value compact"><span class="visually-hidden" id="{label_id}">'
            f"{escape(_('No value? Say why'))}</span>{self.render_errors(status)}"
            f"{self.render_select(status, choices, aria, blank=_('None: answer given'))}"
            "</div>"
        )


class AnswerSummary:
    """A reply to read, not to edit: each question with its answer in words (GOV.UK summary
    list), grids as plain tables. Disabled controls (grey on grey) are hard to read."""

    def __init__(
        self,
        form: SectionForm,
        answers: Mapping[tuple[str, str, str], Any],
        *,
        history_url: str = "",
    ) -> None:
        self.form = form
        self.answers = answers
        self.history_url = history_url
        form.compute_visibility()

    def render(self) -> SafeString:
        parts = [
            self.render_question(question)
            for question in self.form.section.questions
            if question.code not in self.form.hidden_questions
        ]
        return mark_safe(  # noqa: S308 (every value below is escaped)
            f'<dl class="summary-list">{"".join(parts)}</dl>'
        )

    def _text(self, kind: str, choices: Sequence[ChoiceDef], key: tuple[str, str, str]) -> str:
        answer = self.answers.get(key)
        if answer is None or not answer.is_answered:
            return escape(_("Not answered"))
        text = escape(format_value(kind, choices, answer.value, answer.status))
        if answer.status:
            text = f'<span class="special">{text}</span>'
        return text

    def render_question(self, question: QuestionDef) -> str:
        code = question.code
        heading = f'<span class="question-code">{escape(code)}</span> {escape(question.text)}'
        if question.is_grid:
            value = self.render_grid(question)
        else:
            value = self._text(question.kind, question.choices, (code, "", ""))
        note = self.answers.get((code, "", ""))
        if note is not None and note.note:
            value += (
                f'<p class="summary-note"><strong>{escape(_("Note:"))}</strong> '
                f"{escape(note.note)}</p>"
            )
        if self.history_url:
            link_text = _("History of %(code)s's answers") % {"code": code}
            href = self.history_url.replace("{code}", code)
            value += f'<p class="history-link"><a href="{escape(href)}">{escape(link_text)}</a></p>'
        return (
            f'<div class="summary-row" id="q-{escape(code)}"><dt>{heading}</dt>'
            f"<dd>{value}</dd></div>"
        )

    def render_grid(self, question: QuestionDef) -> str:
        code = question.code
        rows = self.form.grid_rows.get(code, ())
        if not rows:
            return escape(_("No rows."))
        head = "".join(f'<th scope="col">{escape(c.label)}</th>' for c in question.columns)
        body = []
        for row in rows:
            label = row.label
            if row.is_other:
                given = self.answers.get((code, row.code, LABEL_COLUMN))
                if given is not None and given.value:
                    label = f"{row.label}: {given.value}"
            cells = []
            for column in question.columns:
                key = (code, row.code, column.code)
                if key in self.form.hidden_cells:
                    cells.append(f'<td class="muted">{escape(_("Not asked"))}</td>')
                    continue
                kind, choices = column.kind, column.choices
                cells.append(f"<td>{self._text(kind, self._choices(kind, choices), key)}</td>")
            body.append(f'<tr><th scope="row">{escape(label)}</th>{"".join(cells)}</tr>')
        return (
            f'<div class="grid-scroll" role="region" tabindex="0" aria-label="{escape(code)}">'
            f'<table class="grid summary-grid"><thead><tr><th scope="col">{escape(_("Item"))}</th>'
            f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )

    @staticmethod
    def _choices(kind: str, choices: Sequence[ChoiceDef]) -> Sequence[ChoiceDef]:
        return SectionRenderer.choices_of(kind, choices) if kind == Kind.YES_NO else choices


def format_value(kind: str, choices: Iterable[ChoiceDef], value: Any, status: str = "") -> str:
    """An answer value as a respondent reads it: choice labels rather than codes."""
    if status:
        return str(SPECIAL_VALUES.get(status, status))
    if value is None or value == "" or value == []:
        return _("(no answer)")
    labels = {choice.code: choice.label for choice in SectionRenderer.choices_of(kind, choices)}
    other = ""
    if isinstance(value, dict):
        other = value.get("other", "")
        value = value.get("choice", value.get("choices"))
    if kind == Kind.CHECKBOX:
        return _("Ticked") if value else _("Not ticked")
    if isinstance(value, list):
        text = "; ".join(labels.get(str(item), str(item)) for item in value)
    else:
        text = labels.get(str(value), str(value))
    return f"{text}: {other}" if other else text
