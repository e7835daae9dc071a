"""Offline workbooks: a reply's workbook to download, and an uploaded one previewed and applied.

The upload is checked by the engine (the section form builder) exactly as a web form is, and
applied through responses.answers.services.save_answers, which keeps the version check and the
history.
"""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultation.answers import (
    LABEL_COLUMN,
    AnswerKey,
    AnswerValue,
    comparable_answers,
    field_name,
)
from consultation.definition import QuestionnaireDef, SectionDef, get_definition
from consultation.formbuilder import SectionFormBuilder, answers_to_data, resolve_grid_rows
from consultation.models import Kind, Question
from consultation.rendering import format_value

from .. import access
from ..answers.autosave import key_of_field
from ..answers.services import AnswerEdit, StoredAnswer, load_answers, save_answers
from ..models import AnswerChange, Authority, CountryReturn
from .reader import SheetCells, UploadedWorkbook, WorkbookRefused, read_workbook
from .workbook import answer_key_text, value_digest

NEW, CHANGED, UNCHANGED, INVALID, CONFLICTING, SKIPPED, IGNORED = (
    "new",
    "changed",
    "unchanged",
    "invalid",
    "conflicting",
    "skipped",
    "ignored",
)
OUTCOMES = (NEW, CHANGED, UNCHANGED, INVALID, CONFLICTING, SKIPPED, IGNORED)
OUTCOME_LABELS = {
    NEW: gettext_lazy("New"),
    CHANGED: gettext_lazy("Changed"),
    UNCHANGED: gettext_lazy("Unchanged"),
    INVALID: gettext_lazy("Invalid"),
    CONFLICTING: gettext_lazy("Changed on the web since the download"),
    SKIPPED: gettext_lazy("Not asked (skipped)"),
    IGNORED: gettext_lazy("Not yours to change (ignored)"),
}
# The person's choice for an answer changed on the web since the download.
KEEP_WEB, TAKE_WORKBOOK = "web", "workbook"


# --- Upload: the preview ------------------------------------------------------------------------


@dataclass
class Entry:
    """One answer of the upload, as the preview lists it."""

    outcome: str
    key: AnswerKey
    section: str
    cell: str
    label: str
    old: str = ""
    new: str = ""
    message: str = ""
    value: AnswerValue | None = None
    version: int = 0  # the stored version the change starts from
    theirs_by: str = ""
    theirs_at: Any = None

    @property
    def key_text(self) -> str:
        return answer_key_text(self.key)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])

    def line(self) -> str:
        """The entry on one line, as import_workbook prints it."""
        text = f"{self.outcome:<11} {self.cell:<22} {self.label}"
        if self.outcome in (NEW, CHANGED, CONFLICTING, SKIPPED, IGNORED):
            text += f": {self.old} -> {self.new}"
        if self.message:
            text += f" ({self.message})"
        return text


@dataclass
class Preview:
    """What applying an uploaded workbook would do, answer by answer."""

    country_return: CountryReturn
    authority: Authority
    definition: QuestionnaireDef
    entries: list[Entry] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for entry in self.entries:
            counts[entry.outcome] += 1
        counts[UNCHANGED] += self.unchanged
        return counts

    def summary_line(self) -> str:
        return " ".join(f"{name}={count}" for name, count in self.counts().items())

    def of(self, *outcomes: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.outcome in outcomes]

    @property
    def has_invalid(self) -> bool:
        return any(entry.outcome == INVALID for entry in self.entries)


