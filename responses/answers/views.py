"""Views of a section's answers: the section page and its Save, autosave, history and restore."""

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from consultation.answers import LABEL_COLUMN, AnswerKey, AnswerValue, comparable_answers
from consultation.definition import (
    COUNTRIES_LIST,
    QuestionDef,
    RowDef,
    SectionDef,
    get_definition,
)
from consultation.formbuilder import (
    SectionForm,
    SectionFormBuilder,
    answers_to_data,
    resolve_grid_rows,
)
from consultation.http import AuthenticatedHttpRequest
from consultation.models import Kind
from consultation.parsing import MAX_ID, parse_whole_number
from consultation.rendering import AnswerSummary, SectionRenderer, format_value

from .. import access
from ..exceptions import EditRefused
from ..models import AnswerChange, Assignment, Authority
from .autosave import RequestedAnswer, key_of_field, plan_autosave
from .kept import (
    DISCARD_FIELD,
    OWNER_FIELD,
    KeptForm,
    discard_kept_form,
    keep_posted_form,
    kept_form,
    owner_token,
)
from .services import (
    AnswerEdit,
    SaveResult,
    StoredAnswer,
    changes_from_form,
    load_answers,
    save_answers,
)

MAX_AUTOSAVE_KEYS = 200
# A row or column code in an answer key: what the loader allows, in the answer's 30 characters.
_ANSWER_PART = re.compile(r"[-A-Za-z0-9_]{0,30}")


# --- The section page -----------------------------------------------------------------------------


def login_required_keeping_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but a form posted after its author's session ended is kept.

    It waits in the (anonymous) session for its author only (`kept`); once they sign in again,
    the section page shows it to them, unsaved, to save or discard.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "POST":
            keep_posted_form(request)
        return redirect_to_login(request.get_full_path())

    return wrapper


