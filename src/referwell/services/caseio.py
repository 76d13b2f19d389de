"""Reading case files: JSON, or YAML with YAML 1.2 core-schema meaning; repeated keys refused.

Also the folders and JSON Lines files that hold many cases (`case_files`,
`iter_case_sources`).

YAML is read with PyYAML's safe loader, re-taught the YAML 1.2 core schema
(`yes`, `no`, `on`, `off` and dates stay strings), with anchors, aliases and
tags refused. Both readers mark repeated keys so the validator can name them.

Every input is bounded before it is read: only a regular file is opened (not a
device, a FIFO or a folder), and no more than the case-file limit is read
(`max_case_file_bytes`, 10 MB by default; a JSON Lines file, per line). A
byte-order mark is skipped in JSON as in YAML; nesting deeper than `MAX_DEPTH`
and numbers longer than `MAX_DIGITS` digits are refused in words, before
Python's own limits speak.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

import yaml

from referwell.domain.errors import FieldError, InvalidInput

# A case is at most 4 levels deep (`measures[0].items[8]`); a JSON Lines line no deeper.
MAX_DEPTH: Final = 32
# No number of a case has more than 3 digits; Python refuses over 4300 in its own words.
MAX_DIGITS: Final = 100
FILE: Final = "(file)"
BOM: Final = "\ufeff"
NESTED_TOO_DEEPLY: Final = (
    f"nested too deeply (more than {MAX_DEPTH} levels of lists and objects; a case has 4)"
)
TOO_MANY_DIGITS: Final = (
    f"a number with more than {MAX_DIGITS} digits; no field of a case takes one"
)


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


class _TooManyDigits(ValueError):  # noqa: N818 - named for what happened
    pass


def _json_int(text: str) -> int:
    if len(text) - text.startswith("-") > MAX_DIGITS:
        raise _TooManyDigits(text)
    return int(text)


_JSON_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _json_too_deep(text: str) -> bool:
    """Whether the JSON text nests lists and objects more than MAX_DEPTH levels deep."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _JSON_STRING.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def parse_json(text: str) -> Any:
    """Decode JSON (a byte-order mark skipped); InvalidInput at `(file)` when it is not JSON,
    nests too deeply or holds a number too long for any field."""
    text = text.removeprefix(BOM)
    if _json_too_deep(text):
        raise InvalidInput([FieldError(FILE, NESTED_TOO_DEEPLY)])
    try:
        return json.loads(
            text, object_pairs_hook=_pairs, parse_constant=_no_constant, parse_int=_json_int
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [FieldError(FILE, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]
        ) from None
    except _TooManyDigits:
        raise InvalidInput([FieldError(FILE, TOO_MANY_DIGITS)]) from None
    except RecursionError:
        raise InvalidInput([FieldError(FILE, NESTED_TOO_DEEPLY)]) from None
    except ValueError as exc:  # NaN, Infinity: named by _no_constant
        raise InvalidInput([FieldError(FILE, f"not valid JSON: {exc}")]) from None


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
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise yaml.constructor.ConstructorError(None, None, TOO_MANY_DIGITS, node.start_mark)
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
    """Decode one YAML document (a byte-order mark allowed); InvalidInput at `(file)` when it
    is not YAML, holds an anchor, an alias or a tag, nests too deeply or holds a number too
    long for any field."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_Core12Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InvalidInput(
                    [
                        FieldError(
                            FILE,
                            f"YAML anchors and aliases are not accepted (line {_line(event)})",
                        )
                    ]
                )
            tag = getattr(event, "tag", None)
            if tag:  # any explicit tag, the standard ones too: they convert types
                raise InvalidInput(
                    [FieldError(FILE, f"YAML tags are not accepted: {tag} (line {_line(event)})")]
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidInput([FieldError(FILE, NESTED_TOO_DEEPLY)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        docs = list(yaml.load_all(text, Loader=_Core12Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput([FieldError(FILE, f"not valid YAML{where}: {problem}")]) from None
    except RecursionError:  # not reached within MAX_DEPTH; kept in words all the same
        raise InvalidInput([FieldError(FILE, NESTED_TOO_DEEPLY)]) from None
    if len(docs) != 1:
        raise InvalidInput([FieldError(FILE, f"expected one YAML document; got {len(docs)}")])
    return docs[0]


def parse_text(text: str, name: str = "") -> Any:
    """Decode a case file's text: JSON for a .json name, YAML for .yaml/.yml; without a
    telling name, JSON when the text starts with `{` and parses as JSON, else YAML."""
    lowered = name.lower()
    text = text.removeprefix(BOM)
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
    """`raw` decoded as UTF-8 (a byte-order mark skipped); otherwise InvalidInput at `where`,
    saying what to do (`fix`)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([FieldError(where, f"not UTF-8 text; {fix}")]) from None


def max_case_file_bytes() -> int:
    """The configured `max_case_file_bytes`; a setting that cannot be used is InvalidInput
    naming it."""
    from referwell.config import ConfigError, load_max_case_file_bytes

    try:
        return load_max_case_file_bytes()
    except ConfigError as exc:
        raise InvalidInput(
            [FieldError(exc.key or "configuration", str(exc))], "configuration"
        ) from None


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB" if size >= 100_000 else f"{size} bytes"


def open_regular_file(path: Path, where: str = FILE, what: str = "case") -> IO[bytes]:
    """`path` opened for reading when it is a regular file; InvalidInput at `where` for a
    folder, a device (`/dev/zero`), a FIFO or a socket, before anything is read (a FIFO is
    opened without waiting for a writer)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidInput(
            [FieldError(where, f"cannot read {path}: {exc.strerror}")], what
        ) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise InvalidInput([FieldError(where, f"{path} is {kind}; give a file")], what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_bounded(
    path: Path, *, where: str = FILE, what: str = "case", max_bytes: int | None = None
) -> bytes:
    """The bytes of the regular file `path`, at most `max_bytes` (default: the configured
    `max_case_file_bytes`); a larger file is refused at `where` after reading one byte more."""
    limit = max_case_file_bytes() if max_bytes is None else max_bytes
    with open_regular_file(path, where, what) as handle:
        try:
            raw = handle.read(limit + 1)
        except OSError as exc:
            raise InvalidInput(
                [FieldError(where, f"cannot read {path}: {exc.strerror}")], what
            ) from None
    if len(raw) > limit:
        raise InvalidInput(
            [
                FieldError(
                    where,
                    f"{path} is larger than {_megabytes(limit)}, the most referwell reads "
                    "from one file (the setting max_case_file_bytes)",
                )
            ],
            what,
        )
    return raw


def read_path(path: Path, max_bytes: int | None = None) -> Any:
    """The decoded case file at `path` (at most `max_bytes`, default the configured
    `max_case_file_bytes`); InvalidInput at `(file)` when it cannot be read or decoded."""
    raw = read_bounded(path, max_bytes=max_bytes)
    return parse_text(utf8_text(raw, FILE, "save the case file as UTF-8"), path.name)


def _lines(handle: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Each line of `handle` (None for one longer than `limit` bytes, skipped unread)."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # the rest of it, a bounded piece at once
                line = handle.readline(limit + 1)
            yield None
            continue
        yield line


def iter_case_sources(path: Path, max_bytes: int | None = None) -> Iterator[tuple[str, Any]]:
    """(name, decoded case or InvalidInput) from a folder of case files or a JSON Lines file
    (each line at most `max_bytes`, default the configured `max_case_file_bytes`)."""
    if path.is_dir():
        for file in case_files([path]):
            try:
                yield file.name, read_path(file, max_bytes)
            except InvalidInput as exc:
                yield file.name, exc
        return
    try:
        limit = max_case_file_bytes() if max_bytes is None else max_bytes
        opened = open_regular_file(path)
    except InvalidInput as exc:
        yield path.name, exc
        return
    with opened as handle:
        for number, line in enumerate(_lines(handle, limit), start=1):
            name = f"{path.name}:{number}"
            if line is None:
                yield (
                    name,
                    InvalidInput(
                        [
                            FieldError(
                                FILE,
                                f"this line is longer than {_megabytes(limit)}, the most a "
                                "case may be (the setting max_case_file_bytes)",
                            )
                        ]
                    ),
                )
                continue
            try:
                text = utf8_text(line, FILE, "save the file as UTF-8")
                if not text.strip():
                    continue
                yield name, parse_json(text)
            except InvalidInput as exc:
                yield name, exc


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
