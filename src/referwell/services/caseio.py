"""Reading case files: JSON, or YAML with YAML 1.2 core-schema meaning; repeated keys refused.

Also the folders and JSON Lines files that hold many cases (`case_files`,
`iter_case_sources`).

YAML is read with PyYAML's safe loader, re-taught the YAML 1.2 core schema
(`yes`, `no`, `on`, `off` and dates stay strings), with anchors, aliases and
tags refused. Both readers mark repeated keys so the validator can name them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from referwell.domain.errors import FieldError, InvalidInput


class KeyedDict(dict[Any, Any]):
    """A decoded object that remembers which keys were repeated in it."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> KeyedDict:
    out = KeyedDict()
    seen: set[str] = set()
    dups: list[str] = []
    for key, value in pairs:
        if key in seen and key not in dups:
            dups.append(key)
        seen.add(key)
        out[key] = value
    if dups:
        out.duplicates = tuple(dups)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [
                FieldError(
                    "(file)", f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
                )
            ]
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InvalidInput([FieldError("(file)", f"not valid JSON: {exc}")]) from None


class _Core12Loader(yaml.SafeLoader):
    """Safe loading with YAML 1.2 core-schema scalars; no anchors, aliases or tags."""


_Core12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN\0"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
):
    _Core12Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> KeyedDict:
    pairs = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a string; got {key!r}", key_node.start_mark
            )
        pairs.append((key, loader.construct_object(value_node, deep=True)))
    return _pairs(pairs)


_Core12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Core12Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Core12Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def parse_yaml(text: str) -> Any:
    try:
        for event in yaml.parse(text, Loader=_Core12Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InvalidInput(
                    [
                        FieldError(
                            "(file)",
                            f"YAML anchors and aliases are not accepted (line {_line(event)})",
                        )
                    ]
                )
            tag = getattr(event, "tag", None)
            if tag:  # any explicit tag, the standard ones too: they convert types
                raise InvalidInput(
                    [
                        FieldError(
                            "(file)",
                            f"YAML tags are not accepted: {tag} (line {_line(event)})",
                        )
                    ]
                )
        docs = list(yaml.load_all(text, Loader=_Core12Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput([FieldError("(file)", f"not valid YAML{where}: {problem}")]) from None
    if len(docs) != 1:
        raise InvalidInput([FieldError("(file)", f"expected one YAML document; got {len(docs)}")])
    return docs[0]


def parse_text(text: str, name: str = "") -> Any:
    """Decode a case file's text: JSON for a .json name, YAML for .yaml/.yml; without a
    telling name, JSON when the text starts with `{` and parses as JSON, else YAML."""
    lowered = name.lower()
    if lowered.endswith((".yaml", ".yml")):
        return parse_yaml(text)
    if lowered.endswith(".json"):
        return parse_json(text)
    if text.lstrip().startswith("{"):
        try:
            return parse_json(text)
        except InvalidInput as json_error:
            try:
                return parse_yaml(text)  # YAML in flow style also starts with `{`
            except InvalidInput:
                raise json_error from None
    return parse_yaml(text)


def utf8_text(raw: bytes, where: str, fix: str) -> str:
    """`raw` decoded as UTF-8; otherwise InvalidInput at `where`, saying what to do (`fix`)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([FieldError(where, f"not UTF-8 text; {fix}")]) from None


def read_path(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([FieldError("(file)", f"cannot read {path}: {exc.strerror}")]) from None
    return parse_text(utf8_text(raw, "(file)", "save the case file as UTF-8"), path.name)


def iter_case_sources(path: Path) -> Iterator[tuple[str, Any]]:
    """(name, decoded case or InvalidInput) from a folder of case files or a JSON Lines file."""
    if path.is_dir():
        for file in case_files([path]):
            try:
                yield file.name, read_path(file)
            except InvalidInput as exc:
                yield file.name, exc
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield f"{path.name}:{number}", parse_json(line)
            except InvalidInput as exc:
                yield f"{path.name}:{number}", exc


CASE_SUFFIXES = (".json", ".yaml", ".yml")


def case_files(paths: list[Path]) -> list[Path]:
    """The case files named, with folders expanded (sorted; `*.expected.json` left out)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in CASE_SUFFIXES
                and not p.name.endswith(".expected.json")
            )
        else:
            out.append(path)
    return out