class SectionPage:
    """Everything the section page and its saves need, read in a fixed number of queries."""

    def __init__(
        self, request: AuthenticatedHttpRequest, return_id: int, section_code: str
    ) -> None:
        self.request = request
        self.country_return = access.get_return(request.user, return_id)
        self.definition = get_definition(self.country_return.round.questionnaire_id)
        section = self.definition.section(section_code)
        if section is None:
            raise Http404("No such section")
        self.section: SectionDef = section
        self.access = access.section_access(request.user, self.country_return, section_code)
        self.authority = self._viewed_authority()
        # The one edit rule decides, and the save service applies it again.
        self.edit_rule = access.EditRule(False)
        if self.access.editable_authority is not None and (
            self.authority.pk == self.access.editable_authority.pk
        ):
            self.edit_rule = access.edit_rule(
                request.user,
                country_return=self.country_return,
                authority=self.authority,
                section_id=section.id,
                assignment=self.access.assignment,
            )
        self.editable = bool(self.edit_rule)
        # Whether this is the reply the user would edit (when the rule allows it).
        self.authority_is_editable = (
            self.access.editable_authority is not None
            and self.authority.pk == self.access.editable_authority.pk
        )
        self.stored = load_answers(
            country_return=self.country_return,
            authority=self.authority,
            questionnaire=self.definition,
        )
        self.answers = {key: stored.value for key, stored in self.stored.items()}

    def _viewed_authority(self) -> Authority:
        reply = self.request.GET.get("reply", "")
        if reply:
            reply_id = parse_whole_number(reply)
            if reply_id is None or not self.access.may_read(reply_id):
                raise Http404("No such reply")
            return next(a for a in self.access.readable_authorities if a.pk == reply_id)
        return self.access.editable_authority or self.access.readable_authorities[0]

    def context_answers(self) -> dict[AnswerKey, Any]:
        """Comparable values of the reply's answers outside this section, for conditions."""
        own = {question.code for question in self.section.questions}
        return comparable_answers(self.answers, excluding=own)

    def form_class(
        self, submitted: Mapping[str, Any] | None = None, added_row: str = ""
    ) -> type[SectionForm]:
        submitted_rows = None
        if submitted is not None:
            submitted_rows = {
                key.removesuffix("._rows"): str(submitted.get(key))
                for key in submitted
                if key.endswith("._rows")
            }
        self.rows: Mapping[str, tuple[RowDef, ...]] = resolve_grid_rows(
            self.section,
            self.definition.questions,
            self.answers,
            submitted_rows=submitted_rows,
            added_row=added_row,
        )
        return SectionFormBuilder(
            self.section, self.rows, self.definition.questions
        ).get_form_class()

    def unbound_form(self) -> SectionForm:
        form_class = self.form_class()
        initial = answers_to_data(self.section, self.rows, self.answers)
        for question in self.section.questions:
            # A country question starts from the return's own country, until answered.
            unanswered = (question.code, "", "") not in self.answers
            if question.choice_list == COUNTRIES_LIST and unanswered:
                initial[question.code] = self.country_return.country_id
        return form_class(
            initial=initial,
            context_answers=self.context_answers(),
            enforce_required=False,
        )

    def bound_form(self, data: Mapping[str, Any], added_row: str = "") -> SectionForm:
        form_class = self.form_class(data, added_row)
        return form_class(data, context_answers=self.context_answers(), enforce_required=False)

    def versions(self) -> dict[str, int]:
        return {"|".join(key): stored.version for key, stored in self.stored.items()}


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required_keeping_post
def section_edit(request: AuthenticatedHttpRequest, return_id: int, section: str) -> HttpResponse:
    page = SectionPage(request, return_id, section)
    kept = kept_form(request)
    if request.method == "POST":
        if not page.editable:
            raise PermissionDenied(_read_only_message(page))
        # Saving the page, or discarding, settles what was kept from before signing in.
        discard_kept_form(request.session)
        if DISCARD_FIELD in request.POST:
            messages.info(request, _("What you typed before signing in again was discarded."))
            return redirect(request.get_full_path())
        data = request.POST
        added_row = data.get("add_row", "")
        form = page.bound_form(data, added_row)
        if added_row:
            return _render_section(request, page, form, show_errors=False)
        if not form.is_valid():
            return _render_section(request, page, form)
        try:
            result = _save_form(request, page, form, data)
        except EditRefused as refusal:
            return _render_section(request, page, form, refusal=refusal.message)
        if result.conflicts:
            return _render_section(request, page, form, conflicts=result)
        messages.success(
            request,
            _("Saved at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M %Z")},
        )
        return redirect(request.get_full_path())
    if kept is not None and page.editable:
        # Shown, never saved, until its author saves the page (a plain GET changes nothing).
        form = page.bound_form(kept.data)
        return _render_section(request, page, form, show_errors=False, kept=kept)
    return _render_section(request, page, page.unbound_form())


def _read_only_message(page: SectionPage) -> str:
    reason = page.edit_rule.reason or _("This section is read-only for you.")
    return reason + " " + _("Nothing was saved.")


def _posted_versions(data: Mapping[str, Any]) -> dict[str, int]:
    """The answer versions a posted form started from (its `_versions` field)."""
    try:
        versions = json.loads(data.get("_versions") or "{}")
        if not isinstance(versions, dict):
            return {}
        return {str(key): int(value) for key, value in versions.items()}
    except (ValueError, TypeError):
        return {}


def _save_form(
    request: AuthenticatedHttpRequest, page: SectionPage, form: SectionForm, data: Mapping[str, Any]
) -> SaveResult:
    versions = _posted_versions(data)
    edits = changes_from_form(form.cleaned_answers(), page.stored, versions)
    return save_answers(
        country_return=page.country_return,
        authority=page.authority,
        section=page.section,
        edits=edits,
        user=request.user,
        channel=AnswerChange.Channel.WEB,
        known=page.stored,
    )


