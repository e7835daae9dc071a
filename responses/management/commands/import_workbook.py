"""Preview (or with --apply, apply) an uploaded offline workbook, as the upload page does."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from responses.exceptions import ConsultationError
from responses.offline.reader import read_upload
from responses.offline.services import apply_workbook, preview_workbook


class Command(BaseCommand):
    help = (
        "Read an offline workbook as the person named by --user uploading it. Without --apply "
        "it prints one line per change, then the summary line, and changes nothing. With "
        "--apply it saves the new and changed answers (history channel: Excel upload); "
        "answers changed on the web since the download are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--user", required=True, metavar="EMAIL")
        parser.add_argument("--apply", action="store_true")

    def handle(self, *args: Any, file: str, user: str, apply: bool, **options: Any) -> None:
        person = get_user_model().objects.filter(email__iexact=user, is_active=True).first()
        if person is None:
            raise CommandError(f"No active account has the e-mail address {user!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with path.open("rb") as stream:
                content = read_upload(stream, path.name)
            preview = preview_workbook(content=content, user=person, filename=path.name)
            for entry in preview.entries:
                self.stdout.write(entry.line())
            self.stdout.write(preview.summary_line())
            if not apply:
                return
            result = apply_workbook(content=content, user=person, filename=path.name)
        except ConsultationError as refusal:
            raise CommandError(refusal.message, returncode=1) from refusal
        self.stdout.write(
            f"Applied: {result.saved} answer(s) saved; "
            f"{len(result.preview.of('conflicting'))} changed on the web since the download "
            "were left as they are."
        )
