"""Errors of a questionnaire file: each names the file, the code and what is wrong."""

from dataclasses import dataclass

# --- Errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadError:
    """One problem in a questionnaire file: which file, which code, and what is wrong."""

    file: str
    code: str  # a question, section or choice list code; "" for the top level
    message: str

    def __str__(self) -> str:
        if self.code:
            return f"{self.file}: {self.code}: {self.message}"
        return f"{self.file}: {self.message}"


class QuestionnaireFileError(Exception):
    """A questionnaire file cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors: list[LoadError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class ErrorLog:
    """Collects the errors of one file, and its warnings (which do not stop a load)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[LoadError] = []
        self.warnings: list[LoadError] = []

    def add(self, code: str, message: str) -> None:
        self.errors.append(LoadError(self.file, code, message))

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(LoadError(self.file, code, message))
