"""Read a questionnaire YAML file, check all of it, and write it to the database.

The file format is docs/questionnaire-format.md. Loading goes parse → check → write, one module
per part: `yaml_file` (YAML text), `spec` (what the file says), `parse` (reading and checking it),
`references` (conditions, rules and derived rows across questions), `write` (checks against the
database, and writing); `errors`, `counters` and `readers` serve them all.

- `read_questionnaire_file` parses the YAML and turns it into a `QuestionnaireSpec` (plain
  dataclasses), collecting every error it finds on the way rather than stopping at the first.
- `load_questionnaire` adds the checks that need the database (the round, answers that a
  structure change would orphan) and, only when there is no error at all, writes the spec in one
  transaction, updating rows in place by their codes.

Decisions that the format leaves open:

- Inline choice lists (`choices: [{code, label}, ...]`) are stored as a `ChoiceList` named
  `inline:<question>` or `inline:<question>.<column>`; the colon keeps these names apart from the
  shared lists, whose names are codes.
- The reserved list `countries` is stored as a `ChoiceList` with code `countries` and no `Choice`
  rows: the options are the country-level `Area` rows. It cannot give grid rows.
- `Question.position` counts from 1 within its section; sections count from 1 in the
  questionnaire. Questionnaire order is therefore (section position, question position).
- Fixed rows named by a choice list are copied into `GridRow` rows (code, label, `other`); the
  grid keeps no link to the list.
- Answers live in the `responses` app, which this module must not import. That app registers a
  counter with `register_answer_counter`; answers are counted per question, so removing a column
  or a fixed row of a grid is refused when the grid has any answer.
"""

from .counters import (
    count_answers,
    count_choice_uses,
    register_answer_counter,
    register_choice_counter,
    unregister_answer_counter,
    unregister_choice_counter,
)
from .errors import ErrorLog, LoadError, QuestionnaireFileError
from .parse import read_questionnaire_file
from .spec import QuestionnaireSpec
from .write import Changes, LoadReport, load_questionnaire, write_questionnaire
from .yaml_file import QuestionnaireYamlLoader, parse_yaml

__all__ = [
    "Changes",
    "ErrorLog",
    "LoadError",
    "LoadReport",
    "QuestionnaireFileError",
    "QuestionnaireSpec",
    "QuestionnaireYamlLoader",
    "count_answers",
    "count_choice_uses",
    "load_questionnaire",
    "parse_yaml",
    "read_questionnaire_file",
    "register_answer_counter",
    "register_choice_counter",
    "unregister_answer_counter",
    "unregister_choice_counter",
    "write_questionnaire",
]
