"""Close a round: from then on no reply of it can change, unless UNSD reopens a return."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultation.models import Round
from responses.exceptions import ConsultationError
from responses.returns.lifecycle import close_round


class Command(BaseCommand):
    help = "Close an open round: every save of its replies is refused from then on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round_code", metavar="CODE")
        parser.add_argument(
            "--closed-by", metavar="EMAIL", default="", help="the account recorded as closing it"
        )

    def handle(self, *args: Any, round_code: str, closed_by: str, **options: Any) -> None:
        round_ = Round.objects.filter(code=round_code).first()
        if round_ is None:
            raise CommandError(f"No round has the code {round_code!r}.")
        user = None
        if closed_by:
            user = get_user_model().objects.filter(email__iexact=closed_by).first()
            if user is None:
                raise CommandError(f"No account has the e-mail address {closed_by!r}.")
        try:
            close_round(round_=round_, actor=user)
        except ConsultationError as error:
            raise CommandError(error.message, returncode=1) from error
        self.stdout.write(self.style.SUCCESS(f"Round {round_.code} is closed."))
