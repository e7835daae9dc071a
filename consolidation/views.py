"""The consolidation page of a return, and the page that settles one consolidated answer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consultation.definition import QuestionDef, QuestionnaireDef
from consultation.formbuilder import LABEL_COLUMN, AnswerKey, AnswerValue
from consultation.http import AuthenticatedHttpRequest
from consultation.rendering import format_value
from responses import access
from responses.exceptions import ConsultationError
from responses.models import CountryReturn

from .exceptions import ConsolidatedAnswerChanged
from .forms import ResolveForm, SeparateReturnsForm, value_definition
from .services import (
    ConsolidatedAnswer,
    ConsolidatedStatus,
    Consolidation,
    choose_separate_returns,
    consolidate_return,
    consolidation_rule,
    resolve_conflict,
    separate_returns,
    standing_separate_returns,
    withdraw_separate_returns,
)


def key_slug(key: AnswerKey) -> str:
    """A key in a URL: "B6", "C2.census.latest"."""
    return ".".join(piece for piece in key if piece) if key[1] or key[2] else key[0]


def key_from_slug(slug: str) -> AnswerKey:
    parts = slug.split(".")
    if len(parts) == 1:
        return (parts[0], "", "")
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    raise Http404("No such answer")


@dataclass
class Row:
    """One consolidated answer as the page shows it."""

    answer: ConsolidatedAnswer
    slug: str
    label: str
    value: str
    sources: list[dict[str, Any]]
    form: ResolveForm | None = None

    @property
    def status_label(self) -> str:
        return str(ConsolidatedStatus(self.answer.status).label)


def _describe(kind: str, choices: Any, value: AnswerValue | None) -> str:
    if value is None:
        return ""
    return format_value(kind, choices, value.value, value.status)


def _label(question: QuestionDef, key: AnswerKey) -> str:
    _code, row, column = key
    if not row and not column:
        return f"{question.code} {question.text}"
    rows = {fixed.code: fixed.label for fixed in question.rows}
    grid_column = question.column(column)
    column_label = grid_column.label if grid_column else _("name")
    if column == LABEL_COLUMN:
        column_label = _("name of the row")
    return f"{question.code} · {rows.get(row, row)} · {column_label}"


def _row(
    consolidation: Consolidation,
    answer: ConsolidatedAnswer,
    *,
    editable: bool,
    data: Any = None,
) -> Row:
    questionnaire: QuestionnaireDef = consolidation.questionnaire
    question = questionnaire.questions[answer.key[0]]
    kind, choices, _special, _validation = value_definition(question, answer.key)
    return_id = consolidation.country_return.pk
    section_url = reverse("responses:section-edit", args=[return_id, question.section_code])
    sources = [
        {
            "source": source,
            "value": _describe(kind, choices, source.value),
            "taken": source.authority_id in answer.taken_from,
            "url": f"{section_url}?reply={source.authority_id}",
        }
        for source in answer.sources
    ]
    form = None
    if editable and answer.status != ConsolidatedStatus.PER_AUTHORITY:
        replies = [
            (
                source.authority_id,
                _("%(authority)s: %(value)s")
                % {
                    "authority": source.authority_name,
                    "value": _describe(kind, choices, source.value)
                    + (f" · {source.value.note}" if source.value.note else ""),
                },
            )
            for source in answer.sources
        ]
        form = ResolveForm(data, answer=answer, question=question, replies=replies)
    return Row(
        answer=answer,
        slug=key_slug(answer.key),
        label=_label(question, answer.key),
        value=_describe(kind, choices, answer.value),
        sources=sources,
        form=form,
    )


def _may_consolidate(
    request: AuthenticatedHttpRequest, consolidation: Consolidation
) -> Callable[[ConsolidatedAnswer], bool]:
    """Which consolidated answers the user may change now: the edit rule, once per section."""
    country_return = consolidation.country_return
    if not access.is_focal_point(request.user, country_return):
        return lambda answer: False
    questions = consolidation.questionnaire.questions
    rules = {
        section.code: consolidation_rule(request.user, country_return, section)
        for section in consolidation.questionnaire.sections
    }

    def may(answer: ConsolidatedAnswer) -> bool:
        question = questions[answer.key[0]]
        return rules[question.section_code].allows_question(question.id)

    return may


def _open_return(request: AuthenticatedHttpRequest, return_id: int) -> CountryReturn:
    """The return, for its focal points and UNSD; 404 for anyone else."""
    country_return = access.get_return(request.user, return_id)
    if not (access.is_focal_point(request.user, country_return) or access.is_unsd(request.user)):
        raise Http404("No such page")
    return country_return


@never_cache
@login_required
def consolidation_page(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    country_return = _open_return(request, return_id)
    consolidation = consolidate_return(country_return=country_return)
    may = _may_consolidate(request, consolidation)
    editable = country_return.status in CountryReturn.EDITABLE and access.is_focal_point(
        request.user, country_return
    )
    # Out-of-date resolutions come first, before every section's conflicts.
    out_of_date = [
        _row(consolidation, answer, editable=may(answer))
        for answer in consolidation.answers.values()
        if answer.status == ConsolidatedStatus.OUT_OF_DATE
    ]
    sections = []
    for section in consolidation.questionnaire.sections:
        answers = consolidation.of_section(section)
        attention = [answer for answer in answers if answer.status == ConsolidatedStatus.CONFLICT]
        settled = [
            answer
            for answer in answers
            if answer.status in (ConsolidatedStatus.TAKEN, ConsolidatedStatus.RESOLVED)
        ]
        sections.append(
            {
                "section": section,
                "attention": [_row(consolidation, a, editable=may(a)) for a in attention],
                "settled": [_row(consolidation, a, editable=False) for a in settled],
                "missing": [
                    _row(consolidation, a, editable=False)
                    for a in answers
                    if a.status == ConsolidatedStatus.MISSING
                ],
                "per_authority": [
                    _row(consolidation, a, editable=False)
                    for a in answers
                    if a.status == ConsolidatedStatus.PER_AUTHORITY
                ],
            }
        )
    decision = standing_separate_returns(country_return)
    return render(
        request,
        "consolidation/consolidation.html",
        {
            "country_return": country_return,
            "separate_returns_decision": decision,
            "separate_returns": separate_returns(country_return) if decision else [],
            "separate_returns_form": SeparateReturnsForm() if editable and not decision else None,
            "sections": sections,
            "out_of_date": out_of_date,
            "editable": editable,
            "counts": {status: consolidation.count(status) for status in ConsolidatedStatus},
            "statuses": ConsolidatedStatus,
        },
    )


@never_cache
@login_required
def consolidated_answer(
    request: AuthenticatedHttpRequest, return_id: int, key: str
) -> HttpResponse:
    """One consolidated answer: its replies side by side; the focal point settles it here."""
    country_return = _open_return(request, return_id)
    answer_key = key_from_slug(key)
    consolidation = consolidate_return(country_return=country_return)
    answer = consolidation.answers.get(answer_key)
    if answer is None:
        raise Http404("No such answer")
    editable = _may_consolidate(request, consolidation)(answer)
    if request.method == "POST" and not access.is_focal_point(request.user, country_return):
        raise Http404("No such page")
    row = _row(
        consolidation,
        answer,
        editable=editable or request.method == "POST",
        data=request.POST if request.method == "POST" else None,
    )
    theirs = None
    if request.method == "POST" and row.form is not None and row.form.is_valid():
        form = row.form
        try:
            resolve_conflict(
                country_return=country_return,
                key=answer_key,
                user=request.user,
                base_version=form.cleaned_data["base_version"],
                shown_versions=form.cleaned_data["versions"],
                picked_authority_id=form.picked_authority_id,
                value=form.own_value,
                note=form.cleaned_data["note"],
            )
        except ConsultationError as refused:
            if isinstance(refused, ConsolidatedAnswerChanged):
                theirs = refused.theirs
            messages.error(request, refused.message)
            # Show what is stored now, so that a second try starts from it.
            consolidation = consolidate_return(country_return=country_return)
            row = _row(consolidation, consolidation.answers[answer_key], editable=editable)
        else:
            messages.success(
                request, _("%(label)s: consolidated answer saved.") % {"label": row.label}
            )
            section_code = consolidation.questionnaire.questions[answer_key[0]].section_code
            target = reverse("consolidation:consolidation", args=[country_return.pk])
            return redirect(f"{target}#section-{section_code}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "consolidation/answer.html",
        {
            "country_return": country_return,
            "row": row,
            "theirs": theirs,
            "editable": editable,
            "statuses": ConsolidatedStatus,
        },
        status=status,
    )


@never_cache
@require_POST
@login_required
def separate_returns_choose(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    """The focal point says the country cannot consolidate, and why."""
    country_return = access.get_return(request.user, return_id)
    access.require_focal_point(request.user, country_return)
    form = SeparateReturnsForm(request.POST)
    target = reverse("consolidation:consolidation", args=[country_return.pk])
    if not form.is_valid():
        messages.error(request, _("Say why the replies cannot be consolidated."))
        return redirect(target)
    try:
        choose_separate_returns(
            country_return=country_return,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ConsultationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The replies will be submitted as separate returns."))
    return redirect(target)


@never_cache
@require_POST
@login_required
def separate_returns_withdraw(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    """The country consolidates after all."""
    country_return = access.get_return(request.user, return_id)
    access.require_focal_point(request.user, country_return)
    try:
        withdraw_separate_returns(country_return=country_return, user=request.user)
    except ConsultationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The replies will be consolidated into one return."))
    return redirect("consolidation:consolidation", return_id=country_return.pk)
