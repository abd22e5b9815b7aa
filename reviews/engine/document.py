"""The policy document (`priorauth-policy/1`, see docs/policy-format.md): read, check, write.

One table of schemas below names every section's keys in their canonical order, how each value
is read and what it defaults to. Parsing, validating, normalizing and dumping all walk that
table, so they cannot drift apart. Reading never stops at the first problem: every problem is
collected with its place, so an admin fixes a file in one pass.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import yaml

from .checks import check_problems
from .dosing import Regimen
from .references import References
from .tree import Answer, Check, Kind, Node, Truth

FORMAT = "priorauth-policy/1"
STATUSES = ("draft", "published", "retired")
PATHS = ("initial", "continuation")
BENEFITS = ("medical", "pharmacy", "both")
MONTHLY_MEANINGS = ("calendar_month", "every_4_weeks")
KINDS = tuple(kind.value for kind in Kind)
ANSWERS = tuple(answer.value for answer in Answer)
TRUTHS = tuple(truth.value for truth in Truth)

# Strings longer than this (or with a line break) are written as literal blocks (`|`).
LITERAL_OVER = 72

Path = tuple[str | int, ...]


class Problem(NamedTuple):
    where: str  # e.g. version.criteria.children[2].k
    line: int | None  # 1-based line in the YAML text, when known
    message: str

    def __str__(self) -> str:
        place = ", ".join(p for p in (f"line {self.line}" if self.line else "", self.where) if p)
        return f"{place}: {self.message}" if place else self.message


class DocumentError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# ---- public API ----------------------------------------------------------------------------


def parse(text: str, *, references: References | None = None) -> dict[str, Any]:
    """YAML text -> the normalized document; DocumentError lists every problem found.

    references: the reference lists a check may name (checks.check_problems); None leaves
    those names unchecked.
    """
    data, lines = _load(text)
    doc, problems = _read(data, lines, references)
    if problems:
        raise DocumentError(problems)
    return doc


def validate(doc: Mapping[str, Any], *, references: References | None = None) -> list[Problem]:
    """Every problem of an already-built document (no line numbers); [] when it is valid."""
    return _read(doc, {}, references)[1]


def normalize(doc: Mapping[str, Any], *, references: References | None = None) -> dict[str, Any]:
    """The document with defaults filled, text tidied and keys in canonical order."""
    normal, problems = _read(doc, {}, references)
    if problems:
        raise DocumentError(problems)
    return normal


def dump(doc: Mapping[str, Any]) -> str:
    """Canonical YAML: dump(parse(dump(doc))) == dump(doc). Raises DocumentError if invalid."""
    pruned = _DOCUMENT.prune(normalize(doc))
    return yaml.dump(
        pruned,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold a plain scalar: long text goes into literal blocks
    )


def tree_from_dict(node: Mapping[str, Any]) -> Node:
    check = node.get("check")
    return Node(
        label=node["label"],
        kind=Kind(node["kind"]),
        text=node.get("text", ""),
        note=node.get("note", ""),
        title=node.get("title", ""),
        explanation=node.get("explanation", ""),
        plain_language=node.get("plain_language", ""),
        path=node.get("path"),
        k=node.get("k"),
        check=None if check is None else Check(check["name"], dict(check.get("params") or {})),
        evidence_required=node.get("evidence_required", True),
        children=tuple(tree_from_dict(child) for child in node.get("children") or ()),
    )


def tree_to_dict(node: Node) -> dict[str, Any]:
    check = None
    if node.check is not None:
        check = {"name": node.check.name, "params": dict(sorted(node.check.params.items()))}
    return {
        "label": node.label,
        "kind": Kind(node.kind).value,
        "title": node.title,
        "text": node.text,
        "note": node.note,
        "explanation": node.explanation,
        "plain_language": node.plain_language,
        "path": node.path,
        "k": node.k,
        "check": check,
        "evidence_required": node.evidence_required,
        "children": [tree_to_dict(child) for child in node.children],
    }


def normalize_text(text: str) -> str:
    """Line ends trimmed, outer blank lines dropped, every line break a plain "\\n"."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip()


def iter_tree(node: Mapping[str, Any], path: Path) -> Iterator[tuple[Mapping[str, Any], Path]]:
    """Pre-order (node dict, its path) over a normalized criteria tree."""
    yield node, path
    for i, child in enumerate(node.get("children") or ()):
        yield from iter_tree(child, (*path, "children", i))


