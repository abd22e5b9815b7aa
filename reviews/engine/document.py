"""The policy document (`priorauth-policy/1`, see docs/policy-format.md): read, check, write.

The pydantic models below (`PolicyDocument` and its sections) name every section's keys in
their canonical order, how each value is read and what it defaults to. Parsing, validating,
normalizing, dumping and the published JSON Schema (`json_schema()`) all come from them, so they
cannot drift apart. Reading never stops at the first problem: every problem is collected with
its place, so an admin fixes a file in one pass.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import NoneType, UnionType
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    NamedTuple,
    NoReturn,
    Union,
    get_args,
    get_origin,
)

import yaml
from annotated_types import Ge, MinLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    Strict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_serializer,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from . import drugs
from .checks import check_param_problems
from .dosing import OFFSET_UNITS, UNITS, Regimen
from .durations import DURATION_UNITS
from .references import References
from .tree import Answer, Check, Kind, Node, Truth

FORMAT = "priorauth-policy/1"
STATUSES = ("draft", "published", "retired")
PATHS = ("initial", "continuation")
# What a version that names no paths calls them (version.paths).
DEFAULT_PATH_NAMES = {"initial": "Initial request", "continuation": "Continuation request"}
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


def read(
    doc: Mapping[str, Any], *, references: References | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """(normalized document, problems) of an already-built document in one pass; the
    document is only usable when there are no problems."""
    return _read(doc, {}, references)


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
    # Validating the normal form again keeps its order (answers in tree order) and lets the
    # models leave out the keys at their default.
    canonical = PolicyDocument.model_validate(normalize(doc)).model_dump(context=_CANONICAL)
    return yaml.dump(
        canonical,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,  # never fold a plain scalar: long text goes into literal blocks
    )


def json_schema() -> dict[str, Any]:
    """The format as a JSON Schema (draft 2020-12), for editors and other tools; committed as
    docs/policy-format.schema.json. It checks the shape of each value; the rules across sections
    (unique labels, paths, test-case labels, check params) are parse's alone."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **PolicyDocument.model_json_schema(),
    }


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
        indication=node.get("indication"),
        k=node.get("k"),
        check=None
        if check is None
        else Check(
            check["name"], dict(check.get("params") or {}), bool(check.get("negate", False))
        ),
        evidence_required=node.get("evidence_required", True),
        children=tuple(tree_from_dict(child) for child in node.get("children") or ()),
    )


