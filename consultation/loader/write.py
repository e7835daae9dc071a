"""Checks against the database, and writing a sound spec in one transaction."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

from consultation.definition import forget_definition
from consultation.models import (
    Choice,
    ChoiceList,
    GridColumn,
    GridRow,
    Question,
    Questionnaire,
    Round,
    Section,
)

from .counters import count_answers, count_choice_uses
from .errors import ErrorLog, LoadError, QuestionnaireFileError
from .parse import read_questionnaire_file
from .spec import COUNTRIES, SLUG_PATTERN, QuestionnaireSpec

# --- Checks against the database ------------------------------------------------------------


def check_round(round_code: str, questionnaire_code: str, log: ErrorLog) -> None:
    """A round given with --round must be new, or already belong to this questionnaire."""
    if not SLUG_PATTERN.fullmatch(round_code) or len(round_code) > 60:
        log.add("", f"round code {round_code!r} must be a slug of at most 60 characters")
        return
    existing = Round.objects.filter(code=round_code).select_related("questionnaire").first()
    if existing is not None and existing.questionnaire.code != questionnaire_code:
        log.add(
            "",
            f"round '{round_code}' already exists for questionnaire "
            f"'{existing.questionnaire.code}', not '{questionnaire_code}'",
        )


def check_structure_changes(
    spec: QuestionnaireSpec, questionnaire: Questionnaire, log: ErrorLog
) -> None:
    """Refuse removals and kind changes that would orphan existing answers.

    Removing a question, a column, a fixed row or a choice that answers use, or changing a
    kind, is refused with the number of answers concerned.
    """
    wanted = {question.code: question for question in spec.questions()}
    changes: dict[str, list[str]] = {}
    existing = Question.objects.filter(section__questionnaire=questionnaire).prefetch_related(
        "rows", "columns__choice_list__choices", "choice_list__choices"
    )
    removed_choices: dict[tuple[str, str], set[str]] = {}
    for question in existing:
        new = wanted.get(question.code)
        if new is None:
            changes[question.code] = ["remove this question"]
            continue
        found = []
        if question.kind != new.kind:
            found.append(f"change its kind from {question.kind} to {new.kind}")
        else:
            _note_removed_choices(
                removed_choices, (question.code, ""), question.choice_list, new.choice_list, spec
            )
        if question.kind == new.kind and new.is_grid:
            for column in question.columns.all():
                new_column = new.column(column.code)
                if new_column is None:
                    found.append(f"remove column '{column.code}'")
                elif new_column.kind != column.kind:
                    found.append(
                        f"change the kind of column '{column.code}' from {column.kind} "
                        f"to {new_column.kind}"
                    )
                else:
                    _note_removed_choices(
                        removed_choices,
                        (question.code, column.code),
                        column.choice_list,
                        new_column.choice_list,
                        spec,
                    )
            new_rows = {row.code for row in new.rows}
            found += [
                f"remove row '{row.code}'"
                for row in question.rows.all()
                if row.code not in new_rows
            ]
        if found:
            changes[question.code] = found
    if changes:
        counts = count_answers(questionnaire, set(changes))
        for code, what in changes.items():
            number = counts.get(code, 0)
            if number:
                exist = "1 answer exists" if number == 1 else f"{number} answers exist"
                log.add(
                    code,
                    f"cannot {'; '.join(what)}: {exist}. "
                    "Publish a new questionnaire version instead.",
                )
    if removed_choices:
        uses = count_choice_uses(questionnaire, removed_choices)
        for (code, column_code), choices in removed_choices.items():
            number = uses.get((code, column_code), 0)
            if number:
                where = f"column '{column_code}': " if column_code else ""
                listed = ", ".join(f"'{choice}'" for choice in sorted(choices))
                chosen = "1 answer" if number == 1 else f"{number} answers"
                log.add(
                    code,
                    f"{where}cannot remove choice {listed}: chosen in {chosen}, which the next "
                    "save would drop. Publish a new questionnaire version instead.",
                )


def _note_removed_choices(
    removed: dict[tuple[str, str], set[str]],
    key: tuple[str, str],
    old_list: ChoiceList | None,
    new_list: str,
    spec: QuestionnaireSpec,
) -> None:
    """Record the choice codes of `old_list` that the file's `new_list` no longer has."""
    if old_list is None or old_list.code == COUNTRIES:
        return
    new_choices = spec.choice_lists.get(new_list)
    new_codes = {choice.code for choice in new_choices.choices} if new_choices else set()
    gone = {choice.code for choice in old_list.choices.all()} - new_codes
    if gone:
        removed[key] = gone