# ---- loading YAML --------------------------------------------------------------------------


def _load(text: str) -> tuple[Any, dict[Path, int]]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise DocumentError([_syntax_problem(error)]) from None
    except yaml.YAMLError as error:
        raise DocumentError([Problem("", None, f"YAML: {error}")]) from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    duplicates: list[Problem] = []
    if root is not None:
        _map_lines(root, (), lines, duplicates, set())
    if duplicates:
        raise DocumentError(duplicates)
    return data, lines


def _syntax_problem(error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = error.problem or "invalid YAML"
    if error.context:
        message = f"{message} ({error.context})"
    return Problem("", mark.line + 1 if mark else None, f"YAML syntax: {message}")


def _map_lines(
    node: yaml.Node, path: Path, lines: dict[Path, int], duplicates: list[Problem], seen: set[int]
) -> None:
    """Record the line of every value; a key's line wins, so problems point at `key:`."""
    if id(node) in seen:  # an alias that refers back to itself
        return
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in keys:
                line = key_node.start_mark.line + 1
                where = _where((*path, key))
                # PyYAML keeps the last value without a word; a silent overwrite loses data.
                duplicates.append(Problem(where, line, f"duplicate key {key!r}"))
            keys.add(key)
            lines.setdefault((*path, key), key_node.start_mark.line + 1)
            _map_lines(value_node, (*path, key), lines, duplicates, seen | {id(node)})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _map_lines(item, (*path, i), lines, duplicates, seen | {id(node)})


def _where(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


# ---- reading -------------------------------------------------------------------------------


class _Reader:
    """Collects problems while values are read into their normal form."""

    def __init__(self) -> None:
        self.found: list[tuple[Path, str]] = []

    def report(self, path: Path, message: str) -> None:
        self.found.append((path, message))


def _read(
    data: Any, lines: Mapping[Path, int], references: References | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    reader = _Reader()
    if data is None:
        reader.report((), "the document is empty")
        doc = _DOCUMENT.default()
    else:
        try:
            doc = _DOCUMENT.read(reader, data, ())
        except RecursionError:
            return {}, [Problem("", None, "the document nests too deeply")]
        _check_document(reader, doc, references)
    problems = [Problem(_where(path), _line(lines, path), msg) for path, msg in reader.found]
    problems.sort(key=lambda p: p.line if p.line is not None else 0)
    return doc, problems


def _line(lines: Mapping[Path, int], path: Path) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, datetime | date):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


def _needs_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'must be text, not the number {value}; write it in quotes, e.g. "{value}"'
    if isinstance(value, str):
        return "must not be empty"
    return f"must be text, not {_describe(value)}"


class _Field:
    """How one value is read (normalized, problems reported) and pruned for dumping."""

    def default(self) -> Any:
        return None

    def read(self, r: _Reader, value: Any, path: Path) -> Any:
        raise NotImplementedError

    def prune(self, value: Any) -> Any:
        return value


class _Text(_Field):
    """Free text of any length; the policy's words, verbatim."""

    def default(self) -> str:
        return ""

    def read(self, r: _Reader, value: Any, path: Path) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            r.report(path, f"must be text, not {_describe(value)}")
            return ""
        return normalize_text(value)


class _Name(_Field):
    """Required one-line text: a label, a number, a name, a code."""

    def default(self) -> str:
        return ""

    def read(self, r: _Reader, value: Any, path: Path) -> str:
        if not isinstance(value, str) or not value.strip():
            r.report(path, _needs_text(value))
            return ""
        if "\n" in value.strip():
            r.report(path, "must be on one line")
        return " ".join(value.split())


class _Date(_Field):
    def read(self, r: _Reader, value: Any, path: Path) -> date | None:
        if isinstance(value, datetime):
            r.report(path, f"must be a date without a time (YYYY-MM-DD), not {value}")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        r.report(path, f"must be a date written YYYY-MM-DD, not {_describe(value)}")
        return None


class _Int(_Field):
    def __init__(self, minimum: int | None = None) -> None:
        self.minimum = minimum

    def read(self, r: _Reader, value: Any, path: Path) -> int | None:
        # bool is an int in Python; `initial_days: true` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            r.report(path, f"must be a whole number, not {_describe(value)}")
            return None
        if self.minimum is not None and value < self.minimum:
            r.report(path, f"must be at least {self.minimum}, not {value}")
        return value


class _Bool(_Field):
    """true or false, with a default (a node's evidence_required is true unless said)."""

    def __init__(self, default: bool) -> None:
        self._default = default

    def default(self) -> bool:
        return self._default

    def read(self, r: _Reader, value: Any, path: Path) -> bool:
        if not isinstance(value, bool):
            r.report(path, f"must be true or false, not {_describe(value)}")
            return self._default
        return value


class _Decimal(_Field):
    """A number kept as its decimal text ("20", "2.5") so no binary rounding creeps in."""

    def read(self, r: _Reader, value: Any, path: Path) -> str | None:
        if not isinstance(value, bool) and isinstance(value, str | int | float | Decimal):
            try:
                number = Decimal(str(value).strip())
                if number.is_finite():
                    return str(number)
            except InvalidOperation:
                pass
        r.report(path, f"must be a number, not {_describe(value)}")
        return None


class _Enum(_Field):
    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)

    def read(self, r: _Reader, value: Any, path: Path) -> str | None:
        for choice in self.choices:
            if value == choice:
                return choice  # the plain str, never the caller's StrEnum
        r.report(path, f"must be one of {', '.join(self.choices)}, not {_describe(value)}")
        return None


class _Nullable(_Field):
    def __init__(self, inner: _Field) -> None:
        self.inner = inner

    def read(self, r: _Reader, value: Any, path: Path) -> Any:
        return None if value is None else self.inner.read(r, value, path)

    def prune(self, value: Any) -> Any:
        return None if value is None else self.inner.prune(value)


class _ListOf(_Field):
    def __init__(self, item: _Field, *, at_least_one: bool = False) -> None:
        self.item = item
        self.at_least_one = at_least_one

    def default(self) -> list[Any]:
        return []

    def read(self, r: _Reader, value: Any, path: Path) -> list[Any]:
        if value is None:
            value = []
        if not isinstance(value, list | tuple):
            r.report(path, f"must be a list, not {_describe(value)}")
            return []
        if self.at_least_one and not value:
            r.report(path, "must have at least one entry")
        return [self.item.read(r, v, (*path, i)) for i, v in enumerate(value)]

    def prune(self, value: Any) -> Any:
        return [self.item.prune(v) for v in value]


class _MapOf(_Field):
    """A mapping from names the author chooses (list keys, labels) to values."""

    def __init__(
        self,
        value: _Field,
        *,
        key_rule: Callable[[str], str | None] | None = None,
        sort: bool = False,
    ) -> None:
        self.value = value
        self.key_rule = key_rule
        self.sort = sort  # for keys whose order means nothing (a database may reorder them)

    def default(self) -> dict[str, Any]:
        return {}

    def read(self, r: _Reader, value: Any, path: Path) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            r.report(path, f"must be a mapping, not {_describe(value)}")
            return {}
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key.strip():
                r.report((*path, str(key)), f"the key {_needs_text(key)}")
                continue
            if self.key_rule and (problem := self.key_rule(key)):
                r.report((*path, key), problem)
            out[key] = self.value.read(r, item, (*path, key))
        return dict(sorted(out.items())) if self.sort else out

    def prune(self, value: Any) -> Any:
        return {key: self.value.prune(item) for key, item in value.items()}


class _Params(_Field):
    """Check parameters; checks.check_problems judges them. Sorted, so export is stable."""

    def default(self) -> dict[str, Any]:
        return {}

    def read(self, r: _Reader, value: Any, path: Path) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            r.report(path, "must be a mapping of parameter names to values")
            return {}
        return {key: _plain(value[key]) for key in sorted(value)}


def _plain(value: Any) -> Any:
    """A copy YAML can write: tuples become lists, Decimals their text, mappings sorted by key
    (a JSON column may not keep their order)."""
    if isinstance(value, Mapping):
        return {key: _plain(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return copy.copy(value)


class _Regimen(_Field):
    def read(self, r: _Reader, value: Any, path: Path) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return Regimen.from_dict(value).to_dict()
        except (ValueError, TypeError) as error:
            r.report(path, str(error))
            return None


@dataclass(frozen=True)
class _Key:
    field: _Field
    required: bool = False


class _Section(_Field):
    """A mapping with fixed keys. omit_defaults: dump leaves out keys at their default."""

    def __init__(self, keys: dict[str, _Key], *, omit_defaults: bool = False) -> None:
        self.keys = keys
        self.omit_defaults = omit_defaults

    def default(self) -> dict[str, Any]:
        return {name: key.field.default() for name, key in self.keys.items()}

    def read(self, r: _Reader, value: Any, path: Path) -> dict[str, Any]:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            r.report(path, f"must be a mapping of keys to values, not {_describe(value)}")
            return self.default()
        for key in value:
            if key not in self.keys:
                r.report((*path, str(key)), self._unknown(key))
        out: dict[str, Any] = {}
        for name, key in self.keys.items():
            if name in value:
                out[name] = key.field.read(r, value[name], (*path, name))
            else:
                if key.required:
                    r.report(path, f"missing required key {name!r}")
                out[name] = key.field.default()
        return out

    def _unknown(self, key: Any) -> str:
        close = difflib.get_close_matches(str(key), list(self.keys), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {str(key)!r}{hint} (known keys: {', '.join(self.keys)})"

    def prune(self, value: Any) -> Any:
        out = {}
        for name, key in self.keys.items():
            item = value[name]
            if self.omit_defaults and not key.required and item == key.field.default():
                continue
            out[name] = key.field.prune(item)
        return out


class _NodeSection(_Section):
    """A criteria node: the rules that tie kind, k, check and children together."""

    def read(self, r: _Reader, value: Any, path: Path) -> dict[str, Any]:
        node = super().read(r, value, path)
        kind, children, k = node["kind"], node["children"], node["k"]
        has = value if isinstance(value, Mapping) else {}
        if kind == Kind.LEAF and children:
            r.report((*path, "children"), "a leaf has no children (make it all, any or k_of_n)")
        if kind in (Kind.ALL, Kind.ANY, Kind.K_OF_N):
            if not children:
                where = (*path, "children") if "children" in has else path
                r.report(where, f"a group ({kind}) needs at least one child")
            if node["check"] is not None:
                r.report((*path, "check"), "only a leaf has a check")
        if k is not None and kind != Kind.K_OF_N:
            r.report((*path, "k"), f"k is only for kind k_of_n, and this node is {kind}")
        if kind == Kind.K_OF_N:
            if k is None and "k" not in has:
                r.report(path, "a k_of_n group needs k (how many children must be met)")
            elif k is not None and children and not 1 <= k <= len(children):
                r.report(
                    (*path, "k"),
                    f"k must be between 1 and {len(children)} (the number of children), not {k}",
                )
        return node


def _list_key_rule(key: str) -> str | None:
    if re.fullmatch(r"[a-z][a-z0-9_]*", key):
        return None
    return "a list key is lower_snake_case (letters, digits, underscores), e.g. ms_agents"


_TEXT = _Key(_Text())
_DATE = _Key(_Nullable(_Date()))
_NAMES = _Key(_ListOf(_Name()))


def _required(field: _Field) -> _Key:
    return _Key(field, required=True)


_CHECK = _Section({"name": _required(_Name()), "params": _Key(_Params())})

_NODE = _NodeSection(
    {
        "label": _required(_Name()),
        "kind": _required(_Enum(KINDS)),
        "title": _TEXT,
        "text": _TEXT,
        "note": _TEXT,
        "explanation": _TEXT,
        "plain_language": _TEXT,
        "path": _Key(_Nullable(_Enum(PATHS))),
        "k": _Key(_Nullable(_Int())),
        "check": _Key(_Nullable(_CHECK)),
        # false marks an attestation: "met" may stand without a document, page and quote.
        "evidence_required": _Key(_Bool(True)),
        # "children" is added just below: a node's children are nodes.
    },
    omit_defaults=True,
)
_NODE.keys["children"] = _Key(_ListOf(_NODE))

_LIST_ITEM = _Section(
    {
        "name": _required(_Name()),
        "generic": _TEXT,
        "as_written": _TEXT,
        "synonyms": _NAMES,
    },
    omit_defaults=True,
)

_LIST = _Section(
    {"title": _TEXT, "items": _required(_ListOf(_LIST_ITEM, at_least_one=True))},
)

_FACTS = _Section(
    {
        "request_date": _required(_Date()),
        "member_dob": _DATE,
        "prescriber_specialty": _TEXT,
        "consulting_specialty": _TEXT,
        "consulting_name": _TEXT,
        "consult_date": _DATE,
        "medications": _Key(
            _ListOf(
                _Section(
                    {"name": _required(_Name()), "stop_date": _DATE},
                    omit_defaults=True,
                )
            )
        ),
        "therapy_start_date": _DATE,
        "labs": _Key(
            _ListOf(
                _Section(
                    {
                        "name": _required(_Name()),
                        "value": _required(_Decimal()),
                        "unit": _TEXT,
                        "date": _DATE,
                    },
                    omit_defaults=True,
                )
            )
        ),
        "prior_therapies": _Key(
            _ListOf(_Section({"name": _required(_Name()), "outcome": _TEXT}, omit_defaults=True))
        ),
        "diagnosis_codes": _NAMES,
    },
    omit_defaults=True,
)

_EXPECT = _Section(
    {
        "result": _required(_Enum(TRUTHS)),
        "path": _Key(_Nullable(_Enum(PATHS))),
        "failing": _Key(_Nullable(_ListOf(_Name()))),
        "suggestions": _Key(_Nullable(_MapOf(_Enum(ANSWERS)))),
    },
    omit_defaults=True,
)

_TEST_CASE = _Section(
    {
        "name": _required(_Name()),
        "request_type": _required(_Enum(PATHS)),
        "answers": _Key(_MapOf(_Enum(ANSWERS))),
        "facts": _Key(_Nullable(_FACTS)),
        "expect": _required(_EXPECT),
    },
    omit_defaults=True,
)

_DOSING = _Section(
    {
        "condition": _TEXT,
        "text": _TEXT,
        "benefit": _Key(_Nullable(_Enum(BENEFITS))),
        "regimen": _Key(_Regimen()),
        "monthly_means": _Key(_Nullable(_Enum(MONTHLY_MEANINGS))),
        "monthly_means_note": _TEXT,
    }
)

_APPROVAL = _Section(
    {
        "initial_days": _required(_Int(minimum=1)),
        "extended_days": _Key(_Nullable(_Int(minimum=1))),
        "text": _TEXT,
    }
)

_EDITS_AND_DENIALS = _Section(
    {
        "heading": _TEXT,
        "prior_approval": _TEXT,
        "physician_review": _TEXT,
        "claim_edits": _TEXT,
        "remark_codes": _NAMES,
        "liability": _TEXT,
    }
)

_VERSION = _Section(
    {
        "number": _required(_Int(minimum=1)),
        "status": _required(_Enum(STATUSES)),
        "effective_date": _required(_Date()),
        "initial_effective_date": _DATE,
        "annual_review_date": _DATE,
        "last_revised_date": _DATE,
        "prior_approval_notice": _TEXT,
        "overview": _TEXT,
        "statement": _TEXT,
        "criteria_intro": _TEXT,
        "dosing": _Key(_DOSING),
        "approval": _required(_APPROVAL),
        "duration_of_therapy": _TEXT,
        "labs_diagnostics": _TEXT,
        "waste_management": _TEXT,
        "documentation_requirements": _TEXT,
        "edits_and_denials": _Key(_EDITS_AND_DENIALS),
        "lists": _Key(_MapOf(_LIST, key_rule=_list_key_rule, sort=True)),
        "criteria": _required(_NODE),
        "test_cases": _Key(_ListOf(_TEST_CASE)),
    }
)

_POLICY = _Section(
    {
        "number": _required(_Name()),
        "title": _required(_Name()),
        "drug_name": _required(_Name()),
        "generic_name": _TEXT,
        "hcpcs_codes": _NAMES,
    }
)

_DOCUMENT = _Section(
    {
        "format": _required(_Enum((FORMAT,))),
        "policy": _required(_POLICY),
        "version": _required(_VERSION),
    }
)


# ---- rules across sections -----------------------------------------------------------------


def _check_document(r: _Reader, doc: dict[str, Any], references: References | None) -> None:
    version = doc["version"]
    nodes = _check_tree(r, version["criteria"], version["lists"], references)
    _check_dosing(r, version["dosing"])
    _check_test_cases(r, version["test_cases"], nodes)


def _check_tree(
    r: _Reader, root: dict[str, Any], lists: Mapping[str, Any], references: References | None
) -> dict[str, dict[str, Any]]:
    """Labels unique, paths consistent, checks usable; returns the nodes by label, in order."""
    base: Path = ("version", "criteria")
    if root["path"] is not None:
        r.report((*base, "path"), "the root applies to every request, so it has no path")
    nodes: dict[str, dict[str, Any]] = {}
    first_at: dict[str, Path] = {}
    for node, path in iter_tree(root, base):
        label = node["label"]
        if label and label in first_at:
            r.report(
                (*path, "label"), f"label {label!r} is already used at {_where(first_at[label])}"
            )
        elif label:
            nodes[label], first_at[label] = node, path
        check = node["check"]
        if check is not None and check["name"]:
            as_check = Check(check["name"], check["params"])
            for message in check_problems(as_check, lists, references):
                r.report((*path, "check"), message)
    _check_paths(r, root, base, None)
    return nodes


def _check_paths(r: _Reader, node: Mapping[str, Any], path: Path, inherited: str | None) -> None:
    """A node on one path inside another is dead; a group must keep children on every path."""
    own = node["path"]
    if inherited and own and own != inherited:
        r.report((*path, "path"), f"path {own} inside a node on path {inherited}: never evaluated")
    current = own or inherited
    children = node["children"]
    if node["kind"] != Kind.LEAF and children:
        for request_path in PATHS if current is None else (current,):
            on_path = [c for c in children if c["path"] in (None, request_path)]
            # An all-group with no children left would be vacuously met: refuse that.
            if not on_path:
                r.report(path, f"on the {request_path} path this group has no children left")
            elif node["kind"] == Kind.K_OF_N and len(children) >= (node["k"] or 0) > len(on_path):
                r.report(
                    (*path, "k"),
                    f"on the {request_path} path only {len(on_path)} of its children apply, "
                    f"fewer than k = {node['k']}",
                )
    for i, child in enumerate(children):
        _check_paths(r, child, (*path, "children", i), current)


def _check_dosing(r: _Reader, dosing: Mapping[str, Any]) -> None:
    meaning, regimen = dosing["monthly_means"], dosing["regimen"]
    maintenance = (regimen or {}).get("maintenance")
    if meaning is None or maintenance is None:
        return
    wanted = {"calendar_month": (1, "calendar_month"), "every_4_weeks": (4, "week")}[meaning]
    if (maintenance["every"], maintenance["unit"]) != wanted:
        r.report(
            ("version", "dosing", "monthly_means"),
            f"says monthly means {meaning}, but the regimen's maintenance is every "
            f"{maintenance['every']} {maintenance['unit']}",
        )


def _check_test_cases(
    r: _Reader, cases: list[dict[str, Any]], nodes: Mapping[str, dict[str, Any]]
) -> None:
    order = {label: i for i, label in enumerate(nodes)}
    names: set[str] = set()
    for i, case in enumerate(cases):
        path: Path = ("version", "test_cases", i)
        if case["name"] in names:
            r.report((*path, "name"), f"another test case is already named {case['name']!r}")
        names.add(case["name"])
        for label in case["answers"]:
            _check_leaf_label(r, (*path, "answers", label), label, nodes)
        case["answers"] = _in_tree_order(case["answers"], order)
        expect = case["expect"]
        for j, label in enumerate(expect["failing"] or ()):
            _check_leaf_label(r, (*path, "expect", "failing", j), label, nodes)
        if expect["suggestions"] is not None:
            if case["facts"] is None:
                r.report((*path, "expect", "suggestions"), "suggestions come from facts; add facts")
            for label in expect["suggestions"]:
                where = (*path, "expect", "suggestions", label)
                if _check_leaf_label(r, where, label, nodes) and nodes[label]["check"] is None:
                    r.report(where, f"{label!r} has no check, so nothing suggests its answer")
            expect["suggestions"] = _in_tree_order(expect["suggestions"], order)


def _check_leaf_label(
    r: _Reader, path: Path, label: str, nodes: Mapping[str, dict[str, Any]]
) -> bool:
    node = nodes.get(label)
    if node is None:
        close = difflib.get_close_matches(label, list(nodes), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        r.report(path, f"no criterion is labelled {label!r}{hint}")
        return False
    if node["kind"] != Kind.LEAF:
        r.report(path, f"{label!r} is a group ({node['kind']}); answers are given to leaves")
        return False
    return True


def _in_tree_order(mapping: dict[str, Any], order: Mapping[str, int]) -> dict[str, Any]:
    return dict(sorted(mapping.items(), key=lambda item: order.get(item[0], len(order))))


# ---- writing YAML --------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a policy file is read by people: no &anchors / *aliases

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text or len(text) > LITERAL_OVER else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.SequenceNode:
    # Short lists of codes, weeks and labels read best on one line: [M3M, M4M].
    inline = all(isinstance(i, str | int) and not isinstance(i, bool) for i in items) and all(
        len(str(i)) <= LITERAL_OVER and "\n" not in str(i) for i in items
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=inline or None)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