def _render_section(
    request: HttpRequest,
    page: SectionPage,
    form: SectionForm,
    *,
    show_errors: bool = True,
    conflicts: SaveResult | None = None,
    kept: KeptForm | None = None,
    refusal: str = "",
) -> HttpResponse:
    history_url = reverse(
        "responses:question-history",
        args=[page.country_return.pk, page.section.code, "{code}"],
    ).replace("%7Bcode%7D", "{code}")
    if page.access.editable_authority is None or page.authority != page.access.editable_authority:
        history_url += f"?reply={page.authority.pk}"
    renderer = SectionRenderer(form, read_only=not page.editable, history_url=history_url)
    if not show_errors:
        renderer.errors = {}
    versions = page.versions()
    if kept is not None:
        # Saving what was kept starts from the versions it was typed on: a change made since
        # then by someone else shows as a conflict.
        versions = {**versions, **_posted_versions(kept.data)}
    conflict_rows = []
    if conflicts is not None:
        # Saving again keeps the respondent's values: the page now starts from the new versions.
        for conflict in conflicts.conflicts:
            versions["|".join(conflict.key)] = conflict.theirs.version
            conflict_rows.append(_conflict_row(page, conflict.key, conflict.yours, conflict.theirs))
    definition = page.definition
    holders = []
    if page.access.is_focal_point or page.access.is_unsd:
        holders = list(
            Assignment.objects.filter(
                country_return=page.country_return, section_id=page.section.id
            ).select_related("authority")
        )
        sections = list(definition.sections)
    else:
        # An authority's pages lead only to the sections it holds.
        held = {
            assignment.section_id
            for assignment in access.visible_assignments(page.request.user, page.country_return)
        }
        sections = [s for s in definition.sections if s.id in held or s == page.section]
    position = sections.index(page.section)
    unanswered_required = []
    if page.editable and page.access.assignment is not None:
        answered = {
            key[0]
            for key, value in page.answers.items()
            if value.is_answered and key[2] != LABEL_COLUMN
        }
        unanswered_required = [
            question
            for question in page.section.questions
            if question.required
            and question.code not in form.hidden_questions
            and question.code not in answered
        ]
    status = 409 if conflict_rows else (200 if not (show_errors and renderer.errors) else 422)
    if refusal:
        status = 403
    reopened = []
    if page.edit_rule.only_questions is not None:
        reopened = [q for q in page.section.questions if q.id in page.edit_rule.only_questions]
    return render(
        request,
        "responses/section_edit.html",
        {
            "page": page,
            "country_return": page.country_return,
            "section": page.section,
            "authority": page.authority,
            "editable": page.editable,
            "read_only_reason": page.edit_rule.reason if page.authority_is_editable else "",
            "refusal": refusal,
            "reopened_questions": reopened,
            "questions_html": renderer.render()
            if page.editable
            else AnswerSummary(page.unbound_form(), page.answers, history_url=history_url).render(),
            "error_summary": renderer.error_summary() if show_errors else [],
            "non_field_errors": form.non_field_errors() if show_errors and form.is_bound else [],
            "context_answers": form.shown_context(),
            "versions": versions,
            "versions_json": json.dumps(versions),
            "owner_field": OWNER_FIELD,
            "owner_token": owner_token(request.user, request.path),
            "discard_field": DISCARD_FIELD,
            "kept_at": datetime.fromtimestamp(kept.posted_at, tz=UTC) if kept else None,
            "conflicts": conflict_rows,
            "holders": holders,
            "readable_authorities": page.access.readable_authorities,
            "previous_section": sections[position - 1] if position else None,
            "next_section": sections[position + 1] if position + 1 < len(sections) else None,
            "unanswered_required": unanswered_required,
        },
        status=status,
    )


def _describe(page: SectionPage, key: AnswerKey, value: AnswerValue) -> str:
    question = page.definition.questions[key[0]]
    kind, choices = question.kind, question.choices
    if key[2] and key[2] != LABEL_COLUMN:
        column = question.column(key[2])
        if column is not None:
            kind, choices = column.kind, column.choices
    elif key[2] == LABEL_COLUMN:
        kind, choices = Kind.TEXT, ()
    text = format_value(kind, choices, value.value, value.status)
    if value.note:
        text += " " + _("(note: %(note)s)") % {"note": value.note}
    return text


def _key_label(page: SectionPage, key: AnswerKey) -> str:
    question = page.definition.questions[key[0]]
    if not key[1]:
        return f"{question.code} {question.text}"
    column = question.column(key[2])
    column_label = column.label if column else _("name")
    rows = {row.code: row.label for row in page.rows.get(question.code, question.rows)}
    return f"{question.code} · {rows.get(key[1], key[1])} · {column_label}"


