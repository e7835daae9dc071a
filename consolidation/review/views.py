"""Views of submission and review: check your answers, submit, review, queries, corrections."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consultation.answers import AnswerKey, AnswerValue
from consultation.definition import QuestionnaireDef, get_definition
from consultation.http import AuthenticatedHttpRequest
from consultation.rendering import format_value
from responses import access
from responses.exceptions import ConsultationError, IllegalTransition
from responses.models import CountryReturn, ReturnEvent

from ..forms import value_definition
from ..services import ConsolidatedAnswer, ConsolidatedStatus, consolidate_return
from ..views import key_from_slug, key_slug
from . import services
from .exceptions import SubmissionRefused
from .forms import CorrectionForm, DecisionForm, MessageForm, ReasonForm
from .services import Gap


def _return(request: AuthenticatedHttpRequest, return_id: int) -> CountryReturn:
    return access.get_return(request.user, return_id)


def _require_country_or_unsd(
    request: AuthenticatedHttpRequest, country_return: CountryReturn
) -> None:
    if not (access.is_focal_point(request.user, country_return) or access.is_unsd(request.user)):
        raise Http404("No such page")


def _require_unsd(request: AuthenticatedHttpRequest) -> None:
    if not access.is_unsd(request.user):
        raise Http404("No such page")


def describe(questionnaire: QuestionnaireDef, key: AnswerKey, value: AnswerValue | None) -> str:
    """A value as people read it (choice labels, special values), with its footnote."""
    if value is None:
        return _("(no answer)")
    question = questionnaire.questions[key[0]]
    kind, choices, _special, _validation = value_definition(question, key)
    text = format_value(kind, choices, value.value, value.status)
    if value.note:
        text += " " + _("(note: %(note)s)") % {"note": value.note}
    return text


def _history(
    country_return: CountryReturn, questionnaire: QuestionnaireDef, key: AnswerKey
) -> list[dict[str, Any]]:
    return [
        {
            "change": change,
            "old": describe(
                questionnaire,
                key,
                AnswerValue(change.old_value, change.old_status, change.old_note),
            ),
            "new": describe(
                questionnaire,
                key,
                AnswerValue(change.new_value, change.new_status, change.new_note),
            ),
        }
        for change in services.consolidated_history(country_return, questionnaire, key)
    ]


def _fix_url(country_return: CountryReturn, gap: Gap) -> str:
    """Where a gap is fixed: the question on its section page, or its consolidated answer."""
    if gap.kind == Gap.Kind.MISSING:
        return (
            reverse("responses:section-edit", args=[country_return.pk, gap.section_code])
            + f"#f-{gap.key[0]}"
        )
    return reverse("consolidation:answer", args=[country_return.pk, key_slug(gap.key)])


def _answer_rows(
    questionnaire: QuestionnaireDef, answers: list[ConsolidatedAnswer]
) -> list[dict[str, Any]]:
    return [
        {
            "answer": answer,
            "slug": key_slug(answer.key),
            "label": services.key_label(questionnaire, answer.key),
            "value": describe(questionnaire, answer.key, answer.value),
            "status_label": ConsolidatedStatus(answer.status).label,
            "sources": [
                {
                    "source": source,
                    "value": describe(questionnaire, answer.key, source.value),
                }
                for source in answer.sources
            ],
        }
        for answer in answers
        if answer.value is not None or answer.sources
    ]


def _check_context(country_return: CountryReturn) -> dict[str, Any]:
    check = services.check_answers(country_return=country_return)
    questionnaire = check.consolidation.questionnaire
    sections = [
        {
            "section": section.section,
            "answers": _answer_rows(questionnaire, section.answers),
            "gaps": [{"gap": gap, "url": _fix_url(country_return, gap)} for gap in section.gaps],
        }
        for section in check.sections
    ]
    return {
        "country_return": country_return,
        "sections": sections,
        "gap_count": len(check.gaps),
    }


@never_cache
@login_required
def check_answers(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    country_return = _return(request, return_id)
    _require_country_or_unsd(request, country_return)
    context = _check_context(country_return)
    context["may_submit"] = access.is_focal_point(request.user, country_return) and (
        country_return.status not in (CountryReturn.Status.SUBMITTED, CountryReturn.Status.ACCEPTED)
    )
    return render(request, "consolidation/review/check_answers.html", context)


@require_POST
@login_required
def submit(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    country_return = _return(request, return_id)
    if not access.is_focal_point(request.user, country_return):
        raise Http404("No such page")
    try:
        services.submit_return(
            country_return=country_return,
            user=request.user,
            declaration=request.POST.get("declaration") == "yes",
        )
    except SubmissionRefused as refusal:
        if country_return.status in (CountryReturn.Status.SUBMITTED, CountryReturn.Status.ACCEPTED):
            # A second click: the return went in with the first one.
            messages.info(request, refusal.message)
            return redirect("responses:return-overview", return_id=country_return.pk)
        context = _check_context(country_return)
        context.update({"may_submit": True, "refusal": refusal.message})
        return render(request, "consolidation/review/check_answers.html", context, status=422)
    except IllegalTransition as refusal:
        messages.info(request, refusal.message)
        return redirect("responses:return-overview", return_id=country_return.pk)
    messages.success(
        request, _("Your return has been submitted to UNSD. It is read-only until UNSD replies.")
    )
    return redirect("responses:return-overview", return_id=country_return.pk)


@never_cache
@login_required
def review(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    _require_unsd(request)
    country_return = _return(request, return_id)
    consolidation = consolidate_return(country_return=country_return)
    questionnaire = consolidation.questionnaire
    queries = services.queries_visible_to(request.user, country_return)
    queried: dict[AnswerKey, list[Any]] = {}
    for query in queries:
        queried.setdefault(query.key, []).append(query)
    sections = []
    for section in questionnaire.sections:
        rows = _answer_rows(questionnaire, consolidation.of_section(section))
        for row in rows:
            row["queries"] = queried.get(row["answer"].key, [])
        sections.append({"section": section, "answers": rows})
    under_review = country_return.status in (
        CountryReturn.Status.SUBMITTED,
        CountryReturn.Status.QUERIED,
    )
    return render(
        request,
        "consolidation/review/review.html",
        {
            "country_return": country_return,
            "sections": sections,
            "queries": queries,
            "corrections": services.corrections_of(country_return),
            "under_review": under_review,
            "events": ReturnEvent.objects.filter(country_return=country_return).select_related(
                "actor"
            ),
        },
    )


@require_POST
@login_required
def raise_query(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    _require_unsd(request)
    country_return = _return(request, return_id)
    try:
        key = key_from_slug(request.POST.get("key", ""))
        query = services.raise_query(
            country_return=country_return,
            key=key,
            user=request.user,
            message=request.POST.get("message", ""),
        )
    except (ConsultationError, ValueError, Http404) as refusal:
        messages.error(request, getattr(refusal, "message", _("No such answer.")))
        return redirect("review:review", return_id=country_return.pk)
    messages.success(request, _("The query is sent."))
    return redirect("review:query", return_id=country_return.pk, query_id=query.pk)


@never_cache
@login_required
def queries(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    country_return = _return(request, return_id)
    visible = services.queries_visible_to(request.user, country_return)
    questionnaire = get_definition(country_return.round.questionnaire_id)
    return render(
        request,
        "consolidation/review/queries.html",
        {
            "country_return": country_return,
            "rows": [
                {"query": query, "label": services.key_label(questionnaire, query.key)}
                for query in visible
            ],
        },
    )


def _query(request: AuthenticatedHttpRequest, return_id: int, query_id: int) -> Any:
    country_return = _return(request, return_id)
    try:
        return services.get_query(request.user, country_return, query_id)
    except services.ReviewQuery.DoesNotExist:
        raise Http404("No such query") from None


@never_cache
@login_required
def query_detail(request: AuthenticatedHttpRequest, return_id: int, query_id: int) -> HttpResponse:
    query = _query(request, return_id, query_id)
    country_return = query.country_return
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_to_query(
                query=query, user=request.user, message=form.cleaned_data["message"]
            )
        except ConsultationError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Your message is sent."))
        return redirect("review:query", return_id=country_return.pk, query_id=query.pk)
    if request.method == "POST":
        return _render_query(request, query, form, status=422)
    return _render_query(request, query, form)


def _render_query(
    request: AuthenticatedHttpRequest, query: Any, form: MessageForm, status: int = 200
) -> HttpResponse:
    country_return = query.country_return
    questionnaire = get_definition(country_return.round.questionnaire_id)
    answer = consolidate_return(country_return=country_return).answers.get(query.key)
    is_unsd = access.is_unsd(request.user) and not access.is_focal_point(
        request.user, country_return
    )
    question = questionnaire.questions[query.key[0]]
    return render(
        request,
        "consolidation/review/query.html",
        {
            "country_return": country_return,
            "query": query,
            "label": services.key_label(questionnaire, query.key),
            "question": question,
            "value": describe(questionnaire, query.key, answer.value if answer else None),
            "thread": query.messages.select_related("author"),
            "form": form,
            "is_unsd": is_unsd,
            "may_correct": not is_unsd
            and country_return.status == CountryReturn.Status.QUERIED
            and query.status != query.Status.RESOLVED,
            "section_code": question.section_code,
            "history": _history(country_return, questionnaire, query.key),
        },
        status=status,
    )


@require_POST
@login_required
def query_correct(request: AuthenticatedHttpRequest, return_id: int, query_id: int) -> HttpResponse:
    query = _query(request, return_id, query_id)
    if services.answering_authority(request.user, query) is None:
        raise Http404("No such page")
    try:
        authority = services.correct_answer_for_query(query=query, user=request.user)
    except ConsultationError as refusal:
        messages.error(request, refusal.message)
        return redirect("review:query", return_id=return_id, query_id=query.pk)
    messages.success(
        request,
        _("Question %(code)s is open again for you: correct it, then say so in the query.")
        % {"code": query.question.code},
    )
    section = (
        get_definition(query.country_return.round.questionnaire_id)
        .questions[query.question.code]
        .section_code
    )
    url = reverse("responses:section-edit", args=[return_id, section])
    if access.is_focal_point(request.user, query.country_return) and authority.kind != "nso":
        url += f"?reply={authority.pk}"
    return redirect(url + f"#f-{query.question.code}")


@require_POST
@login_required
def query_resolve(request: AuthenticatedHttpRequest, return_id: int, query_id: int) -> HttpResponse:
    _require_unsd(request)
    query = _query(request, return_id, query_id)
    try:
        services.resolve_query(query=query, user=request.user, note=request.POST.get("note", ""))
    except ConsultationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The query is resolved."))
    return redirect("review:review", return_id=return_id)


@require_POST
@login_required
def accept(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    _require_unsd(request)
    country_return = _return(request, return_id)
    try:
        services.accept_return(
            country_return=country_return, user=request.user, note=request.POST.get("note", "")
        )
    except ConsultationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The return is accepted."))
    return redirect("review:review", return_id=return_id)


@require_POST
@login_required
def reopen(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    _require_unsd(request)
    country_return = _return(request, return_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ReviewRefused(_("Say why the return is reopened: the country reads it."))
        services.reopen_return(
            country_return=country_return, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ConsultationError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The return is reopened; the country is told why."))
    return redirect("review:review", return_id=return_id)


@never_cache
@login_required
def correction_new(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    _require_unsd(request)
    country_return = _return(request, return_id)
    questionnaire = get_definition(country_return.round.questionnaire_id)
    try:
        key = key_from_slug(request.GET.get("key") or request.POST.get("key", ""))
        question = questionnaire.questions[key[0]]
    except (KeyError, ValueError, Http404):
        raise Http404("No such answer") from None
    answer = consolidate_return(country_return=country_return).answers.get(key)
    form = CorrectionForm(request.POST or None, question=question, key=key)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                correction = services.propose_correction(
                    country_return=country_return,
                    key=key,
                    user=request.user,
                    value=form.answer_value(),
                    reason=form.cleaned_data["reason"],
                )
            except ConsultationError as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The correction is proposed to the country."))
                return redirect(
                    "review:correction", return_id=return_id, correction_id=correction.pk
                )
        status = 422
    return render(
        request,
        "consolidation/review/correction_new.html",
        {
            "country_return": country_return,
            "form": form,
            "slug": key_slug(key),
            "label": services.key_label(questionnaire, key),
            "current": describe(questionnaire, key, answer.value if answer else None),
        },
        status=status,
    )


@never_cache
@login_required
def correction_detail(
    request: AuthenticatedHttpRequest, return_id: int, correction_id: int
) -> HttpResponse:
    country_return = _return(request, return_id)
    _require_country_or_unsd(request, country_return)
    correction = next(
        (c for c in services.corrections_of(country_return) if c.pk == correction_id), None
    )
    if correction is None:
        raise Http404("No such correction")
    focal = access.is_focal_point(request.user, country_return)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not focal:
            raise Http404("No such page")
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    services.accept_correction(
                        correction=correction, user=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The correction is accepted and applied."))
                else:
                    services.reject_correction(
                        correction=correction, user=request.user, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The correction is rejected; UNSD is told why."))
            except ConsultationError as refusal:
                form.add_error(None, refusal.message)
            else:
                return redirect(
                    "review:correction", return_id=return_id, correction_id=correction.pk
                )
        status = 422
    questionnaire = get_definition(country_return.round.questionnaire_id)
    key = (correction.question.code, correction.row_code, correction.column_code)
    answer = consolidate_return(country_return=country_return).answers.get(key)
    return render(
        request,
        "consolidation/review/correction.html",
        {
            "country_return": country_return,
            "correction": correction,
            "label": services.key_label(questionnaire, key),
            "current": describe(questionnaire, key, answer.value if answer else None),
            "proposed": describe(
                questionnaire, key, AnswerValue(correction.value, correction.special_value)
            ),
            "form": form,
            "may_decide": focal and correction.status == correction.Status.PROPOSED,
            "history": _history(country_return, questionnaire, key),
        },
        status=status,
    )