def _identify(user: Any, expected_return: CountryReturn | None):
    """The check of whose workbook it is, run once the signature is verified."""

    state: dict[str, Any] = {}

    def definition_for(meta: Mapping[str, Any]) -> QuestionnaireDef:
        if not meta.get("return"):
            raise WorkbookRefused(
                _(
                    "This is a blank questionnaire workbook, for reading. Download your reply's "
                    "workbook from the return's page and fill that in."
                )
            )
        country_return = (
            CountryReturn.objects.select_related("round", "country")
            .filter(pk=meta["return"])
            .first()
        )
        if country_return is None:
            raise WorkbookRefused(_("The return of this workbook no longer exists."))
        if expected_return is not None:
            if meta.get("round") != expected_return.round.code:
                raise WorkbookRefused(
                    _("This workbook is for round %(theirs)s, not %(ours)s.")
                    % {"theirs": meta.get("round"), "ours": expected_return.round.code}
                )
            if country_return.pk != expected_return.pk:
                raise WorkbookRefused(
                    _("This workbook is the reply of %(theirs)s, not of %(ours)s.")
                    % {
                        "theirs": country_return.country.name,
                        "ours": expected_return.country.name,
                    }
                )
        try:
            access.get_return(user, country_return.pk)
        except Http404:
            raise WorkbookRefused(
                _("This workbook is the reply of a country you do not answer for.")
            ) from None
        authority = Authority.objects.filter(
            pk=int(meta.get("authority") or 0), country_id=country_return.country_id
        ).first()
        if authority is None or authority.pk not in _authorities_answered_by(user, country_return):
            raise WorkbookRefused(
                _(
                    "This workbook is the reply of %(authority)s, which you do not answer for. "
                    "Download your own reply's workbook."
                )
                % {"authority": authority.name if authority else _("another authority")}
            )
        if meta.get("questionnaire_id") != country_return.round.questionnaire_id:
            raise WorkbookRefused(_("This workbook is for another questionnaire."))
        state["return"] = country_return
        state["authority"] = authority
        return get_definition(country_return.round.questionnaire_id)

    return definition_for, state


def _authorities_answered_by(user: Any, country_return: CountryReturn) -> set[int]:
    authorities = set(access.respondent_authorities(user, country_return.pk))
    if access.is_focal_point(user, country_return):
        authorities.add(access.nso_of(country_return).pk)
    return authorities


def edit_rule_of(
    user: User, country_return: CountryReturn, authority: Authority, section: SectionDef
) -> access.EditRule:
    """The one edit rule, as the Excel upload channel asks it, for one section of the reply."""
    return access.edit_rule(
        user,
        country_return=country_return,
        authority=authority,
        section_id=section.id,
        channel=AnswerChange.Channel.EXCEL,
    )