def _conflict_row(
    page: SectionPage, key: AnswerKey, yours: AnswerValue, theirs: StoredAnswer
) -> dict[str, Any]:
    return {
        "key": "|".join(key),
        "label": _key_label(page, key),
        "yours": _describe(page, key, yours),
        "theirs": _describe(page, key, theirs.value),
        "by": theirs.updated_by,
        "same_person": theirs.updated_by_id == page.request.user.pk,
        "at": theirs.updated_at,
    }


def _changed_elsewhere(
    page: SectionPage, known: Mapping[str, int], sent: set[AnswerKey]
) -> list[dict[str, Any]]:
    """Answers of the section saved (in another window, or by someone else) since the page
    last heard of them: what they are now, by whom, so that the page shows it beside them."""
    codes = {question.code for question in page.section.questions}
    changed = {
        key: stored
        for key, stored in page.stored.items()
        if key[0] in codes and key not in sent and stored.version > known.get("|".join(key), 0)
    }
    if not changed:
        return []
    changed_codes = {key[0] for key in changed}
    sub_section = SectionDef(
        id=page.section.id,
        code=page.section.code,
        title=page.section.title,
        introduction="",
        questions=tuple(q for q in page.section.questions if q.code in changed_codes),
    )
    page.rows = resolve_grid_rows(sub_section, page.definition.questions, page.answers)
    return [
        {
            **_conflict_row(page, key, stored.value, stored),
            "at": timezone.localtime(stored.updated_at).strftime("%H:%M %Z")
            if stored.updated_at
            else "",
            "at_iso": stored.updated_at.isoformat() if stored.updated_at else "",
            "version": stored.version,
            "data": answers_to_data(sub_section, page.rows, {key: stored.value}),
        }
        for key, stored in changed.items()
    ]


# --- Autosave ---------------------------------------------------------------------------------


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@never_cache
@require_POST
def section_autosave(
    request: AuthenticatedHttpRequest, return_id: int, section: str
) -> JsonResponse:
    """Save a few answers of a section: JSON in, JSON out, answer by answer.

    Request: {"answers": [{"key": "C1|S01|exists", "version": 2, "data": {field: value}}]}.
    Each answer is validated by the engine and saved only if still at that version.
    """
    if not request.user.is_authenticated:
        return _json_error(
            _("You have been signed out. What you typed is kept on this page: sign in again."),
            401,
            signed_out=True,
        )
    try:
        page = SectionPage(request, return_id, section)
    except Http404:
        return _json_error(_("This section is not available to you."), 404)
    if not page.editable:
        return _json_error(_read_only_message(page), 403)
    try:
        payload = json.loads(request.body)
        items = payload["answers"]
        known = _parse_known(payload.get("known"))
        # With the versions the page knows, an empty list asks only what changed elsewhere.
        fewest = 0 if known is not None else 1
        if not isinstance(items, list) or not fewest <= len(items) <= MAX_AUTOSAVE_KEYS:
            raise ValueError
        requested = [_parse_autosave_item(item, page) for item in items]
    except (ValueError, KeyError, TypeError, AttributeError):
        return _json_error(_("The request could not be read. Reload the page and try again."), 400)
    plan = plan_autosave(
        section=page.section,
        questions=page.definition.questions,
        answers=page.answers,
        requested=requested,
    )
    page.rows = plan.rows
    result = SaveResult()
    if plan.edits:
        try:
            result = save_answers(
                country_return=page.country_return,
                authority=page.authority,
                section=plan.section,
                edits=plan.edits,
                user=request.user,
                channel=AnswerChange.Channel.AUTOSAVE,
                known=page.stored,
            )
        except EditRefused as refusal:
            return _json_error(refusal.message, 403)
    conflicts = [
        {
            **_conflict_row(page, c.key, c.yours, c.theirs),
            "version": c.theirs.version,
            "data": answers_to_data(plan.section, plan.rows, {c.key: c.theirs.value}),
        }
        for c in result.conflicts
    ]
    sent = {answer.key for answer in requested}
    now = timezone.localtime()
    return JsonResponse(
        {
            "saved": {"|".join(k): v for k, v in result.saved.items()},
            "unchanged": {"|".join(k): v for k, v in result.unchanged.items()},
            "conflicts": conflicts,
            "errors": plan.errors,
            "not_saved": ["|".join(key) for key in plan.not_saved],
            "changed_elsewhere": _changed_elsewhere(page, known, sent) if known is not None else [],
            "saved_at": now.strftime("%H:%M %Z"),
            "saved_at_iso": now.isoformat(),
        },
        status=409 if result.conflicts else 200,
    )


