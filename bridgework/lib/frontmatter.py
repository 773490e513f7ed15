"""Markdown files with YAML front matter, parsed with line numbers for good error messages.

Pure Python: no Django. `parse` returns the front matter as plain data where every mapping
remembers the file line of each key, so a validator can say "line 12: effort must be ...".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Mapping(dict[str, Any]):
    """A dict that knows the file line of each key (and of itself)."""

    line: int = 1
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class Sequence(list[Any]):
    line: int = 1
    lines: list[int]


@dataclass
class Document:
    meta: Mapping
    body: str
    body_line: int


def _convert(node: yaml.Node, offset: int) -> Any:
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        mapping = Mapping()
        mapping.line = line
        mapping.lines = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, offset)
            if not isinstance(key, str):
                raise FrontMatterError(line, "keys must be text")
            if key in mapping:
                raise FrontMatterError(
                    key_node.start_mark.line + 1 + offset, f"'{key}' appears twice"
                )
            mapping[key] = _convert(value_node, offset)
            mapping.lines[key] = key_node.start_mark.line + 1 + offset
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = Sequence(_convert(item, offset) for item in node.value)
        sequence.line = line
        sequence.lines = [item.start_mark.line + 1 + offset for item in node.value]
        return sequence
    assert isinstance(node, yaml.ScalarNode)
    return (
        yaml.safe_load(yaml.serialize(node)) if node.tag != "tag:yaml.org,2002:str" else node.value
    )


def parse(text: str) -> Document:
    """Split `---` front matter from the Markdown body and parse it safely."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(1, "the file must start with a '---' line (front matter)")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            end = index
            break
    else:
        raise FrontMatterError(1, "the front matter has no closing '---' line")
    yaml_text = "".join(lines[1:end])
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = (mark.line + 2) if mark is not None else 1
        raise FrontMatterError(
            line, f"the front matter is not valid YAML: {error.problem}"
        ) from None
    if node is None:
        meta = Mapping()
        meta.lines = {}
    else:
        converted = _convert(node, offset=1)
        if not isinstance(converted, Mapping):
            raise FrontMatterError(2, "the front matter must be a set of 'key: value' lines")
        meta = converted
    rest = "".join(lines[end + 1 :])
    body = rest.strip("\n")
    # Blank lines stripped from the top of the body still count for its line numbers.
    skipped = len(rest) - len(rest.lstrip("\n")) if body else 0
    return Document(meta=meta, body=body, body_line=end + 2 + skipped)


def dump(meta: dict[str, Any], body: str) -> str:
    """Write front matter and body back out, keeping key order and readable text."""
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=88)
    return f"---\n{front}---\n{body.strip()}\n"
