"""Open a round: its status becomes open and every pending invitation is e-mailed."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultation.models import Round
from responses.exceptions import ConsultationError
from responses.rounds import open_round


class Command(BaseCommand):
    help = (
        "Open a round and send every invitation of it not sent yet (after the commit, through "
        "Celery). Running it again on an open round only sends what is still unsent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round_code", metavar="CODE")
        parser.add_argument(
            "--opened-by", metavar="EMAIL", default="", help="the account recorded as opening it"
        )

    def handle(self, *args: Any, round_code: str, opened_by: str, **options: Any) -> None:
        round_ = Round.objects.filter(code=round_code).first()
        if round_ is None:
            raise CommandError(f"No round has the code {round_code!r}.")
        user = None
        if opened_by:
            user = get_user_model().objects.filter(email__iexact=opened_by).first()
            if user is None:
                raise CommandError(f"No account has the e-mail address {opened_by!r}.")
        try:
            result = open_round(round_=round_, opened_by=user)
        except ConsultationError as error:
            raise CommandError(error.message, returncode=1) from error
        state = "was open already" if result.was_open else "is now open"
        self.stdout.write(
            self.style.SUCCESS(
                f"Round {round_.code} {state}; {result.invitations_queued} invitation(s) queued."
            )
        )
