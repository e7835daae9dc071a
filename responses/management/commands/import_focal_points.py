"""Register a round's focal points from an Excel (.xlsx) or CSV list."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultation.models import Round
from responses.exceptions import ConsultationError, FocalPointImportRefused
from responses.focal_points import MAX_FILE_BYTES, describe_result, import_focal_points


class Command(BaseCommand):
    help = (
        "Register the focal points of a round from an .xlsx or .csv list with a header row: "
        "country (ISO alpha-3 or M49 code), name, email, and optionally name_2 and email_2. "
        "On any error nothing is imported, every problem is printed with its row number and "
        "the command exits with status 1. Importing the same list again creates nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .xlsx or .csv list")
        parser.add_argument(
            "--round",
            dest="round_code",
            metavar="CODE",
            default="",
            help="the round (default: the only round in preparation or open)",
        )
        parser.add_argument(
            "--invited-by",
            metavar="EMAIL",
            default="",
            help="the account named as the sender of the invitations (default: UNSD)",
        )

    def handle(
        self, *args: Any, path: Path, round_code: str, invited_by: str, **options: Any
    ) -> None:
        if round_code:
            round_ = Round.objects.filter(code=round_code).first()
            if round_ is None:
                raise CommandError(f"No round has the code {round_code!r}.")
        else:
            current = list(Round.objects.exclude(status=Round.Status.CLOSED))
            if len(current) != 1:
                codes = ", ".join(r.code for r in current) or "none"
                raise CommandError(
                    f"Say which round with --round CODE (rounds not closed: {codes})."
                )
            round_ = current[0]
        inviter = None
        if invited_by:
            inviter = get_user_model().objects.filter(email__iexact=invited_by).first()
            if inviter is None:
                raise CommandError(f"No account has the e-mail address {invited_by!r}.")
        try:
            # A device, a pipe or a directory is refused before anything reads it (/dev/zero
            # would never end).
            if not path.is_file():
                if path.exists():
                    raise CommandError(f"{path}: not a regular file.")
                raise CommandError(f"{path}: No such file or directory")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from error
        try:
            result = import_focal_points(
                round_=round_, file_name=path.name, data=data, invited_by=inviter
            )
        except FocalPointImportRefused as error:
            for problem in error.errors:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(f"{path}: {error.message}", returncode=1) from error
        except ConsultationError as error:
            raise CommandError(f"{path}: {error.message}", returncode=1) from error
        for line in describe_result(result):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {path} into round {round_.code}."))
