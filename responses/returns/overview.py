"""The return's overview as a task list: each section's status tag and its progress in words."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultation.definition import QuestionnaireDef, SectionDef
from consultation.formbuilder import AnswerKey, AnswerValue, Progress, section_progress

from ..answers.services import person_name
from ..models import Assignment, CountryReturn, Membership

# Assignments whose authority holds the section now.
HELD = (Assignment.Status.FORWARDED, Assignment.Status.IN_PROGRESS)


@dataclass(frozen=True)
class Holder:
    """An authority a section was forwarded to, with its own reply's progress."""

    assignment: Assignment
    progress: Progress
    progress_text: str


@dataclass
class SectionTask:
    """One line of the task list."""

    section: SectionDef
    tag: str
    tag_kind: str  # not-started, in-progress, with-authority, handed-back, completed
    progress_text: str
    holders: list[Holder] = field(default_factory=list)
    reply_id: int | None = None  # whose reply the section link opens (None: the viewer's own)


def progress_in_words(progress: Progress) -> str:
    """'3 of 6 required questions answered', never '0 of 0'."""
    if progress.visible == 0:
        return _("No questions apply yet")
    if progress.required:
        return ngettext(
            "%(answered)d of %(required)d required question answered",
            "%(answered)d of %(required)d required questions answered",
            progress.required,
        ) % {"answered": progress.required_answered, "required": progress.required}
    return ngettext(
        "%(answered)d of %(visible)d question answered (none required)",
        "%(answered)d of %(visible)d questions answered (none required)",
        progress.visible,
    ) % {"answered": progress.answered, "visible": progress.visible}


def _tag_of_progress(progress: Progress) -> tuple[str, str]:
    if progress.answered == 0:
        return _("Not started"), "not-started"
    if progress.required_answered == progress.required and (
        progress.required or progress.answered == progress.visible
    ):
        return _("Completed"), "completed"
    return _("In progress"), "in-progress"


def section_tasks(
    *,
    definition: QuestionnaireDef,
    replies: Mapping[int, Mapping[AnswerKey, AnswerValue]],
    assignments: Sequence[Assignment],
    own_authority_id: int | None,
    sees_all: bool,
) -> list[SectionTask]:
    """The task list of a return, for the NSO's view (`sees_all`) or for an authority's.

    A section with an authority shows that authority's progress, not the NSO's empty copy.
    """
    tasks = []
    for section in definition.sections:
        holders = [
            Holder(assignment, progress, progress_in_words(progress))
            for assignment in assignments
            if assignment.section_id == section.id
            for progress in [
                section_progress(
                    section, definition.questions, replies.get(assignment.authority_id, {})
                )
            ]
        ]
        if not sees_all and not holders:
            continue
        if not sees_all:
            # An authority's own view: its reply, and whether it has handed it back.
            holder = holders[0]
            tag, kind = _tag_of_progress(holder.progress)
            if holder.assignment.status == Assignment.Status.HANDED_BACK:
                tag, kind = _("Handed back"), "handed-back"
            tasks.append(SectionTask(section, tag, kind, holder.progress_text, holders))
            continue
        own_reply = replies.get(own_authority_id, {}) if own_authority_id is not None else {}
        own = section_progress(section, definition.questions, own_reply)
        holding = [h for h in holders if h.assignment.status in HELD]
        handed_back = [h for h in holders if h.assignment.status == Assignment.Status.HANDED_BACK]
        if holding:
            names = ", ".join(h.assignment.authority.name for h in holding)
            task = SectionTask(
                section,
                _("With %(authorities)s") % {"authorities": names},
                "with-authority",
                holding[0].progress_text,
                holders,
                reply_id=holding[0].assignment.authority_id,
            )
        elif handed_back and own.answered == 0:
            task = SectionTask(
                section,
                _("Handed back"),
                "handed-back",
                handed_back[0].progress_text,
                holders,
                reply_id=handed_back[0].assignment.authority_id,
            )
        else:
            tag, kind = _tag_of_progress(own)
            task = SectionTask(section, tag, kind, progress_in_words(own), holders)
        tasks.append(task)
    return tasks


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


def focal_points_of(country_return: CountryReturn) -> list[Contact]:
    """The people an authority can write to about its sections (one query)."""
    users = (
        get_user_model()
        .objects.filter(
            memberships__country_return=country_return,
            memberships__role=Membership.Role.FOCAL_POINT,
            is_active=True,
        )
        .order_by("last_name", "first_name", "email")
        .distinct()
    )
    return [
        Contact(person_name(user.first_name, user.last_name, user.email), user.email)
        for user in users
    ]