# --- Writing -------------------------------------------------------------------------------------

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class Changes:
    """Rows created, updated, deleted and left unchanged, counted by model name."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def any(self) -> bool:
        return bool(self.created.total() or self.updated.total() or self.deleted.total())


@dataclass
class LoadReport:
    """What a load found in the file and what it changed in the database."""

    questionnaire: Questionnaire
    round: Round | None
    changes: Changes
    sections: int = 0
    questions: int = 0
    grids: int = 0
    conditions: int = 0  # questions and grid columns with a show_if
    rules: int = 0
    # What the file says that means nothing or offers a thing twice: loaded, but worth a look.
    warnings: list[LoadError] = field(default_factory=list)

    @property
    def created(self) -> Counter[str]:
        return self.changes.created

    @property
    def updated(self) -> Counter[str]:
        return self.changes.updated

    @property
    def deleted(self) -> Counter[str]:
        return self.changes.deleted

    @property
    def unchanged(self) -> Counter[str]:
        return self.changes.unchanged


def load_questionnaire(path: Path, *, round_code: str | None = None) -> LoadReport:
    """Check the questionnaire file at `path` and, if it has no error, write it.

    Every error in the file is collected; if there is any, QuestionnaireFileError lists them
    all and nothing is written. Otherwise the questionnaire, its choice lists, sections,
    questions, grid rows and columns are updated in place by their codes in one transaction:
    loading the same file twice changes nothing. With `round_code`, the round is created (as a
    draft) unless it exists; it must not belong to another questionnaire.
    """
    path = Path(path)
    log = ErrorLog(str(path))
    spec = read_questionnaire_file(path, log)
    with transaction.atomic():
        questionnaire = None
        if spec is not None and spec.code:
            questionnaire = Questionnaire.objects.select_for_update().filter(code=spec.code).first()
            if round_code is not None:
                check_round(round_code, spec.code, log)
            if questionnaire is not None and not log.errors:
                check_structure_changes(spec, questionnaire, log)
        if log.errors or spec is None:
            raise QuestionnaireFileError(log.errors)
        report = write_questionnaire(
            spec, questionnaire, source_file=_source_file(path), round_code=round_code
        )
        report.warnings = list(log.warnings)
        return report


def write_questionnaire(
    spec: QuestionnaireSpec,
    questionnaire: Questionnaire | None,
    *,
    source_file: str,
    round_code: str | None,
) -> LoadReport:
    """Write a checked spec over `questionnaire` (None: a new one). Call inside a transaction."""
    changes = Changes()
    values = {"title": spec.title, "introduction": spec.introduction, "source_file": source_file}
    questionnaire = _upsert(changes, Questionnaire, questionnaire, values, code=spec.code)
    choice_lists, stale_lists = _write_choice_lists(changes, questionnaire, spec)
    sections, stale_sections = _write_sections(changes, questionnaire, spec)
    _write_questions(changes, questionnaire, spec, sections, choice_lists)
    # Deleted last, once no question or column points at them any more.
    for section in stale_sections:
        _delete(changes, section)
    for choice_list in stale_lists:
        _delete(changes, choice_list)
    round_ = _write_round(changes, questionnaire, round_code) if round_code else None
    if changes.any:
        questionnaire.save(update_fields=["loaded_at"])
        # After commit, so that no request rebuilds the cached picture from the old rows.
        questionnaire_id = questionnaire.pk
        transaction.on_commit(lambda: forget_definition(questionnaire_id))
    return _report(spec, questionnaire, round_, changes)


def _write_choice_lists(
    changes: Changes, questionnaire: Questionnaire, spec: QuestionnaireSpec
) -> tuple[dict[str, ChoiceList], list[ChoiceList]]:
    existing = {choice_list.code: choice_list for choice_list in questionnaire.choice_lists.all()}
    existing_choices = {
        (choice.choice_list_id, choice.code): choice
        for choice in Choice.objects.filter(choice_list__questionnaire=questionnaire)
    }
    written = {}
    for list_spec in spec.choice_lists.values():
        choice_list = _upsert(
            changes,
            ChoiceList,
            existing.pop(list_spec.code, None),
            {},
            questionnaire=questionnaire,
            code=list_spec.code,
        )
        written[list_spec.code] = choice_list
        for choice in list_spec.choices:
            values = {
                "label": choice.label,
                "position": choice.position,
                "is_exclusive": choice.is_exclusive,
                "is_other": choice.is_other,
            }
            old = existing_choices.pop((choice_list.pk, choice.code), None)
            _upsert(changes, Choice, old, values, choice_list=choice_list, code=choice.code)
    kept_lists = {choice_list.pk for choice_list in written.values()}
    for stale_choice in existing_choices.values():
        # Choices of removed lists go with their list.
        if stale_choice.choice_list_id in kept_lists:
            _delete(changes, stale_choice)
    return written, list(existing.values())


def _write_sections(
    changes: Changes, questionnaire: Questionnaire, spec: QuestionnaireSpec
) -> tuple[dict[str, Section], list[Section]]:
    existing = {section.code: section for section in questionnaire.sections.all()}
    written = {}
    for section in spec.sections:
        values = {
            "title": section.title,
            "introduction": section.introduction,
            "position": section.position,
            "scope": section.scope,
        }
        old = existing.pop(section.code, None)
        written[section.code] = _upsert(
            changes, Section, old, values, questionnaire=questionnaire, code=section.code
        )
    return written, list(existing.values())


def _write_questions(
    changes: Changes,
    questionnaire: Questionnaire,
    spec: QuestionnaireSpec,
    sections: dict[str, Section],
    choice_lists: dict[str, ChoiceList],
) -> None:
    in_questionnaire = {"question__section__questionnaire": questionnaire}
    existing = {
        question.code: question
        for question in Question.objects.filter(section__questionnaire=questionnaire)
    }
    rows = {(row.question_id, row.code): row for row in GridRow.objects.filter(**in_questionnaire)}
    columns = {
        (column.question_id, column.code): column
        for column in GridColumn.objects.filter(**in_questionnaire)
    }
    for question_spec in spec.questions():
        values = {
            "section_id": sections[question_spec.section].pk,
            "text": question_spec.text,
            "help_text": question_spec.help_text,
            "kind": question_spec.kind,
            "required": question_spec.required,
            "position": question_spec.position,
            "choice_list_id": _list_id(choice_lists, question_spec.choice_list),
            "show_if": question_spec.show_if,
            "validation": question_spec.stored_validation(),
            "special_values": question_spec.special_values,
            "allows_note": question_spec.allows_note,
            "row_source": question_spec.row_source,
            "rows_from": question_spec.rows_from,
            "scope": question_spec.scope,
        }
        old = existing.pop(question_spec.code, None)
        question = _upsert(changes, Question, old, values, code=question_spec.code)
        for row in question_spec.rows:
            values = {"label": row.label, "position": row.position, "is_other": row.is_other}
            old_row = rows.pop((question.pk, row.code), None)
            _upsert(changes, GridRow, old_row, values, question=question, code=row.code)
        for column in question_spec.columns:
            values = {
                "label": column.label,
                "help_text": column.help_text,
                "kind": column.kind,
                "required": column.required,
                "position": column.position,
                "choice_list_id": _list_id(choice_lists, column.choice_list),
                "show_if": column.show_if,
                "validation": column.validation,
                "special_values": column.special_values,
            }
            old_column = columns.pop((question.pk, column.code), None)
            _upsert(changes, GridColumn, old_column, values, question=question, code=column.code)
    removed_questions = {question.pk for question in existing.values()}
    leftovers: list[GridRow | GridColumn] = [*rows.values(), *columns.values()]
    for leftover in leftovers:
        # Rows and columns of removed questions go with their question.
        if leftover.question_id not in removed_questions:
            _delete(changes, leftover)
    for removed in existing.values():
        _delete(changes, removed)


def _write_round(changes: Changes, questionnaire: Questionnaire, code: str) -> Round:
    existing = Round.objects.filter(code=code).first()
    if existing is not None:
        changes.unchanged["Round"] += 1
        return existing
    changes.created["Round"] += 1
    return Round.objects.create(
        code=code, name=f"Round {code}", questionnaire=questionnaire, status=Round.Status.DRAFT
    )


def _upsert(
    changes: Changes,
    model: type[ModelT],
    existing: ModelT | None,
    values: dict[str, Any],
    **identity: Any,
) -> ModelT:
    """Create the row, or update only the fields whose value changed, and count which."""
    name = model.__name__
    if existing is None:
        changes.created[name] += 1
        return model._default_manager.create(**identity, **values)
    changed = [key for key, value in values.items() if getattr(existing, key) != value]
    if not changed:
        changes.unchanged[name] += 1
        return existing
    for key in changed:
        setattr(existing, key, values[key])
    existing.save(update_fields=changed)
    changes.updated[name] += 1
    return existing


def _delete(changes: Changes, row: models.Model) -> None:
    """Delete a row and count it with everything its deletion cascades to."""
    _total, per_model = row.delete()
    for label, number in per_model.items():
        if number:
            changes.deleted[label.rsplit(".", 1)[-1]] += number


def _list_id(choice_lists: dict[str, ChoiceList], name: str) -> int | None:
    return choice_lists[name].pk if name else None


def _source_file(path: Path) -> str:
    """The file's path relative to the project when inside it, so that it is stable."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path(settings.BASE_DIR).resolve()))[:300]
    except ValueError:
        return str(resolved)[-300:]


def _report(
    spec: QuestionnaireSpec, questionnaire: Questionnaire, round_: Round | None, changes: Changes
) -> LoadReport:
    questions = list(spec.questions())
    columns = [column for question in questions for column in question.columns]
    return LoadReport(
        questionnaire=questionnaire,
        round=round_,
        changes=changes,
        sections=len(spec.sections),
        questions=len(questions),
        grids=sum(question.is_grid for question in questions),
        conditions=sum(bool(question.show_if) for question in questions)
        + sum(bool(column.show_if) for column in columns),
        rules=sum(len(question.rules) for question in questions),
    )