def preview_workbook(
    *,
    content: bytes,
    user: User,
    filename: str = "",
    expected_return: CountryReturn | None = None,
    progress: Callable[[int], None] | None = None,
) -> Preview:
    """What the uploaded workbook would change, answer by answer; changes nothing.

    Raises WorkbookRefused for a file that is unsafe, damaged, altered or someone else's.
    `progress` is told the percentage done as the sections are checked.
    """
    report = progress or (lambda percent: None)
    definition_for, state = _identify(user, expected_return)
    report(5)
    uploaded, definition = read_workbook(content, definition_for, filename=filename)
    report(50)
    country_return: CountryReturn = state["return"]
    authority: Authority = state["authority"]
    stored = load_answers(
        country_return=country_return, authority=authority, questionnaire=definition
    )
    preview = Preview(country_return, authority, definition)
    merged: dict[AnswerKey, AnswerValue] = {key: answer.value for key, answer in stored.items()}
    versions = uploaded.versions()
    by_code = {sheet.section_code: sheet for sheet in uploaded.sheets}
    for done, section in enumerate(definition.sections, start=1):
        sheet = by_code.get(section.code)
        if sheet is not None:
            rule = edit_rule_of(user, country_return, authority, section)
            _preview_section(preview, section, sheet, uploaded, stored, merged, versions, rule=rule)
        report(50 + 50 * done // len(definition.sections))
    return preview


def _preview_section(
    preview: Preview,
    section: SectionDef,
    sheet: SheetCells,
    uploaded: UploadedWorkbook,
    stored: Mapping[AnswerKey, StoredAnswer],
    merged: dict[AnswerKey, AnswerValue],
    versions: Mapping[str, tuple[int, str]],
    *,
    rule: access.EditRule,
) -> None:
    definition = preview.definition
    own = {question.code for question in section.questions}
    grid_rows: Mapping[str, list[str]] = uploaded.meta["grid_rows"]
    submitted_rows = {
        question.code: ",".join(grid_rows.get(question.code, []))
        for question in section.questions
        if question.row_source == Question.RowSource.RESPONDENT
    }
    rows = resolve_grid_rows(section, definition.questions, merged, submitted_rows=submitted_rows)
    current = {key: answer.value for key, answer in stored.items() if key[0] in own}
    base = answers_to_data(section, rows, current)
    data = QueryDict(mutable=True)
    _put(data, {name: value for name, value in base.items() if name not in sheet.cells})
    _put(data, {name: value for name, value in sheet.data.items() if name not in sheet.unreadable})
    form = SectionFormBuilder(section, rows, definition.questions).get_form_class()(
        data,
        context_answers=comparable_answers(merged, excluding=own),
        enforce_required=False,
    )
    form.is_valid()
    problems: dict[AnswerKey, list[tuple[str, str]]] = {}
    for name, messages in form.errors.items():
        problems.setdefault(key_of_field(name), []).extend(
            (name, str(message)) for message in messages
        )
    for name, message in sheet.unreadable.items():
        problems.setdefault(key_of_field(name), []).append((name, message))
    cleaned = form.cleaned_answers(validate=False)
    fields_of: dict[AnswerKey, list[str]] = {}
    for name in sheet.cells:
        fields_of.setdefault(key_of_field(name), []).append(name)
    for key in list(dict.fromkeys([*fields_of, *problems])):
        fields = fields_of.get(key, [])
        question = definition.questions.get(key[0])
        editable = question is not None and rule.allows_question(question.id)
        entry = Entry(
            outcome=UNCHANGED,
            key=key,
            section=section.code,
            cell=_cell_of(sheet, key, fields, problems.get(key), uploaded),
            label=_label(definition, rows, key),
        )
        previous = stored.get(key)
        old = previous.value if previous else AnswerValue()
        if key in problems:
            entry.outcome = INVALID if editable else IGNORED
            entry.message = " ".join(text for _name, text in problems[key])
            if not editable:
                entry.message = rule.reason or entry.message
            entry.old = _describe(definition, key, old)
            preview.entries.append(entry)
            continue
        if key not in cleaned:
            # Hidden by a condition, or a row the grid no longer has: compare the cells as typed.
            if any(_as_list(sheet.data.get(n)) != _as_list(base.get(n)) for n in fields):
                entry.outcome = SKIPPED if editable else IGNORED
                entry.message = (
                    _("not asked, given the other answers: not saved") if editable else rule.reason
                )
                entry.old = _describe(definition, key, old)
                entry.new = _("(as typed in the workbook)")
                preview.entries.append(entry)
            continue
        new = _same_number(definition, key, old, cleaned[key])
        if _same(old, new):
            if not new.is_blank:
                preview.unchanged += 1
            continue
        entry.old = _describe(definition, key, old)
        entry.new = _describe(definition, key, new)
        entry.value = new
        entry.version = previous.version if previous else 0
        downloaded_version, downloaded_digest = versions.get(answer_key_text(key), (0, ""))
        if not editable:
            entry.outcome = IGNORED
            entry.message = rule.reason or _("you cannot change this answer now")
        elif entry.version == downloaded_version:
            entry.outcome = NEW if old.is_blank else CHANGED
            merged[key] = new
        elif value_digest(new) == downloaded_digest:
            # Untouched in the workbook; the web has a newer value, which stays.
            preview.unchanged += 1
            continue
        else:
            entry.outcome = CONFLICTING
            entry.theirs_by = previous.updated_by if previous else ""
            entry.theirs_at = previous.updated_at if previous else None
            merged[key] = new
        preview.entries.append(entry)


def _put(data: QueryDict, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if isinstance(value, (list, tuple)):
            data.setlist(name, [str(item) for item in value])
        elif value not in (None, ""):
            data[name] = str(value)


def _as_list(value: Any) -> list[str]:
    if value in (None, "", []):
        return []
    if isinstance(value, (list, tuple)):
        return sorted(str(item) for item in value)
    return [str(value)]


def _same(old: AnswerValue, new: AnswerValue) -> bool:
    return (
        old.value == new.value
        and (old.status or "") == (new.status or "")
        and (old.note or "") == (new.note or "")
    )


def _kind_and_choices(definition: QuestionnaireDef, key: AnswerKey) -> tuple[str, Any]:
    question = definition.questions[key[0]]
    if key[2] == LABEL_COLUMN:
        return Kind.TEXT, ()
    if key[2]:
        column = question.column(key[2])
        if column is not None:
            return column.kind, column.choices
    return question.kind, question.choices


def _same_number(
    definition: QuestionnaireDef, key: AnswerKey, old: AnswerValue, new: AnswerValue
) -> AnswerValue:
    """A decimal typed again as the same number (12.5 for "12.50") is the stored value."""
    kind, _choices = _kind_and_choices(definition, key)
    if kind not in (Kind.DECIMAL, Kind.PERCENTAGE) or old.value is None or new.value is None:
        return new
    try:
        same = Decimal(str(old.value)) == Decimal(str(new.value))
    except InvalidOperation:
        return new
    return AnswerValue(old.value, new.status, new.note) if same else new


def _describe(definition: QuestionnaireDef, key: AnswerKey, value: AnswerValue) -> str:
    kind, choices = _kind_and_choices(definition, key)
    if key[1] == "" and definition.questions[key[0]].is_grid and value.value is None:
        text = format_value(kind, choices, None, value.status) if value.status else ""
    else:
        text = format_value(kind, choices, value.value, value.status)
    if value.note:
        text = (text + " " if text else "") + _("(note: %(note)s)") % {"note": value.note}
    return text or str(_("(no answer)"))


def _label(definition: QuestionnaireDef, rows: Mapping[str, Any], key: AnswerKey) -> str:
    question = definition.questions.get(key[0])
    if question is None:
        return key[0]
    if not key[1]:
        return f"{question.code} {question.text}"
    labels = {row.code: row.label for row in rows.get(question.code, question.rows)}
    column = question.column(key[2])
    column_label = column.label if column else _("name")
    return f"{question.code} \u00b7 {labels.get(key[1], key[1])} \u00b7 {column_label}"


def _cell_of(
    sheet: SheetCells,
    key: AnswerKey,
    fields: list[str],
    problems: list[tuple[str, str]] | None,
    uploaded: UploadedWorkbook,
) -> str:
    main = field_name(*key)
    names = [name for name, _text in problems or []] or sorted(
        fields, key=lambda name: (name != main, name)
    )
    for name in names:
        if name in sheet.cells:
            return f"{sheet.sheet_name}!{sheet.cells[name]}"
    anchor = uploaded.meta["anchors"].get(key[0])
    return f"{sheet.sheet_name}!{anchor[1]}" if anchor else sheet.sheet_name


# --- Upload: applying ---------------------------------------------------------------------------


@dataclass
class ApplyResult:
    """What applying changed: the answers saved, and those that moved on meanwhile."""

    preview: Preview
    saved: int = 0
    conflicts: list[AnswerKey] = field(default_factory=list)


@transaction.atomic
def apply_workbook(
    *,
    content: bytes,
    user: User,
    filename: str = "",
    expected_return: CountryReturn | None = None,
    choices: Mapping[str, str] | None = None,
) -> ApplyResult:
    """Apply an uploaded workbook: its new and changed answers, and the conflicts the person
    settled for the workbook's value (`choices`: answer key text -> "workbook" or "web").

    Read again and checked again at this moment; a workbook with any invalid answer changes
    nothing. Each section goes through save_answers with the channel "Excel upload".
    """
    preview = preview_workbook(
        content=content, user=user, filename=filename, expected_return=expected_return
    )
    if preview.has_invalid:
        raise WorkbookRefused(
            _(
                "Some answers of this workbook are not valid (see the list): nothing was saved. "
                "Correct them and upload the workbook again."
            )
        )
    choices = choices or {}
    result = ApplyResult(preview)
    edits_by_section: dict[str, list[AnswerEdit]] = {}
    for entry in preview.entries:
        take = entry.outcome in (NEW, CHANGED) or (
            entry.outcome == CONFLICTING and choices.get(entry.key_text) == TAKE_WORKBOOK
        )
        if take and entry.value is not None:
            edits_by_section.setdefault(entry.section, []).append(
                AnswerEdit(entry.key, entry.value, entry.version)
            )
    for section in preview.definition.sections:
        edits = edits_by_section.get(section.code)
        if not edits:
            continue
        saved = save_answers(
            country_return=preview.country_return,
            authority=preview.authority,
            section=section,
            edits=edits,
            user=user,
            channel=AnswerChange.Channel.EXCEL,
        )
        result.saved += len(saved.saved)
        result.conflicts += [conflict.key for conflict in saved.conflicts]
    return result


# --- Large workbooks: read by a Celery task, its progress kept in the cache --------------------

BACKGROUND_TIMEOUT = 60 * 60
UPLOADS_FOLDER = "offline-uploads"


@dataclass
class BackgroundReading:
    """Where the reading of a large workbook stands: queued, reading (percent), done or refused."""

    state: str
    percent: int = 0
    preview: Preview | None = None
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("done", "refused")


def background_token(content: bytes, user: User, country_return: CountryReturn) -> str:
    """The same upload by the same person into the same return is read once."""
    digest = hashlib.sha256(content)
    digest.update(f"|{user.pk}|{country_return.pk}".encode())
    return digest.hexdigest()[:40]


def _reading_key(token: str) -> str:
    return f"offline-upload:{token}"


def background_reading(token: str) -> BackgroundReading | None:
    found = cache.get(_reading_key(token))
    return found if isinstance(found, BackgroundReading) else None


def _set_reading(token: str, reading: BackgroundReading) -> None:
    cache.set(_reading_key(token), reading, timeout=BACKGROUND_TIMEOUT)


def store_for_background_reading(*, token: str, content: bytes) -> str | None:
    """Keep the upload where a worker can read it (the default storage); None if it is being
    read or was read already."""
    if background_reading(token) is not None:
        return None
    name = default_storage.save(f"{UPLOADS_FOLDER}/{token}.xlsx", ContentFile(content))
    _set_reading(token, BackgroundReading("queued"))
    return name


def read_in_background(*, token: str, stored_name: str, user_id: int, return_id: int) -> None:
    """The Celery task's work: the preview of a stored upload, with its progress; idempotent."""
    current = background_reading(token)
    if current is not None and current.finished:
        return
    user = User.objects.get(pk=user_id)
    country_return = CountryReturn.objects.select_related("round", "country").get(pk=return_id)
    with default_storage.open(stored_name, "rb") as stream:
        content = stream.read()

    def report(percent: int) -> None:
        _set_reading(token, BackgroundReading("reading", percent))

    try:
        preview = preview_workbook(
            content=content, user=user, expected_return=country_return, progress=report
        )
    except WorkbookRefused as refusal:
        _set_reading(token, BackgroundReading("refused", 100, error=refusal.message))
    else:
        _set_reading(token, BackgroundReading("done", 100, preview=preview))
    finally:
        default_storage.delete(stored_name)
