"""A focal point attaches the offline workbook to a forwarding e-mail, for an authority that
prefers Excel: built when the e-mail is sent, it holds the authority's sections only, and the
contact can upload it back once signed in."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultation.models import Section
from responses.forwarding.services import forward_sections
from responses.invitations.links import hash_token
from responses.invitations.services import redeem_invitation_with_new_account
from responses.models import Answer, AnswerChange, Authority, Invitation, OutboundEmail
from responses.offline.download import XLSX
from responses.offline.services import apply_workbook, preview_workbook
from responses.offline.workbook import INSTRUCTIONS_SHEET
from responses.rounds import open_round
from tests.responses.offline.helpers import edit, meta_of

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"/invitations/accept/\?token=([A-Za-z0-9_-]+)")


def sections(world, *codes):
    return list(
        Section.objects.filter(questionnaire_id=world.round.questionnaire_id, code__in=codes)
    )


def the_workbook(message) -> tuple[str, bytes]:
    """The one attachment of an e-mail: (file name, content); it must be an .xlsx."""
    assert len(message.attachments) == 1
    filename, content, mimetype = message.attachments[0]
    assert mimetype == XLSX
    return filename, content


def forward(world, *, codes, email, attach_workbook, authority=None, **new_authority):
    return forward_sections(
        country_return=world.return_a,
        sections=sections(world, *codes),
        authority=authority,
        contact_email=email,
        due_date=timezone.localdate() + timedelta(days=10),
        forwarded_by=world.focal_point_a,
        attach_workbook=attach_workbook,
        **new_authority,
    )


def test_a_new_contact_is_invited_with_the_workbook_of_the_forwarded_sections_and_uploads_it(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        forward(
            world,
            codes=["E", "F"],
            email="stats@immigration.go.ke",
            attach_workbook=True,
            authority_name="Department of Immigration",
            authority_kind=Authority.Kind.IMMIGRATION,
        )

    immigration = Authority.objects.get(name="Department of Immigration")
    [message] = mail.outbox
    filename, content = the_workbook(message)
    assert filename == f"{world.round.code}-KEN-authority-{immigration.pk}.xlsx"
    assert "attached as an Excel workbook" in message.body
    assert "Upload a filled-in workbook" in message.body
    meta = meta_of(content)
    assert (meta["return"], meta["authority"]) == (world.return_a.pk, immigration.pk)
    assert [code for _name, code in meta["sheets"]] == ["E", "F"]
    assert meta["downloaded_by"] == "Sent by e-mail to stats@immigration.go.ke"
    instructions = load_workbook(BytesIO(content))[INSTRUCTIONS_SHEET]
    assert "Sent by e-mail to stats@immigration.go.ke" in [
        cell.value for row in instructions.iter_rows() for cell in row
    ]

    # The contact accepts the invitation, fills the workbook in offline and uploads it.
    token = TOKEN.search(message.body).group(1)
    _invitation, contact = redeem_invitation_with_new_account(
        token_hash=hash_token(token), password="a long enough passphrase 42"
    )
    filled = edit(content, {"F1": "Yes", "F2": 4.5})
    preview = preview_workbook(content=filled, user=contact)
    assert preview.summary_line() == (
        "new=2 changed=0 unchanged=0 invalid=0 conflicting=0 skipped=0 ignored=0"
    )
    assert apply_workbook(content=filled, user=contact).saved == 2
    answers = Answer.objects.filter(country_return=world.return_a, authority=immigration)
    assert {answer.question.code: answer.value for answer in answers} == {
        "F1": "yes",
        "F2": "4.5",
    }
    assert set(
        AnswerChange.objects.filter(answer__authority=immigration).values_list(
            "channel", "changed_by"
        )
    ) == {("excel", contact.pk)}


def test_a_contact_who_already_answers_is_told_with_the_workbook_of_every_held_section(
    world, django_capture_on_commit_callbacks
):
    # The interior ministry's respondent already holds section C; D is forwarded to them now.
    with django_capture_on_commit_callbacks(execute=True):
        forward(
            world,
            codes=["D"],
            email=world.respondent_a.email,
            attach_workbook=True,
            authority=world.interior_a,
        )

    [message] = mail.outbox
    assert message.to == [world.respondent_a.email]
    filename, content = the_workbook(message)
    assert filename.endswith(f"-authority-{world.interior_a.pk}.xlsx")
    assert "attached as an Excel workbook" in message.body
    meta = meta_of(content)
    assert meta["authority"] == world.interior_a.pk
    assert [code for _name, code in meta["sheets"]] == ["C", "D"]
    email = OutboundEmail.objects.get()
    assert (email.workbook_return, email.workbook_authority) == (world.return_a, world.interior_a)


def test_in_a_round_in_preparation_the_workbook_is_built_when_the_round_opens(
    world, draft_round, django_capture_on_commit_callbacks
):
    # A round in preparation keeps its invitations until it opens: the workbook is built then.
    draft_round(world.round)
    world.return_a.refresh_from_db()
    forward(
        world,
        codes=["F"],
        email="staff@labour.go.ke",
        attach_workbook=True,
        authority_name="National Employment Authority",
        authority_kind=Authority.Kind.LABOUR,
    )
    assert mail.outbox == []
    invitation = Invitation.objects.get(email="staff@labour.go.ke")
    assert invitation.attach_workbook
    assert invitation.sent_at is None

    with django_capture_on_commit_callbacks(execute=True):
        open_round(round_=world.round, opened_by=None)

    [message] = mail.outbox
    _filename, content = the_workbook(message)
    assert [code for _name, code in meta_of(content)["sheets"]] == ["F"]


def test_without_the_option_nothing_is_attached(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        forward(
            world,
            codes=["D"],
            email=world.respondent_a.email,
            attach_workbook=False,
            authority=world.interior_a,
        )
        forward(
            world,
            codes=["E"],
            email="someone@immigration.go.ke",
            attach_workbook=False,
            authority_name="Department of Immigration",
            authority_kind=Authority.Kind.IMMIGRATION,
        )

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.attachments == []
        assert "attached as an Excel workbook" not in message.body


def test_the_wizard_offers_the_workbook_and_says_on_the_review_page_it_is_attached(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.focal_point_a)
    url = reverse("responses:forward", args=[world.return_a.pk])
    prefix = f"forward_{world.return_a.pk}-current_step"
    [section_e] = sections(world, "E")
    client.post(url, {prefix: "sections", "sections-sections": [section_e.pk]})
    details = client.post(
        url,
        {
            prefix: "authority",
            "authority-authority": world.interior_a.pk,
            "authority-contact_email": world.respondent_a.email,
        },
    )
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert b"Step 3 of 4" in details.content
    assert b"Attach the sections as an Excel workbook" in details.content
    review = client.post(
        url,
        {
            prefix: "details",
            "details-due_date": due,
            "details-attach_workbook": "on",
        },
    )
    assert b"Step 4 of 4" in review.content
    assert b"Attached to the e-mail" in review.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {prefix: "review"})

    assert response.status_code == 302
    [message] = mail.outbox
    _filename, content = the_workbook(message)
    assert [code for _name, code in meta_of(content)["sheets"]] == ["C", "E"]
