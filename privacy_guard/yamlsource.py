"""YAML files with positions: every value keeps the line and column it came from.

PyYAML's `safe_load` forgets where a value was written and silently keeps the last of two equal
keys. Configuration and policy errors must point at `file:line:column`, and a duplicated
`rules:` key must not quietly drop half a policy, so documents are composed into nodes and
converted here, recording each value's position by its path (`("rules", 2, "action")`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from privacy_guard.errors import ConfigFileError, Issue
from privacy_guard.shipped import shipped_name

YamlPath = tuple[str | int, ...]

# Aliases can make a small file expand into a huge tree ("billion laughs"); no real config is
# anywhere near this many values.
_MAX_NODES = 200_000
_MERGE_TAG = "tag:yaml.org,2002:merge"

_HINTS = {
    "extra_forbidden": "remove this field or fix its spelling (fields are listed in the README)",
    "missing": "add the field",
    "string_type": "quote the value to make it a string",
    "list_type": "write a YAML list: `[a, b]` or one `- item` per line",
    "model_type": "write a mapping of `field: value` lines",
    "dict_type": "write a mapping of `field: value` lines",
    "float_parsing": "write a number such as 0.5",
    "float_type": "write a number such as 0.5",
    "int_parsing": "write a whole number",
    "bool_parsing": "write true or false",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
    "too_short": "add at least one entry",
}


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and the 1-based position of each of its values and keys."""

    file: str
    data: Any
    values: Mapping[YamlPath, tuple[int, int]] = field(repr=False)
    keys: Mapping[YamlPath, tuple[int, int]] = field(repr=False)

    def position(self, path: Sequence[object], *, key: bool = False) -> tuple[int, int]:
        """Where `path` was written, or its nearest written ancestor (for a missing field)."""
        parts = tuple(p for p in path if isinstance(p, str | int))
        if key and parts in self.keys:
            return self.keys[parts]
        for end in range(len(parts), -1, -1):
            found = self.values.get(parts[:end])
            if found is not None:
                return found
        return (1, 1)

    def issue(
        self, path: Sequence[object], message: str, hint: str | None = None, *, key: bool = False
    ) -> Issue:
        line, column = self.position(path, key=key)
        return Issue(self.file, line, column, message, hint)


def display_path(path: Path) -> str:
    """Shipped files are shown as `<shipped>/...`, a deployment's files as given."""
    return shipped_name(path) or str(path)


def read_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read and parse one file; raises ConfigFileError naming the file, line and column."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigFileError(
            [Issue(shown, 0, 0, f"not valid UTF-8 (byte {error.start})", "save it as UTF-8")]
        ) from None
    except OSError as error:
        raise ConfigFileError([Issue(shown, 0, 0, f"cannot read: {error.strerror}")]) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, file: str) -> YamlDocument:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = error.problem or error.context or "invalid YAML"
        raise ConfigFileError(
            [
                Issue(
                    file,
                    line,
                    column,
                    f"YAML syntax error: {problem}",
                    "check indentation and quoting",
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise ConfigFileError([Issue(file, 0, 0, f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    builder = _Builder(file, loader)
    data = None if node is None else builder.convert(node, ())
    if builder.issues:
        raise ConfigFileError(builder.issues)
    return YamlDocument(file, data, builder.values, builder.keys)


class _Builder:
    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.values: dict[YamlPath, tuple[int, int]] = {}
        self.keys: dict[YamlPath, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        self._count = 0
        self._open: set[int] = set()

    def _issue(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        self.issues.append(
            Issue(self.file, node.start_mark.line + 1, node.start_mark.column + 1, message, hint)
        )

    def convert(self, node: yaml.Node, path: YamlPath) -> Any:
        self._count += 1
        if self._count > _MAX_NODES:
            if self._count == _MAX_NODES + 1:
                self._issue(node, "document too large (too many values or aliases)")
            return None
        self.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.loader.construct_object(node, deep=True)
        if id(node) in self._open:
            self._issue(node, "recursive alias", "an anchor cannot contain its own alias")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.Node, path: YamlPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                self._issue(key_node, "merge keys (<<) are not supported", "write the fields out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._issue(key_node, "a key must be a plain value, not a list or mapping")
                continue
            key = self.loader.construct_object(key_node, deep=True)
            if key in first_seen:
                self._issue(
                    key_node,
                    f"duplicate key {key!r} (first on line {first_seen[key]})",
                    "YAML keeps only the last one; merge the two entries",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            child = (*path, key)
            self.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.convert(value_node, child)
        return result


def validation_issues(
    error: ValidationError, doc: YamlDocument, prefix: YamlPath = ()
) -> list[Issue]:
    """Pydantic's errors as located issues, pointing at the offending value (or key)."""
    issues = []
    for item in error.errors(include_url=False, include_input=False):
        loc = (*prefix, *item["loc"])
        kind = item["type"]
        ctx = item.get("ctx") or {}
        message = str(item["msg"]).removeprefix("Value error, ")
        label = _label(loc)
        if label:
            message = f"{label}: {message}"
        hint = ctx.get("hint") if isinstance(ctx.get("hint"), str) else _HINTS.get(kind)
        issues.append(doc.issue(loc, message, hint, key=kind == "extra_forbidden"))
    return issues


def _label(loc: Sequence[object]) -> str:
    """`rules[2].action` from ("rules", 2, "action"), skipping pydantic's union-branch tags."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.replace("_", "a").isalnum():
            out += f".{part}" if out else part
    return out