def tree_to_dict(node: Node) -> dict[str, Any]:
    check = None
    if node.check is not None:
        check = {
            "name": node.check.name,
            "params": dict(sorted(node.check.params.items())),
            "negate": node.check.negate,
        }
    return {
        "label": node.label,
        "kind": Kind(node.kind).value,
        "title": node.title,
        "text": node.text,
        "note": node.note,
        "explanation": node.explanation,
        "plain_language": node.plain_language,
        "path": node.path,
        "indication": node.indication,
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
    except RecursionError:
        raise DocumentError([Problem("", None, "the document nests too deeply")]) from None
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


# ---- the format, as pydantic models --------------------------------------------------------
#
# Each value type below says how a value is read into its normal form and which problem it
# reports; pydantic collects every problem with its place, and json_schema() publishes the same
# models. A type ends with _salvage: reading a broken document a second time (the _SALVAGE
# context) turns each bad value into its empty form, so the rules across sections still run
# and report their problems in the same pass.

_SALVAGE = {"salvage": True}
_CANONICAL = {"canonical": True}

_NAME_PATTERN = r"\S"
_LIST_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
# The problem each pattern's mismatch reports (pydantic's error names only the pattern).
_PATTERN_MESSAGES = {
    _NAME_PATTERN: "must not be empty",
    _LIST_KEY_PATTERN: (
        "a list key is lower_snake_case (letters, digits, underscores), e.g. ms_agents"
    ),
}


def _fail(message: str) -> NoReturn:
    raise PydanticCustomError("policy_format", "{message}", {"message": message})


def _salvaging(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("salvage"))


def _salvage(fallback: Callable[[Any], Any]) -> WrapValidator:
    def read(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        try:
            return handler(value)
        except ValidationError:
            if _salvaging(info):
                return fallback(value)
            raise

    return WrapValidator(read)


def _nothing(_: Any) -> None:
    return None


def _text_input(value: Any) -> str:
    if value is None:  # a key written with no value (`overview:`): no text
        return ""
    if not isinstance(value, str):
        _fail(f"must be text, not {_describe(value)}")
    return value


def _one_line(value: str) -> str:
    if "\n" in value.strip():
        _fail("must be on one line")
    return " ".join(value.split())


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        _fail(f"must be a date without a time (YYYY-MM-DD), not {value}")
    if isinstance(value, date):
        return value
    # Text dates come from dicts built by code (the database keeps facts as ISO text).
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value.strip())
    _fail(f"must be a date written YYYY-MM-DD, not {_describe(value)}")


def _decimal_text(value: Any) -> str:
    """A number kept as its decimal text ("20", "2.5") so no binary rounding creeps in."""
    if not isinstance(value, bool) and isinstance(value, str | int | float | Decimal):
        with contextlib.suppress(InvalidOperation):
            number = Decimal(str(value).strip())
            if number.is_finite():
                return str(number)
    _fail(f"must be a number, not {_describe(value)}")


def _choice(*choices: str) -> Any:
    """One of `choices`, read as the plain str (never the caller's StrEnum)."""

    def read(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            _fail(f"must be one of {', '.join(choices)}, not {_describe(value)}")

    return Annotated[Literal[choices], WrapValidator(read), _salvage(_nothing)]


def _list_input(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):  # not a set: its order would change every dump
        _fail(f"must be a list, not {_describe(value)}")
    return list(value)


def _list(item: Any, *, at_least_one: bool = False) -> Any:
    size = [MinLen(1)] if at_least_one else []
    return Annotated[list[item], *size, BeforeValidator(_list_input), _salvage(lambda _: [])]


def _map_input(value: Any, info: ValidationInfo) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        _fail(f"must be a mapping, not {_describe(value)}")
    if _salvaging(info):  # a bad key was reported; its entry is left out
        return {k: v for k, v in value.items() if isinstance(k, str) and k.strip()}
    return dict(value)


def _map(value: Any, *, key: Any, sort: bool = False) -> Any:
    """A mapping from names the author chooses (list keys, labels) to values.
    sort: for keys whose order means nothing (a database may reorder them)."""
    order = [AfterValidator(lambda read: dict(sorted(read.items())))] if sort else []
    return Annotated[dict[key, value], *order, BeforeValidator(_map_input), _salvage(lambda _: {})]


def _params(value: Any) -> dict[str, Any]:
    """Check parameters; checks.check_problems judges them. Sorted, so export is stable."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        _fail("must be a mapping of parameter names to values")
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


def _hcpcs(value: str) -> str:
    code = drugs.hcpcs_normal(value)
    if code is None:
        _fail(f"{drugs.HCPCS_MESSAGE}, not {value!r}")
    return code


def _ndc(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        _fail(f'must be text (an NDC may begin with 0); write it in quotes, e.g. "{value}"')
    if not isinstance(value, str):
        _fail(f"must be text, not {_describe(value)}")
    digits = drugs.ndc_normal(value)
    if digits is None:
        _fail(f"{drugs.NDC_MESSAGE}, not {value!r}")
    return digits


_DECIMAL_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"},
    ],
    "description": 'A decimal number; written as text ("20", "99.9") it keeps its digits.',
}

Text = Annotated[
    str,
    Strict(),
    AfterValidator(normalize_text),
    BeforeValidator(_text_input),
    _salvage(lambda _: ""),
]
Name = Annotated[
    str,
    StringConstraints(strict=True, pattern=_NAME_PATTERN),
    AfterValidator(_one_line),
    _salvage(lambda value: " ".join(value.split()) if isinstance(value, str) else ""),
]
Label = Annotated[str, StringConstraints(strict=True, pattern=_NAME_PATTERN), _salvage(str)]
ListKey = Annotated[str, StringConstraints(strict=True, pattern=_LIST_KEY_PATTERN), _salvage(str)]
Day = Annotated[date, Strict(), BeforeValidator(_date), _salvage(_nothing)]
Whole = Annotated[int, Strict(), _salvage(_nothing)]  # bool is an int in Python; not here
Positive = Annotated[int, Strict(), Ge(1), _salvage(_nothing)]
Flag = Annotated[bool, Strict(), _salvage(lambda _: True)]
Negate = Annotated[bool, Strict(), _salvage(lambda _: False)]
DecimalNumber = Annotated[
    str,
    PlainValidator(_decimal_text),
    WithJsonSchema(_DECIMAL_SCHEMA),
    _salvage(_nothing),
]
Params = Annotated[
    dict[str, Any],
    PlainValidator(_params, json_schema_input_type=dict[str, Any]),
    _salvage(lambda _: {}),
]
HcpcsCode = Annotated[
    str,
    Strict(),
    AfterValidator(_hcpcs),
    WithJsonSchema({"type": "string", "pattern": r"^\s*[A-Va-v][0-9]{4}\s*$"}),
    _salvage(lambda _: ""),
]
Ndc = Annotated[
    str,
    PlainValidator(_ndc),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9][0-9 .*-]*$"}),
    _salvage(lambda _: ""),
]
Names = _list(Name)
PathName = _choice(*PATHS)
AnswerName = _choice(*ANSWERS)


class _Section(BaseModel):
    """A mapping with fixed keys, in their canonical order. omit_defaults: dump leaves out
    the keys at their default."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    omit_defaults: ClassVar[bool] = False
    omit_when_default: ClassVar[frozenset[str]] = frozenset()
    """Keys dump leaves out at their default even when omit_defaults is off (keys added to
    the format later, so older documents keep their exact text)."""

    @model_validator(mode="before")
    @classmethod
    def _section_input(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            value = {}  # a section left empty has all its keys at their default
        if not isinstance(value, Mapping):
            if not _salvaging(info):
                return value  # pydantic reports it
            value = {}
        value = dict(value)
        if _salvaging(info):  # the unknown and missing keys were reported
            value = {key: item for key, item in value.items() if key in cls.model_fields}
            for name, field in cls.model_fields.items():
                if field.is_required():
                    value.setdefault(name, None)
        return value

    @model_serializer(mode="wrap")
    def _canonical(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data = handler(self)
        if not (info.context and info.context.get("canonical")):
            return data
        fields = type(self).model_fields
        return {
            name: value
            for name, value in data.items()
            if not (self.omit_defaults or name in self.omit_when_default)
            or fields[name].is_required()
            or value
            != _default_dump(fields[name].get_default(call_default_factory=True), info.context)
        }


def _default_dump(default: Any, context: Any = None) -> Any:
    return default.model_dump(context=context) if isinstance(default, BaseModel) else default


class CheckRef(_Section):
    """A computed check on a leaf; checks.check_problems judges its name and params."""

    omit_when_default = frozenset({"negate"})

    name: Name
    params: Params = {}
    negate: Negate = False
    """true: the criterion is the check's opposite (met <-> not met)."""


class CriteriaNode(_Section):
    """A node of the criteria tree: a group (all, any, k_of_n), a conditional (if: the
    condition, then the subtree that applies only when it is met) or a leaf."""

    omit_defaults = True

    label: Name
    """The policy's own label, unique within the version."""
    kind: _choice(*KINDS)
    title: Text = ""
    text: Text = ""
    """The policy's words, verbatim."""
    note: Text = ""
    explanation: Text = ""
    plain_language: Text = ""
    """The requirement in member-readable words, for letters."""
    path: PathName | None = None
    """Evaluated only on this request path; null: on both."""
    indication: ListKey | None = None
    """The key of the one indication this node and its subtree apply to; null: every one."""
    k: Whole | None = None
    """k_of_n only: how many children must be met."""
    check: CheckRef | None = None
    evidence_required: Flag = True
    """false marks an attestation: "met" may stand without a document, page and quote."""
    children: _list(CriteriaNode) = []


class ListItem(_Section):
    omit_defaults = True

    name: Name
    generic: Text = ""
    as_written: Text = ""
    """The policy's own wording, verbatim."""
    synonyms: Names = []


class NamedList(_Section):
    title: Text = ""
    items: _list(ListItem, at_least_one=True)


class Medication(_Section):
    omit_defaults = True

    name: Name
    stop_date: Day | None = None


class Lab(_Section):
    omit_defaults = True

    name: Name
    value: DecimalNumber
    unit: Text = ""
    date: Day | None = None
    loinc: Text = ""


class PriorTherapy(_Section):
    omit_defaults = True

    name: Name
    outcome: Text = ""
    """ineffective (or failed), intolerant, contraindicated, ongoing."""
    dose: DecimalNumber | None = None
    dose_unit: Text = ""
    start: Day | None = None
    end: Day | None = None


class Event(_Section):
    omit_defaults = True

    kind: Name
    """Free text, e.g. relapse."""
    date: Day
    note: Text = ""


class Facts(_Section):
    """The request's facts a test case gives its checks."""

    omit_defaults = True

    request_date: Day
    member_dob: Day | None = None
    prescriber_specialty: Text = ""
    consulting_specialty: Text = ""
    consulting_name: Text = ""
    consult_date: Day | None = None
    medications: _list(Medication) = []
    therapy_start_date: Day | None = None
    labs: _list(Lab) = []
    prior_therapies: _list(PriorTherapy) = []
    diagnosis_codes: Names = []
    events: _list(Event) = []
    weight_kg: DecimalNumber | None = None
    height_cm: DecimalNumber | None = None


class ExpectedQuantity(_Section):
    """The quantity the dosing rule authorizes over the case's approval period on its path,
    from `start` (default: facts.request_date)."""

    omit_defaults = True

    amount: DecimalNumber
    unit: Name
    doses: Whole | None = None
    start: Day | None = None


class Expect(_Section):
    omit_defaults = True

    result: _choice(*TRUTHS)
    path: PathName | None = None
    indication: ListKey | None = None
    """The indication the case is evaluated on: its own `indication`, else the one its facts'
    diagnosis codes choose (as intake does); null means not compared."""
    failing: Names | None = None
    """The exact set of failing leaves; [] means none, null means not compared."""
    quantity: ExpectedQuantity | None = None
    suggestions: _map(AnswerName, key=Label) | None = None


class TestCase(_Section):
    omit_defaults = True

    name: Name
    request_type: PathName
    indication: ListKey | None = None
    """The key of the indication the case is for; null: the criteria of every indication."""
    answers: _map(AnswerName, key=Label) = {}
    facts: Facts | None = None
    expect: Expect


class Dose(_Section):
    """A fixed amount, or per_kg of body weight (at most max), in unit."""

    omit_defaults = True

    amount: DecimalNumber | None = None
    per_kg: DecimalNumber | None = None
    max: DecimalNumber | None = None
    """per_kg only: the most one dose may be."""
    unit: Name


class Schedule(_Section):
    """A series (at: offsets in unit day|week) or a repeating schedule (every N unit
    day|week|calendar_month, from start start_unit day|week)."""

    omit_defaults = True

    at: _list(Whole) | None = None
    every: Positive | None = None
    unit: _choice(*UNITS)
    start: Whole | None = None
    start_unit: _choice(*OFFSET_UNITS) | None = None


class Phase(_Section):
    omit_defaults = True

    name: Text = ""
    dose: Dose
    route: Name
    schedule: Schedule
    initial_only: Flag = False
    """Given on an initial request only, never on a continuation."""


class DoseRange(_Section):
    omit_defaults = True

    min: DecimalNumber | None = None
    max: DecimalNumber | None = None
    unit: Name


class QuantityLimit(_Section):
    amount: DecimalNumber
    unit: Name
    per_days: Positive


class RegimenRule(_Section):
    """A dosing rule (reviews.engine.dosing.Regimen): the phases a request may ask for."""

    omit_defaults = True

    phases: _list(Phase, at_least_one=True)
    dose_range: DoseRange | None = None
    quantity_limit: QuantityLimit | None = None

    @model_validator(mode="after")
    def _engine_reads_it(self, info: ValidationInfo) -> RegimenRule:
        # The rules across keys (amount or per_kg, a series or a repeating schedule, one
        # dose unit) are the engine's: it reads every regimen, a request's too.
        if not _salvaging(info):
            try:
                Regimen.from_dict(_engine_form(self.model_dump()))
            except ValueError as error:
                _fail(str(error).removeprefix("regimen"))
        return self

    @model_serializer(mode="wrap")
    def _canonical(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        # The normal form is the engine's, so a version's stored rule reads as written.
        data = _engine_form(handler(self))
        with contextlib.suppress(ValueError):
            return Regimen.from_dict(data).to_dict()
        return data


def _engine_form(value: Any) -> Any:
    """The model's dump without its unset keys (None), as the engine reads it."""
    if isinstance(value, Mapping):
        return {k: _engine_form(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_engine_form(v) for v in value]
    return value


class Dosing(_Section):
    condition: Text = ""
    text: Text = ""
    benefit: _choice(*BENEFITS) | None = None
    monthly_means: _choice(*MONTHLY_MEANINGS) | None = None
    """How the policy's "monthly" is read; the regimen must agree."""
    monthly_means_note: Text = ""


class Approval(_Section):
    text: Text = ""
    """The policy's prose; the durations are each indication's."""


class Duration(_Section):
    """A length of time: count days, weeks or calendar months."""

    count: Positive
    unit: _choice(*DURATION_UNITS)


class IndicationApproval(_Section):
    initial: Duration
    extended: Duration | None = None
    """null: no reauthorization."""


class Indication(_Section):
    """One use of the drug the policy covers: its diagnoses, approval periods and dosing."""

    omit_when_default = frozenset({"codes_source"})

    key: ListKey
    """How criteria nodes and test cases refer to it, e.g. relapsing_ms."""
    name: Name
    diagnosis_codes: Names = []
    """ICD-10-CM code prefixes, e.g. [G35]; a case's codes choose its indication."""
    codes_source: Text = ""
    """Where the codes and their meanings were checked (a code set, its edition, a page)."""
    approval: IndicationApproval
    regimen: RegimenRule | None = None
    """The dosing rule (phases, each a dose on a schedule); null: none (an approval takes
    the requested quantity)."""


def _remark_input(value: Any) -> Any:
    """A bare code (the format before codes had meanings) is a code with no meaning yet."""
    return {"code": value} if isinstance(value, str) else value


class RemarkCode(_Section):
    """A remark code a claim line pends with, and what the plan means by it."""

    omit_defaults = True

    code: Name
    meaning: Text = ""
    """The plan's own meaning of the code, in words an examiner reads."""

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        if info.context and info.context.get("canonical") and not self.meaning:
            return self.code  # written as before meanings existed: [M3M, M4M]
        return data


GROUP_CODES = ("CO", "PR", "OA", "PI")


class EditsAndDenials(_Section):
    omit_when_default = frozenset(
        {
            "remark_code_with_authorization",
            "remark_code_without_authorization",
            "group_code_participating",
            "group_code_not_participating",
        }
    )

    heading: Text = ""
    prior_approval: Text = ""
    physician_review: Text = ""
    claim_edits: Text = ""
    remark_codes: _list(Annotated[RemarkCode, BeforeValidator(_remark_input)]) = []
    """The codes a claim line for one of the policy's HCPCS codes pends with; a bare code
    is a code whose meaning is not written yet."""
    remark_code_with_authorization: Text = ""
    """The remark code a line pends with when the member has an authorization on file for
    the drug; empty: none."""
    remark_code_without_authorization: Text = ""
    """The remark code a line pends with when the member has none; empty: none."""
    liability: Text = ""
    group_code_participating: _choice(*GROUP_CODES) = "CO"
    """The claim adjustment group code of a denial when the provider is participating
    (CO: the provider writes the charge off)."""
    group_code_not_participating: _choice(*GROUP_CODES) = "PR"
    """The group code of a denial when the provider is not participating."""


class BillingUnit(_Section):
    """What one billed unit of a HCPCS code is: an authorization's quantity (in `unit`)
    divided by `amount` gives the units a claim may spend."""

    hcpcs: HcpcsCode
    amount: DecimalNumber
    unit: Name


class WasteRule(_Section):
    """Discarded-drug (JW/JZ modifier) rules for a drug given by a healthcare professional."""

    omit_when_default = frozenset({"source"})

    applies: Flag = False
    """false: no JW/JZ rule; lines are paid without looking at those modifiers."""
    single_dose: Flag = False
    """The product comes in single-dose containers (the rules apply to those only)."""
    jz_required: Flag = False
    """A line with no discarded amount must carry JZ; without JW or JZ it pends for review."""
    jw_allowance_units: Annotated[int, Strict(), Ge(0), _salvage(lambda _: 0)] = 0
    """The most units a JW (discarded amount) line may bill; more pends for review."""
    source: Text = ""
    """Where the rule comes from (the plan's policy, CMS's JW/JZ policy...)."""


class Claims(_Section):
    """How claim lines for the policy's drugs are counted and checked."""

    billing_units: _list(BillingUnit) = []
    waste: WasteRule = WasteRule()


class Paths(_Section):
    """What the screens, letters and API call the two request types."""

    initial: Name = DEFAULT_PATH_NAMES["initial"]
    continuation: Name = DEFAULT_PATH_NAMES["continuation"]


class Version(_Section):
    omit_when_default = frozenset({"paths", "claims"})

    number: Positive
    status: _choice(*STATUSES)
    effective_date: Day
    initial_effective_date: Day | None = None
    annual_review_date: Day | None = None
    last_revised_date: Day | None = None
    paths: Paths = Paths()
    """The names of the request paths; left out: "Initial request", "Continuation request"."""
    prior_approval_notice: Text = ""
    overview: Text = ""
    statement: Text = ""
    criteria_intro: Text = ""
    dosing: Dosing = Dosing()
    approval: Approval = Approval()
    indications: _list(Indication, at_least_one=True)
    duration_of_therapy: Text = ""
    labs_diagnostics: Text = ""
    waste_management: Text = ""
    documentation_requirements: Text = ""
    edits_and_denials: EditsAndDenials = EditsAndDenials()
    claims: Claims = Claims()
    """Claim lines: the billing unit of each HCPCS code, and the waste rule."""
    lists: _map(NamedList, key=ListKey, sort=True) = {}
    criteria: CriteriaNode
    test_cases: _list(TestCase) = []


class PolicyDrug(_Section):
    """One drug the policy covers; a request naming any of its names or codes finds it."""

    omit_when_default = frozenset({"ndcs"})

    brand: Name
    """The brand name, as members know it."""
    generic: Text = ""
    hcpcs_codes: _list(HcpcsCode) = []
    """HCPCS Level II codes; [] for a drug billed without one (e.g. pharmacy benefit)."""
    ndcs: _list(Ndc) = []
    """National Drug Codes, kept as their digits; any punctuation is accepted."""


class Policy(_Section):
    number: Name
    """The policy's own number, as text (quote it)."""
    title: Name
    drugs: _list(PolicyDrug, at_least_one=True)
    """The drugs the policy covers, at least one."""


class PolicyDocument(_Section):
    """A drug policy version (priorauth-policy/1), as loaded by manage.py load_policy."""

    format: _choice(FORMAT)
    policy: Policy
    version: Version


# ---- reading -------------------------------------------------------------------------------

Found = list[tuple[Path, str]]  # problems as (place, message), in the order found


def _read(
    data: Any, lines: Mapping[Path, int], references: References | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    if data is None:
        return {}, [Problem("", None, "the document is empty")]
    found: Found = []
    doc: dict[str, Any] | None
    try:
        doc = PolicyDocument.model_validate(data).model_dump()
    except ValidationError as error:
        errors = error.errors(include_url=False)
        # pydantic also judges the value under a key that is not text; the key is the problem.
        bad_keys = [
            e["loc"][:-1]
            for e in errors
            if e["loc"][-1:] == ("[key]",) and e["type"] == "string_type"
        ]
        found = [
            _problem_of(e)
            for e in errors
            if e["loc"][-1:] == ("[key]",) or not any(e["loc"][: len(k)] == k for k in bad_keys)
        ]
        doc = None
        # A value that contains itself (a YAML alias inside its anchor) is reported alone.
        if all(e["type"] != "recursion_loop" for e in errors):
            with contextlib.suppress(ValidationError):
                doc = PolicyDocument.model_validate(data, context=_SALVAGE).model_dump()
    except RecursionError:
        return {}, [Problem("", None, "the document nests too deeply")]
    if doc is not None:
        _check_document(found, doc, data, references)
    problems = [Problem(_where(path), _line(lines, path), msg) for path, msg in found]
    problems.sort(key=lambda p: p.line if p.line is not None else 0)
    return doc or {}, problems


def _problem_of(error: ErrorDetails) -> tuple[Path, str]:
    """Our place and words for one of pydantic's errors."""
    path: Path = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    is_key = bool(path) and path[-1] == "[key]"
    if is_key:  # a mapping's key: pydantic's place is (..., key, "[key]")
        path = (*path[:-2], str(path[-2]))
    if kind == "missing":
        return path[:-1], f"missing required key {path[-1]!r}"
    if kind in ("extra_forbidden", "invalid_key"):  # invalid_key: a key that is not text
        path = (*path[:-1], str(path[-1]))
        return path, _unknown_key(_section_at(path[:-1]), path[-1])
    messages = {
        "policy_format": lambda: ctx["message"],
        "model_type": lambda: f"must be a mapping of keys to values, not {_describe(value)}",
        "string_type": lambda: _needs_text(value),
        "string_pattern_mismatch": lambda: _PATTERN_MESSAGES[ctx["pattern"]],
        "int_type": lambda: f"must be a whole number, not {_describe(value)}",
        "greater_than_equal": lambda: f"must be at least {ctx['ge']}, not {value}",
        "bool_type": lambda: f"must be true or false, not {_describe(value)}",
        "too_short": lambda: "must have at least one entry",
        "recursion_loop": lambda: "refers back to itself (a YAML alias inside its own anchor)",
    }
    message = messages[kind]() if kind in messages else error["msg"]
    if is_key and message.startswith("must"):
        message = f"the key {message}"
    return path, message


def _section_at(path: Path) -> type[_Section]:
    """The model of the section at `path` (a path pydantic reported a problem at)."""
    kind: Any = PolicyDocument
    for part in path:
        kind = _bare(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            kind = kind.model_fields[str(part)].annotation
        else:
            kind = get_args(kind)[-1]  # list[item] -> item, dict[key, value] -> value
    return _bare(kind)


def _bare(kind: Any) -> Any:
    while True:
        if get_origin(kind) is Annotated:
            kind = get_args(kind)[0]
        elif get_origin(kind) in (Union, UnionType):
            kind = next(arg for arg in get_args(kind) if arg is not NoneType)
        else:
            return kind


def _unknown_key(section: type[_Section], key: Any) -> str:
    known = list(section.model_fields)
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {str(key)!r}{hint} (known keys: {', '.join(known)})"


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


# ---- rules across sections -----------------------------------------------------------------


def _check_document(
    found: Found, doc: dict[str, Any], data: Any, references: References | None
) -> None:
    """The rules no one value can judge. data: the document as given, for what it wrote."""
    _check_drugs(found, doc["policy"]["drugs"])
    version = doc["version"]
    keys = _check_indications(found, version["indications"])
    nodes = _check_tree(found, version["criteria"], version["lists"], data, references, keys)
    _check_dosing(found, version["dosing"], version["indications"])
    _check_claims(found, version, doc["policy"]["drugs"])
    _check_test_cases(found, version["test_cases"], nodes, keys)


def _check_drugs(found: Found, policy_drugs: list[dict[str, Any]]) -> None:
    """No name or NDC stands for two drugs of the policy: a request must find one. (Two
    drugs may share a HCPCS code: unclassified codes such as J3490 cover many.)"""
    first_at: dict[str, int] = {}
    for i, drug in enumerate(policy_drugs):
        for key in sorted(drugs.drug_keys({**drug, "hcpcs_codes": []})):
            if first_at.setdefault(key, i) != i:
                found.append(
                    (
                        ("policy", "drugs", i),
                        f"{key!r} already names drug {first_at[key] + 1} of this policy",
                    )
                )


def _check_tree(
    found: Found,
    root: dict[str, Any],
    lists: Mapping[str, Any],
    data: Any,
    references: References | None,
    indications: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """Labels unique, paths and indications consistent, checks usable; returns the nodes by
    label, in order. indications: the version's indication keys."""
    base: Path = ("version", "criteria")
    if root["path"] is not None:
        found.append(((*base, "path"), "the root applies to every request, so it has no path"))
    if root.get("indication") is not None:
        found.append(
            ((*base, "indication"), "the root applies to every indication, so it names none")
        )
    nodes: dict[str, dict[str, Any]] = {}
    first_at: dict[str, Path] = {}
    for node, path in iter_tree(root, base):
        _check_node(found, node, path, _given(data, path))
        label = node["label"]
        if label and label in first_at:
            found.append(
                ((*path, "label"), f"label {label!r} is already used at {_where(first_at[label])}")
            )
        elif label:
            nodes[label], first_at[label] = node, path
        check = node["check"]
        if check is not None and check["name"]:
            as_check = Check(check["name"], check["params"], check["negate"])
            for param, message in check_param_problems(as_check, lists, references):
                where = (*path, "check") if param is None else (*path, "check", "params", param)
                found.append((where, message))
    _check_paths(found, root, base, None)
    _check_node_indications(found, root, base, None, indications)
    return nodes


def _check_node(found: Found, node: Mapping[str, Any], path: Path, given: Mapping) -> None:
    """What ties kind, k, check and children together. given: the node as written."""
    kind, children, k = node["kind"], node["children"], node["k"]
    if kind == Kind.LEAF and children:
        found.append(
            ((*path, "children"), "a leaf has no children (make it all, any, k_of_n or if)")
        )
    if kind == Kind.IF:
        if len(children) != 2:
            where = (*path, "children") if "children" in given else path
            found.append(
                (
                    where,
                    "an if has exactly two children, the condition and then the subtree that "
                    f"applies when it is met, not {len(children)}",
                )
            )
        if node["check"] is not None:
            found.append(((*path, "check"), "only a leaf has a check"))
        for i, child in enumerate(children):
            if child["path"] is not None:
                found.append(
                    (
                        (*path, "children", i, "path"),
                        "a child of an if has no path of its own; put the path on the if",
                    )
                )
            if child.get("indication") is not None:
                found.append(
                    (
                        (*path, "children", i, "indication"),
                        "a child of an if has no indication of its own; put it on the if",
                    )
                )
    if kind in (Kind.ALL, Kind.ANY, Kind.K_OF_N):
        if not children:
            where = (*path, "children") if "children" in given else path
            found.append((where, f"a group ({kind}) needs at least one child"))
        if node["check"] is not None:
            found.append(((*path, "check"), "only a leaf has a check"))
    if k is not None and kind not in (None, Kind.K_OF_N):
        found.append(((*path, "k"), f"k is only for kind k_of_n, and this node is {kind}"))
    if kind == Kind.K_OF_N:
        if given.get("k") is None:  # a k that is not a whole number was reported already
            found.append((path, "a k_of_n group needs k (how many children must be met)"))
        elif k is not None and children and not 1 <= k <= len(children):
            found.append(
                (
                    (*path, "k"),
                    f"k must be between 1 and {len(children)} (the number of children), not {k}",
                )
            )


def _given(data: Any, path: Path) -> Mapping[str, Any]:
    """The mapping written at `path` of the raw document; {} if there is none."""
    for part in path:
        if isinstance(data, Mapping):
            data = data.get(part)
        elif isinstance(data, list | tuple) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return {}
    return data if isinstance(data, Mapping) else {}


def _check_paths(found: Found, node: Mapping[str, Any], path: Path, inherited: str | None) -> None:
    """A node on one path inside another is dead; a group must keep children on every path."""
    own = node["path"]
    if inherited and own and own != inherited:
        found.append(
            ((*path, "path"), f"path {own} inside a node on path {inherited}: never evaluated")
        )
    current = own or inherited
    children = node["children"]
    if node["kind"] != Kind.LEAF and children:
        for request_path in PATHS if current is None else (current,):
            on_path = [c for c in children if c["path"] in (None, request_path)]
            # An all-group with no children left would be vacuously met: refuse that.
            if not on_path:
                found.append((path, f"on the {request_path} path this group has no children left"))
            elif node["kind"] == Kind.K_OF_N and len(children) >= (node["k"] or 0) > len(on_path):
                found.append(
                    (
                        (*path, "k"),
                        f"on the {request_path} path only {len(on_path)} of its children apply, "
                        f"fewer than k = {node['k']}",
                    )
                )
    for i, child in enumerate(children):
        _check_paths(found, child, (*path, "children", i), current)


def _check_indications(found: Found, indications: list[dict[str, Any]]) -> list[str]:
    """Keys unique; returns the keys, in order."""
    keys: list[str] = []
    for i, indication in enumerate(indications):
        key = indication["key"]
        if key and key in keys:
            found.append(
                (("version", "indications", i, "key"), f"another indication has the key {key!r}")
            )
        elif key:
            keys.append(key)
    return keys


def _check_node_indications(
    found: Found,
    node: Mapping[str, Any],
    path: Path,
    inherited: str | None,
    keys: Sequence[str],
) -> None:
    """A node names an indication of the version; one inside another's subtree is dead; a
    group keeps children for every indication it applies to."""
    own = node.get("indication")
    if own is not None and own not in keys:
        close = difflib.get_close_matches(own, list(keys), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        found.append(
            (
                (*path, "indication"),
                f"no indication has the key {own!r}{hint} (keys: {', '.join(keys) or 'none'})",
            )
        )
    elif inherited and own and own != inherited:
        found.append(
            (
                (*path, "indication"),
                f"indication {own} inside a node for indication {inherited}: never evaluated",
            )
        )
    current = own or inherited
    children = node["children"]
    if node["kind"] != Kind.LEAF and children and len(keys) > 1:
        for key in keys if current is None else (current,):
            if not any(c.get("indication") in (None, key) for c in children):
                found.append((path, f"for the indication {key} this group has no children left"))
    for i, child in enumerate(children):
        _check_node_indications(found, child, (*path, "children", i), current, keys)


def _check_dosing(
    found: Found, dosing: Mapping[str, Any], indications: list[dict[str, Any]]
) -> None:
    """A repeating phase that is "monthly" in either reading (every calendar month, every 4
    weeks) must follow the reading monthly_means chooses, in every indication's regimen."""
    meaning = dosing["monthly_means"]
    if meaning is None:
        return
    readings = {"calendar_month": (1, "calendar_month"), "every_4_weeks": (4, "week")}
    for indication in indications:
        for i, phase in enumerate((indication["regimen"] or {}).get("phases") or ()):
            schedule = phase.get("schedule") or {}
            step = (schedule.get("every"), schedule.get("unit"))
            if step in readings.values() and step != readings[meaning]:
                found.append(
                    (
                        ("version", "dosing", "monthly_means"),
                        f"says monthly means {meaning}, but phase {i + 1} of the regimen of "
                        f"{indication['name']} is every {step[0]} {step[1]}",
                    )
                )


def _check_claims(
    found: Found, version: Mapping[str, Any], policy_drugs: list[dict[str, Any]]
) -> None:
    """Remark codes unique, and the ones chosen for a line with or without an authorization
    among them; a billing unit for each of the policy's codes at most once."""
    edits = version["edits_and_denials"]
    codes: list[str] = []
    for i, remark in enumerate(edits["remark_codes"]):
        if remark["code"] in codes:
            where = ("version", "edits_and_denials", "remark_codes", i, "code")
            found.append((where, f"the remark code {remark['code']!r} is listed twice"))
        codes.append(remark["code"])
    for key in ("remark_code_with_authorization", "remark_code_without_authorization"):
        chosen = edits[key]
        if chosen and chosen not in codes:
            found.append(
                (
                    ("version", "edits_and_denials", key),
                    f"{chosen!r} is not one of the version's remark codes "
                    f"({', '.join(codes) or 'none'})",
                )
            )
    policy_codes = {code for drug in policy_drugs for code in drug["hcpcs_codes"]}
    seen: set[str] = set()
    for i, unit in enumerate(version["claims"]["billing_units"]):
        where = ("version", "claims", "billing_units", i, "hcpcs")
        if unit["hcpcs"] in seen:
            found.append((where, f"{unit['hcpcs']} has a billing unit already"))
        elif unit["hcpcs"] and unit["hcpcs"] not in policy_codes:
            found.append(
                (
                    where,
                    f"{unit['hcpcs']} is not a HCPCS code of the policy's drugs "
                    f"({', '.join(sorted(policy_codes)) or 'none'})",
                )
            )
        seen.add(unit["hcpcs"])
        if unit["amount"] is not None and Decimal(unit["amount"]) <= 0:
            found.append(
                (("version", "claims", "billing_units", i, "amount"), "must be more than 0")
            )


def _check_test_cases(
    found: Found,
    cases: list[dict[str, Any]],
    nodes: Mapping[str, dict[str, Any]],
    indications: Sequence[str] = (),
) -> None:
    order = {label: i for i, label in enumerate(nodes)}
    names: set[str] = set()
    for i, case in enumerate(cases):
        path: Path = ("version", "test_cases", i)
        if case["name"] in names:
            found.append(((*path, "name"), f"another test case is already named {case['name']!r}"))
        names.add(case["name"])
        for where, key in (
            ((*path, "indication"), case.get("indication")),
            ((*path, "expect", "indication"), case["expect"].get("indication")),
        ):
            if key is not None and key not in indications:
                found.append(
                    (
                        where,
                        f"no indication has the key {key!r} "
                        f"(keys: {', '.join(indications) or 'none'})",
                    )
                )
        for label in case["answers"]:
            _check_leaf_label(found, (*path, "answers", label), label, nodes)
        case["answers"] = _in_tree_order(case["answers"], order)
        expect = case["expect"]
        for j, label in enumerate(expect["failing"] or ()):
            _check_leaf_label(found, (*path, "expect", "failing", j), label, nodes)
        if expect["suggestions"] is not None:
            if case["facts"] is None:
                found.append(
                    ((*path, "expect", "suggestions"), "suggestions come from facts; add facts")
                )
            for label in expect["suggestions"]:
                where = (*path, "expect", "suggestions", label)
                if _check_leaf_label(found, where, label, nodes) and nodes[label]["check"] is None:
                    found.append((where, f"{label!r} has no check, so nothing suggests its answer"))
            expect["suggestions"] = _in_tree_order(expect["suggestions"], order)


def _check_leaf_label(
    found: Found, path: Path, label: str, nodes: Mapping[str, dict[str, Any]]
) -> bool:
    node = nodes.get(label)
    if node is None:
        close = difflib.get_close_matches(label, list(nodes), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        found.append((path, f"no criterion is labelled {label!r}{hint}"))
        return False
    if node["kind"] != Kind.LEAF:
        found.append((path, f"{label!r} is a group ({node['kind']}); answers are given to leaves"))
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