def _parse_known(known: Any) -> dict[str, int] | None:
    """The versions the page holds, by "question|row|column"; None when the page sent none."""
    if known is None:
        return None
    if not isinstance(known, dict) or len(known) > 20 * MAX_AUTOSAVE_KEYS:
        raise ValueError
    return {str(key): int(version) for key, version in known.items()}


def _parse_autosave_item(item: Any, page: SectionPage) -> RequestedAnswer:
    if not isinstance(item, dict):
        raise ValueError
    parts = str(item["key"]).split("|")
    if len(parts) != 3:
        raise ValueError
    key: AnswerKey = (parts[0], parts[1], parts[2])
    if not any(q.code == key[0] for q in page.section.questions):
        raise ValueError
    if not all(_ANSWER_PART.fullmatch(part) for part in key[1:]):
        raise ValueError
    sent = item.get("version") or 0
    version = sent if type(sent) is int else parse_whole_number(sent)
    if version is None or not 0 <= version <= MAX_ID:
        raise ValueError
    fields = item.get("data") or {}
    if not isinstance(fields, dict):
        raise ValueError
    for name in fields:
        if key_of_field(str(name)) != key:
            raise ValueError
    return RequestedAnswer(key, version, fields)


# --- History ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@login_required
def question_history(
    request: AuthenticatedHttpRequest, return_id: int, section: str, question: str
) -> HttpResponse:
    page = SectionPage(request, return_id, section)
    question_def = next((q for q in page.section.questions if q.code == question), None)
    if question_def is None:
        raise Http404("No such question")
    changes = AnswerChange.objects.filter(
        answer__country_return=page.country_return,
        answer__authority=page.authority,
        answer__question_id=question_def.id,
    ).select_related("answer", "changed_by")
    if request.method == "POST":
        if not page.editable:
            raise PermissionDenied(_read_only_message(page))
        return _restore(request, page, question_def, changes)
    page.form_class()
    entries = [
        {
            "change": change,
            "label": _key_label(
                page, (question, change.answer.row_code, change.answer.column_code)
            ),
            "old": _describe(
                page,
                (question, change.answer.row_code, change.answer.column_code),
                AnswerValue(change.old_value, change.old_status, change.old_note),
            ),
            "new": _describe(
                page,
                (question, change.answer.row_code, change.answer.column_code),
                AnswerValue(change.new_value, change.new_status, change.new_note),
            ),
        }
        for change in changes[:500]
    ]
    return render(
        request,
        "responses/question_history.html",
        {
            "page": page,
            "question": question_def,
            "entries": entries,
            "editable": page.editable,
            "country_return": page.country_return,
            "section": page.section,
        },
    )


def _restore(
    request: AuthenticatedHttpRequest, page: SectionPage, question: QuestionDef, changes: Any
) -> HttpResponse:
    change_id = request.POST.get("change", "")
    change_pk = parse_whole_number(change_id)
    change = changes.filter(pk=change_pk).first() if change_pk is not None else None
    back = reverse(
        "responses:question-history",
        args=[page.country_return.pk, page.section.code, question.code],
    )
    if change is None:
        messages.error(request, _("That earlier value no longer exists. Choose another one."))
        return redirect(back)
    answer = change.answer
    key: AnswerKey = (question.code, answer.row_code, answer.column_code)
    try:
        result = save_answers(
            country_return=page.country_return,
            authority=page.authority,
            section=page.section,
            edits=[
                AnswerEdit(
                    key,
                    AnswerValue(change.new_value, change.new_status, change.new_note),
                    answer.version,
                )
            ],
            user=request.user,
            channel=AnswerChange.Channel.RESTORE,
        )
    except EditRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    if result.conflicts:
        messages.error(
            request, _("Someone changed this answer a moment ago. Look again, then restore.")
        )
    elif result.saved:
        messages.success(request, _("The earlier value is restored."))
    else:
        messages.info(request, _("That value is the current one already."))
    return redirect(back)
