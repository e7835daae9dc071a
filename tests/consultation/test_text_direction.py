"""Right-to-left labels and answers: dir="auto" on the page and in print, isolates in e-mails."""

import re

import pytest
from django.core import mail

from consultation.models import Kind
from consultation.rendering import SectionRenderer
from consultation.text_direction import isolate, isolate_strings
from responses.notifications.queue import queue_email
from tests.consultation.definitions import (
    build_form,
    choices,
    column,
    grid,
    question,
    rows,
    section,
)

# "Ministry of Interior" in Arabic, and in Hebrew.
ARABIC = "\u0648\u0632\u0627\u0631\u0629 \u0627\u0644\u062f\u0627\u062e\u0644\u064a\u0629"
HEBREW = "\u05de\u05e9\u05e8\u05d3 \u05d4\u05e4\u05e0\u05d9\u05dd"
RTL_SECTION = section(
    question("Q1", Kind.TEXT, text=f"{ARABIC}?", help_text=HEBREW),
    question("Q2", Kind.SINGLE_CHOICE, choices=choices("a", "b")),
    question("Q3", Kind.LONG_TEXT),
    grid("G1", (column("name", Kind.TEXT, label=ARABIC),), rows=rows("r1", "other", other="other")),
)


def test_labels_and_answers_take_the_direction_of_their_text_on_the_page() -> None:
    form = build_form(RTL_SECTION, {"Q1": ARABIC, "Q3": HEBREW, "G1.other._label": ARABIC})
    html = SectionRenderer(form).render()

    assert re.search(r'<span class="question-text" dir="auto">' + ARABIC, html)
    assert f'<p class="help" id="help-Q1" dir="auto">{HEBREW}</p>' in html
    assert re.search(r'<input type="text" name="Q1"[^>]* dir="auto"', html)
    assert re.search(r'<textarea name="Q3"[^>]* dir="auto"', html)
    assert re.search(r'<label for="[^"]*Q2-a[^"]*" dir="auto">A</label>', html)
    assert re.search(r'<th scope="col" id="G1-h-name" dir="auto">' + ARABIC, html)
    assert re.search(r'<th scope="row" id="G1-r-r1" dir="auto">', html)
    assert re.search(r'<input type="text" name="G1.other._label"[^>]* dir="auto"', html)


@pytest.mark.django_db
def test_the_printed_questionnaire_marks_titles_and_labels_with_their_direction(client, world):
    client.force_login(world.admin)

    content = client.get("/preview/migration-2026/print/").content.decode()

    assert '<h2 class="section-title" dir="auto">' in content
    assert '<span class="question-text" dir="auto">' in content


def test_right_to_left_text_is_isolated_in_plain_text_and_other_text_is_not() -> None:
    assert isolate(ARABIC) == f"\u2068{ARABIC}\u2069"
    assert isolate(f"KNBS {HEBREW}") == f"\u2068KNBS {HEBREW}\u2069"
    assert isolate("Ministry of Interior") == "Ministry of Interior"
    assert isolate(12) == 12
    assert isolate_strings({"authority": ARABIC, "count": 2}) == {
        "authority": f"\u2068{ARABIC}\u2069",
        "count": 2,
    }


@pytest.mark.django_db(transaction=True)
def test_an_e_mail_keeps_a_right_to_left_name_in_its_direction(world) -> None:
    queue_email(
        to="interior@example.org",
        subject="Reclaimed",
        template="responses/emails/assignment_reclaimed.txt",
        context={
            "country": "Kenya",
            "authority": ARABIC,
            "section": world.held_section,
            "sender": "Amina Odhiambo",
        },
    )

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"forwarded to \u2068{ARABIC}\u2069" in body
    assert "Sent on behalf of Amina Odhiambo." in body
