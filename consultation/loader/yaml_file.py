"""Parsing the YAML text: YAML 1.2 scalars, syntax errors and repeated keys reported."""

import re
from typing import Any

import yaml

from .errors import ErrorLog
from .spec import MAX_YAML_DEPTH

# --- YAML ----------------------------------------------------------------------------------------

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MERGE_TAG = "tag:yaml.org,2002:merge"


class QuestionnaireYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars: only true/false are booleans, dates stay text.

    YAML 1.1 turns `yes`, `no`, `on`, `off` into booleans, `2019-01-01` into a date, `012` into
    an octal 10 and `1:30` into 90. Choice codes such as `yes` and dates in bounds must survive
    as written, so those resolvers are replaced by the YAML 1.2 core ones.
    """

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
        first: [
            (tag, pattern)
            for tag, pattern in resolvers
            if tag not in (BOOL_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG)
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Refuse aliases, and nesting deeper than MAX_YAML_DEPTH, before building anything.

        An alias repeats a part of the file wherever it is named, so that a few hundred bytes
        can expand to megabytes stored and sent with every page; deep nesting would exhaust
        Python's stack. Both are refused with the line where they occur.
        """
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not allowed: write the repeated part out",
                event.start_mark,
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the file nests more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


QuestionnaireYamlLoader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
QuestionnaireYamlLoader.add_implicit_resolver(
    INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
QuestionnaireYamlLoader.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
# An explicit !!timestamp stays text too: answers and bounds hold ISO dates as strings.
QuestionnaireYamlLoader.add_constructor(TIMESTAMP_TAG, yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]


def parse_yaml(text: str, log: ErrorLog) -> Any:
    """Parse YAML text with `QuestionnaireYamlLoader`; report syntax errors and repeated keys.

    Returns None for an empty document or a syntax error; repeated keys are reported but the
    document is still returned, so that the rest of it can be checked too.
    """
    loader = QuestionnaireYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _report_duplicate_keys(node, log)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(part for part in (error.context, error.problem) if part)
        log.add("", f"YAML syntax error{where}: {problem}")
    except yaml.YAMLError as error:
        log.add("", f"YAML error: {error}")
    finally:
        loader.dispose()
    return None


def _report_duplicate_keys(root: yaml.Node, log: ErrorLog) -> None:
    """A repeated key silently replaces the first one in YAML; report it instead.

    Errors are named like the others: by the section or question around the key, by the list
    name inside choice_lists, and "" at the top level.
    """
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, owner: str, parent_key: str) -> None:
        if id(node) in seen_nodes:
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, owner, parent_key)
            return
        if not isinstance(node, yaml.MappingNode):
            return
        if parent_key in ("sections", "questions"):
            for key, value in node.value:
                if key.value == "code" and isinstance(value, yaml.ScalarNode):
                    owner = value.value
        names_lists = parent_key == "choice_lists"
        keys_seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
                continue
            if key.value in keys_seen:
                log.add(
                    key.value if names_lists else owner,
                    f"line {key.start_mark.line + 1}: '{key.value}' is given twice; "
                    "the second would silently replace the first",
                )
            keys_seen.add(key.value)
            walk(value, key.value if names_lists else owner, key.value)

    walk(root, "", "")
