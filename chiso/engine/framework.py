"""Framework files (format ``chiso-framework/1``): the model, the parser, the checks.

`parse_framework` reads YAML text with a safe loader that remembers the line of
every key, then `framework_from_dict` checks the whole document against
docs/framework-format.md, collecting every problem (with the node code or key
path and, from YAML, the line) before raising one `EngineError`. Only a file
without problems becomes a `Framework`, which is immutable from then on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar, cast, get_args

import yaml

from chiso.engine.errors import EngineError, Problem, problem
from chiso.engine.formula import Expr, FormulaError, Rule, names, parse_formula, parse_rule

_Derived = TypeVar("_Derived")

FORMAT: Final = "chiso-framework/1"

InputType = Literal["integer", "number", "percent", "boolean"]
Method = Literal["linear", "threshold", "steps", "boolean", "relative"]
Level = Literal["province", "department", "district", "commune"]

INPUT_TYPES: Final[tuple[str, ...]] = get_args(InputType)
METHODS: Final[tuple[str, ...]] = get_args(Method)
LEVELS: Final[tuple[str, ...]] = get_args(Level)

# The keys each scoring method takes (besides `method`); any other key is a
# mistake, reported rather than ignored: a misspelt key would otherwise change a
# published ranking without a word.
METHOD_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "linear": ("zero", "full"),
    "threshold": ("at_least", "at_most"),
    "steps": ("steps",),
    "boolean": (),
    "relative": ("better",),
}
BETTER: Final[tuple[str, ...]] = ("higher", "lower")
MISSING: Final[tuple[str, ...]] = ("zero", "exclude")

_FRAMEWORK_CODE: Final = re.compile(r"[a-z0-9-]+")
_NODE_CODE: Final = re.compile(r"[A-Za-z0-9._-]+")
_ELEMENT_CODE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_TOP_KEYS: Final = frozenset(
    {
        "format",
        "code",
        "title",
        "level",
        "year",
        "missing",
        "recognition",
        "elements",
        "validation",
        "tree",
    }
)
_NODE_KEYS: Final = frozenset(
    {
        "code",
        "title",
        "children",
        "points",
        "score",
        "formula",
        "unit",
        "mandatory",
        "pass",
        "type",
        "min",
        "max",
        "description",
        "effort",
        "may_not_apply",
    }
)
# A guard against YAML aliases that multiply a tree far beyond any real framework.
MAX_NODES: Final = 20_000
# Real trees are 2 to 5 levels deep; the limit keeps a hostile file from exhausting
# Python's recursion stack in the checks, the model and the walks over the tree.
MAX_TREE_DEPTH: Final = 32
# The largest shipped framework is 75 KB with lines under 250 characters; the
# limits refuse a hostile file before PyYAML spends minutes and gigabytes on it.
MAX_FRAMEWORK_CHARS: Final = 2_000_000
MAX_LINE_CHARS: Final = 10_000
MAX_NUMBER_CHARS: Final = 40


# ---------------------------------------------------------------------------
# The model
#
# Plain frozen dataclasses: `_Checker` below builds them only from values it has
# already checked (with a problem code and line for each mistake), so nothing is
# checked again here. Fields are keyword-only, as the checker passes them.


def _derived() -> Any:
    """A field computed in `__post_init__`: not an argument, not shown, not compared."""
    return field(init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreRule:
    """How an indicator's value becomes its score s in [0, 1]."""

    method: Method
    zero: float | None = None
    full: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    steps: tuple[tuple[float, float], ...] = ()
    better: Literal["higher", "lower"] = "higher"
    """For `relative`: which end of the units' range scores 1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Recognition:
    """Who is "completed": enough points (or value) and, optionally, every mandatory met."""

    min_points: float | None = None
    min_value: float | None = None
    all_mandatory: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Element:
    """A raw input that formulas use (it is never scored by itself).

    `minimum` and `maximum` are the file's `min` and `max`: a value outside is refused.
    """

    code: str
    title: dict[str, str]
    type: InputType = "number"
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationRule:
    """A check on the entered values of one unit, such as ``hs_tt <= hs_tong``."""

    rule: str
    message: dict[str, str] | None = None
    # Parsed once here; derived from `rule`, so left out of equality.
    _parsed: Rule = _derived()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parsed", parse_rule(self.rule))

    @property
    def parsed(self) -> Rule:
        return self._parsed

    @property
    def codes(self) -> tuple[str, ...]:
        """The element and indicator codes the rule compares, in the order written."""
        return tuple(dict.fromkeys(name.code for name in names(self.parsed)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A branch (pillar, index, ...) or, without children, an indicator.

    `points` is the indicator's own points and None on a branch; `max_points` is
    the sum of the indicators' points under a branch (an indicator's own points).
    """

    code: str
    title: dict[str, str]
    children: tuple[Node, ...] = ()
    points: float | None = None
    max_points: float = 0.0
    unit: str | None = None
    mandatory: bool = False
    pass_: float | None = None
    formula: str | None = None
    score: ScoreRule | None = None
    type: InputType | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: dict[str, str] | None = None
    depth: int = 0
    parent: str | None = None
    effort: float = 1.0
    """How hard raising the indicator to full score is judged (the gap planner's cost)."""
    may_not_apply: bool = False
    """The indicator may be marked as not applying to a unit (value `không áp dụng`)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def input_type(self) -> InputType:
        """The type of the value entered for an indicator without formula."""
        if self.type is not None:
            return self.type
        if self.score is not None and self.score.method == "boolean":
            return "boolean"
        return "number"

    def walk(self) -> Iterator[Node]:
        """This node and every node under it, depth-first in file order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True, kw_only=True)
class Framework:
    """One year's validated criteria set; build it with `parse_framework`."""

    code: str
    title: dict[str, str]
    level: Level
    year: int
    missing: Literal["zero", "exclude"] = "zero"
    recognition: Recognition | None = None
    elements: tuple[Element, ...] = ()
    tree: tuple[Node, ...]
    validation: tuple[ValidationRule, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    # Derived from the fields above in __post_init__, so left out of init, repr and
    # equality (two frameworks with the same fields are equal).
    _nodes: tuple[Node, ...] = _derived()
    _by_code: dict[str, Node] = _derived()
    _input_types: dict[str, InputType] = _derived()
    _bounds: dict[str, tuple[float | None, float | None]] = _derived()
    _formulas: dict[str, Expr] = _derived()
    # Data other engine modules derive from the framework and keep with it (the
    # scoring plan); filled on first use.
    _memo: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: str, build: Callable[[Framework], _Derived]) -> _Derived:
        """Data derived from the framework alone, built by `build(self)` on first
        use and kept with it (a framework is immutable)."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return cast(_Derived, self._memo[key])

    def __post_init__(self) -> None:
        # A frozen dataclass refuses `self.x = ...`; these are set once, here.
        nodes = tuple(node for root in self.tree for node in root.walk())
        types: dict[str, InputType] = {element.code: element.type for element in self.elements}
        for node in nodes:
            if node.is_leaf and node.formula is None:
                types[node.code] = node.input_type
        inputs: list[Element | Node] = [*self.elements, *nodes]
        derived = {
            "_nodes": nodes,
            "_by_code": {node.code: node for node in nodes},
            "_input_types": types,
            "_bounds": {
                item.code: (item.minimum, item.maximum)
                for item in inputs
                if item.code in types and (item.minimum is not None or item.maximum is not None)
            },
            "_formulas": {
                node.code: parse_formula(node.formula)
                for node in nodes
                if node.is_leaf and node.formula is not None
            },
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Every node, depth-first in file order."""
        return self._nodes

    @property
    def leaves(self) -> tuple[Node, ...]:
        """The indicators, depth-first in file order."""
        return tuple(node for node in self._nodes if node.is_leaf)

    @property
    def input_codes(self) -> tuple[str, ...]:
        """Codes a values file may carry: elements, then indicators without formula."""
        return tuple(self._input_types)

    @property
    def max_points(self) -> float:
        return float(sum(root.max_points for root in self.tree))

    def bounds(self, code: str) -> tuple[float | None, float | None]:
        """The `min` and `max` of an input code (None where the file sets none)."""
        return self._bounds.get(code, (None, None))

    def input_type(self, code: str) -> InputType:
        """The type of an input code (an element or an indicator without formula)."""
        try:
            return self._input_types[code]
        except KeyError:
            raise KeyError(f"{code!r} is not an input of framework {self.code}") from None

    def node(self, code: str) -> Node:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"no node {code!r} in framework {self.code}") from None

    def formula(self, code: str) -> Expr | None:
        """The parsed formula of an indicator, None when its value is entered."""
        return self._formulas.get(code)


# ---------------------------------------------------------------------------
# YAML with line numbers


class _LineDict(dict[Any, Any]):
    """A YAML mapping that remembers where it and each of its keys start."""

    line: int | None = None
    key_lines: dict[Any, int]

    def __init__(self) -> None:
        super().__init__()
        self.key_lines = {}


class _LineList(list[Any]):
    """A YAML sequence that remembers where it and each of its items start."""

    line: int | None = None
    item_lines: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.item_lines = []


class _AliasRefused(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("alias")
        self.mark = mark


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and noticing duplicate keys.

    It refuses anchors and aliases: a kilobyte of nested aliases expands to
    hundreds of megabytes ("billion laughs"), and a framework never needs them.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[Problem] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    # Python refuses to read an int of more than 4,300 digits (a ValueError deep in
    # PyYAML); no framework number needs more than a few.
    if len(str(node.value)) > MAX_NUMBER_CHARS:
        raise yaml.constructor.ConstructorError(
            None, None, f"the number is longer than {MAX_NUMBER_CHARS} characters", node.start_mark
        )
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[_LineDict]:
    data = _LineDict()
    data.line = node.start_mark.line + 1
    # Yield first, fill after: the way PyYAML builds recursive structures.
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            loader.problems.append(problem("bad_key", "a key must be a plain word", None, line))
            continue
        if key in data:
            where = str(key)
            message = f"key {key} appears twice"
            loader.problems.append(problem("duplicate_key", message, where, line, key=key))
        value = loader.construct_object(value_node, deep=True)
        if (
            key == "code"
            and isinstance(value, int)
            and not isinstance(value, bool)
            and isinstance(value_node, yaml.ScalarNode)
        ):
            # YAML 1.1 reads 007 as 7, 010 as 8 (octal) and 1:20 as 80: a code is
            # the text as written.
            value = value_node.value
        data[key] = value
        data.key_lines[key] = line


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[_LineList]:
    data = _LineList()
    data.line = node.start_mark.line + 1
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_framework(text: str, source: str = "<framework>") -> Framework:
    """Parse and check a framework from YAML text; raise `EngineError` with every problem."""
    _check_size(text, source)
    try:
        # Inside the `try`: the loader reads the whole text at once and refuses a
        # NUL byte or another control character right here.
        loader = _LineLoader(text)
    except yaml.reader.ReaderError as exc:
        raise EngineError([_bad_character(text, exc, source)]) from None
    try:
        data = loader.get_single_data()
    except _AliasRefused as exc:
        message = "YAML anchors and aliases (& and *) are not allowed: write the text out"
        alias_line = exc.mark.line + 1
        raise EngineError([problem("yaml_alias", message, None, alias_line, source)]) from None
    except yaml.reader.ReaderError as exc:
        raise EngineError([_bad_character(text, exc, source)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise EngineError(
            [problem("yaml_syntax", f"broken YAML: {detail}", None, line, source, detail=detail)]
        ) from None
    except yaml.YAMLError as exc:
        raise EngineError(
            [problem("yaml_syntax", f"broken YAML: {exc}", None, None, source, detail=exc)]
        ) from None
    except RecursionError:
        # PyYAML builds nested blocks recursively: a few hundred levels exhaust the stack.
        message = "the file is nested too deeply"
        raise EngineError([problem("too_deep", message, None, None, source, limit="")]) from None
    finally:
        loader.dispose()
    early = [found._replace(source=source) for found in loader.problems]
    if data is None:
        raise EngineError([*early, problem("empty_file", "the file is empty", None, 1, source)])
    if not isinstance(data, Mapping):
        line = getattr(data, "line", 1)
        message = "the file must be a YAML mapping"
        raise EngineError([*early, problem("not_mapping", message, None, line, source, key="")])
    return _Checker(source, early).framework(data)


def _check_size(text: str, source: str) -> None:
    # Before any parsing: PyYAML needs minutes and gigabytes for a 10 MB line.
    if len(text) > MAX_FRAMEWORK_CHARS:
        limit = MAX_FRAMEWORK_CHARS // 1000
        message = f"the file is larger than {limit} KB: a framework file is far smaller"
        raise EngineError([problem("file_too_large", message, None, None, source, limit=limit)])
    start = 0
    number = 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE_CHARS:
            message = f"the line is longer than {MAX_LINE_CHARS} characters"
            raise EngineError(
                [problem("line_too_long", message, None, number, source, limit=MAX_LINE_CHARS)]
            )
        start = end + 1
        number += 1


def _bad_character(text: str, exc: yaml.reader.ReaderError, source: str) -> Problem:
    line = text.count("\n", 0, exc.position) + 1
    shown = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
    message = f"the file contains a character that is not allowed in a text file ({shown})"
    return problem("yaml_character", message, None, line, source, character=shown)


class _NoAliasDumper(yaml.SafeDumper):
    # PyYAML writes an object met twice (one title dict on two nodes) as an anchor
    # and an alias, which `parse_framework` refuses: write it out each time.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_framework(data: Mapping[str, Any]) -> str:
    """A framework mapping as framework-file text (UTF-8 YAML, keys in file order, no aliases)."""
    return yaml.dump(
        dict(data), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100
    )


def framework_from_dict(data: Mapping[str, Any], source: str = "<framework>") -> Framework:
    """Check an already loaded framework document (no line numbers)."""
    if not isinstance(data, Mapping):
        message = "a framework must be a mapping"
        raise EngineError([problem("not_mapping", message, None, None, source, key="")])
    return _Checker(source, []).framework(data)


# ---------------------------------------------------------------------------
# The checks


def _line(container: object, key: Any = None) -> int | None:
    if isinstance(container, _LineDict):
        if key is not None and key in container.key_lines:
            return container.key_lines[key]
        return container.line
    if isinstance(container, _LineList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return None


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class _Checker:
    """Walks a loaded document once, collecting problems and building nodes."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        self.codes: dict[str, int | None] = {}  # code -> line where first defined
        self.node_codes: set[str] = set()
        self.element_codes: set[str] = set()
        # (where, formula text, line) to check once every code is known.
        self.formulas: list[tuple[str, Expr, int | None]] = []
        self.count = 0
        self.too_deep = False

    def add(
        self, code: str, message: str, where: str | None, line: int | None, /, **params: object
    ) -> None:
        self.problems.append(problem(code, message, where, line, self.source, **params))

    # -- small typed readers ---------------------------------------------

    def number(
        self, data: Mapping[str, Any], key: str, where: str, minimum: float | None = None
    ) -> float | None:
        value = data[key]
        if not _is_number(value):
            self.add(
                "wrong_type",
                f"{key} must be a number, not {_show(value)}",
                where,
                _line(data, key),
                key=key,
                expected="number",
                found=_show(value),
            )
            return None
        number = float(value)
        if minimum is not None and number < minimum:
            self.add(
                "out_of_range",
                f"{key} must be {minimum:g} or more, not {value}",
                where,
                _line(data, key),
                key=key,
                minimum=f"{minimum:g}",
                maximum="",
                found=value,
            )
            return None
        return number

    def fraction(self, data: Mapping[str, Any], key: str, where: str) -> float | None:
        number = self.number(data, key, where)
        if number is not None and not 0.0 <= number <= 1.0:
            self.add(
                "out_of_range",
                f"{key} must be between 0 and 1, not {number:g}",
                where,
                _line(data, key),
                key=key,
                minimum="0",
                maximum="1",
                found=f"{number:g}",
            )
            return None
        return number

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        choices: tuple[str, ...],
        where: str,
        default: str,
        shown: str | None = None,
    ) -> str | None:
        """The value of `key` (`default` when absent), or None and a problem when it is
        not one of `choices`; `shown` is how the key is named (``score.better``)."""
        value = data.get(key, default)
        if value in choices:
            return str(value)
        name = shown or key
        self.add(
            "bad_choice",
            f"{name} must be one of {', '.join(choices)}, not {_show(value)}",
            where,
            _line(data, key),
            key=name,
            choices=", ".join(choices),
            found=_show(value),
        )
        return None

    def boolean(self, data: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.add(
                "wrong_type",
                f"{key} must be true or false, not {_show(value)}",
                where,
                _line(data, key),
                key=key,
                expected="true or false",
                found=_show(value),
            )
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(
                "wrong_type",
                f"{key} must be a text, not {_show(value)}",
                where,
                _line(data, key),
                key=key,
                expected="text",
                found=_show(value),
            )
            return None
        return value

    def bounds(
        self, data: Mapping[str, Any], where: str
    ) -> tuple[float | None, float | None] | None:
        """The optional `min` and `max` of an input; None when one is wrong."""
        low = self.number(data, "min", where) if data.get("min") is not None else None
        high = self.number(data, "max", where) if data.get("max") is not None else None
        if (data.get("min") is not None and low is None) or (
            data.get("max") is not None and high is None
        ):
            return None
        if low is not None and high is not None and low > high:
            self.add(
                "bounds_order",
                f"min must not be more than max ({low:g} > {high:g})",
                where,
                _line(data, "max"),
                minimum=f"{low:g}",
                maximum=f"{high:g}",
            )
            return None
        return low, high

    def title(
        self, data: Mapping[str, Any], key: str, where: str, required: bool = True
    ) -> dict[str, str] | None:
        if key not in data:
            if required:
                self.add("missing_key", f"missing required key {key}", where, _line(data), key=key)
            return None
        value = data[key]
        line = _line(data, key)
        if isinstance(value, str) and key == "description":
            return {"vi": value}
        if not isinstance(value, Mapping):
            self.add(
                "not_mapping",
                f"{key} must be a mapping like {{vi: ..., en: ...}}",
                where,
                line,
                key=key,
            )
            return None
        result: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(text, str):
                self.add(
                    "wrong_type",
                    f"{key}.{lang} must be a text",
                    where,
                    _line(value, lang),
                    key=f"{key}.{lang}",
                    expected="text",
                    found=_show(text),
                )
                return None
            result[str(lang)] = text
        if not result.get("vi", "").strip():
            self.add("needs_vi", f"{key} needs a Vietnamese text (vi)", where, line, key=key)
            return None
        return result

    def code(
        self, data: Mapping[str, Any], pattern: re.Pattern[str], what: str, where: str
    ) -> str | None:
        if "code" not in data:
            self.add("missing_key", "missing required key code", where, _line(data), key="code")
            return None
        value = data["code"]
        line = _line(data, "code")
        # YAML reads an unquoted 12 as a number; a whole number is still a fine code.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(
                "wrong_type",
                f"code must be a text; write {_show(value)} in quotes",
                where,
                line,
                key="code",
                expected="text",
                found=_show(value),
            )
            return None
        if not pattern.fullmatch(value):
            self.add(
                "bad_code",
                f"code {value!r} is not a valid {what} code",
                value,
                line,
                code=value,
                kind=what,
            )
            return None
        if value in self.codes:
            first = self.codes[value]
            seen = f" (first on line {first})" if first is not None else ""
            self.add(
                "duplicate_code",
                f"duplicate code {value}{seen}",
                value,
                line,
                code=value,
                first_line=first,
            )
            return None
        self.codes[value] = line
        return value

    # -- the document ------------------------------------------------------

    def framework(self, data: Mapping[str, Any]) -> Framework:
        where = None
        for key in ("format", "code", "title", "level", "year", "tree"):
            if key not in data:
                self.add("missing_key", f"missing required key {key}", where, _line(data), key=key)
        fmt = data.get("format")
        if "format" in data and fmt != FORMAT:
            self.add(
                "wrong_format",
                f"format must be {FORMAT}, not {_show(fmt)}",
                "format",
                _line(data, "format"),
                expected=FORMAT,
                found=_show(fmt),
            )
            # Another format's keys mean other things: checking them would mislead.
            raise EngineError(self.problems)

        code = None
        if "code" in data:
            value = data["code"]
            if isinstance(value, str) and _FRAMEWORK_CODE.fullmatch(value):
                code = value
            else:
                self.add(
                    "bad_code",
                    f"framework code {_show(value)} must use only a-z, 0-9 and -",
                    "code",
                    _line(data, "code"),
                    code=_show(value),
                    kind="framework",
                )
        title = self.title(data, "title", "title", required=False) if "title" in data else None
        level = data.get("level")
        if "level" in data and level not in LEVELS:
            self.add(
                "bad_choice",
                f"level must be one of {', '.join(LEVELS)}, not {_show(level)}",
                "level",
                _line(data, "level"),
                key="level",
                choices=", ".join(LEVELS),
                found=_show(level),
            )
        year = data.get("year")
        if "year" in data and (not isinstance(year, int) or isinstance(year, bool)):
            self.add(
                "wrong_type",
                f"year must be a whole number, not {_show(year)}",
                "year",
                _line(data, "year"),
                key="year",
                expected="whole number",
                found=_show(year),
            )
        missing = self.choice(data, "missing", MISSING, "missing", "zero")
        recognition = self.recognition(data)
        elements = self.elements(data)
        tree = self.tree(data)
        self.check_formulas()
        validation = self.validation(data)

        if self.problems:
            # In file order (the sort is stable; problems without a line keep theirs).
            self.problems.sort(key=lambda problem: problem.line or 0)
            raise EngineError(self.problems)
        assert code is not None and title is not None and isinstance(year, int)
        extra = {str(key): value for key, value in data.items() if key not in _TOP_KEYS}
        return Framework(
            code=code,
            title=title,
            level=cast(Level, level),  # one of LEVELS: checked above
            year=year,
            missing="exclude" if missing == "exclude" else "zero",
            recognition=recognition,
            elements=tuple(elements),
            tree=tuple(tree),
            validation=tuple(validation),
            extra=extra,
        )

    def recognition(self, data: Mapping[str, Any]) -> Recognition | None:
        if data.get("recognition") is None:
            return None
        value = data["recognition"]
        where = "recognition"
        if not isinstance(value, Mapping):
            self.add(
                "not_mapping",
                "recognition must be a mapping",
                where,
                _line(data, "recognition"),
                key="recognition",
            )
            return None
        has_points, has_value = "min_points" in value, "min_value" in value
        if has_points == has_value:
            self.add(
                "one_of",
                "recognition needs exactly one of min_points and min_value",
                where,
                _line(data, "recognition"),
                keys="min_points, min_value",
            )
            return None
        all_mandatory = self.boolean(value, "all_mandatory", where)
        if has_points:
            min_points = self.number(value, "min_points", where, minimum=0)
            if min_points is None or all_mandatory is None:
                return None
            return Recognition(min_points=min_points, all_mandatory=all_mandatory)
        min_value = self.fraction(value, "min_value", where)
        if min_value is None or all_mandatory is None:
            return None
        return Recognition(min_value=min_value, all_mandatory=all_mandatory)

    def elements(self, data: Mapping[str, Any]) -> list[Element]:
        items = data.get("elements")
        if items is None:
            return []
        if not isinstance(items, list):
            self.add(
                "wrong_type",
                "elements must be a list",
                "elements",
                _line(data, "elements"),
                key="elements",
                expected="list",
                found=type(items).__name__,
            )
            return []
        result: list[Element] = []
        for index, item in enumerate(items):
            path = f"elements[{index}]"
            if not isinstance(item, Mapping):
                self.add(
                    "not_mapping",
                    "an element must be a mapping",
                    path,
                    _line(items, index),
                    key="elements",
                )
                continue
            code = self.code(item, _ELEMENT_CODE, "element (letters, digits, _)", path)
            where = code or path
            if code is not None:
                # Known from here on even if the rest is wrong: formulas naming it are fine.
                self.element_codes.add(code)
            title = self.title(item, "title", where)
            type_ = self.choice(item, "type", INPUT_TYPES, where, "number")
            if type_ is None:
                continue
            bounds = self.bounds(item, where)
            if code is not None and title is not None and bounds is not None:
                low, high = bounds
                result.append(
                    Element(
                        code=code,
                        title=title,
                        type=cast(InputType, type_),  # one of INPUT_TYPES: `choice` checked it
                        minimum=low,
                        maximum=high,
                    )
                )
        return result

    def tree(self, data: Mapping[str, Any]) -> list[Node]:
        if "tree" not in data:
            return []
        items = data["tree"]
        if not isinstance(items, list) or not items:
            self.add(
                "wrong_type",
                "tree must be a non-empty list of nodes",
                "tree",
                _line(data, "tree"),
                key="tree",
                expected="list",
                found=_show(items),
            )
            return []
        return self.children(items, "tree", None, 0)

    def children(
        self, items: Sequence[Any], path: str, parent: str | None, depth: int
    ) -> list[Node]:
        nodes: list[Node] = []
        for index, item in enumerate(items):
            node = self.node(item, f"{path}[{index}]", _line(items, index), parent, depth)
            if node is not None:
                nodes.append(node)
        return nodes

    def node(
        self, data: Any, path: str, line: int | None, parent: str | None, depth: int
    ) -> Node | None:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.add(
                    "too_many_nodes",
                    f"the tree has more than {MAX_NODES} nodes",
                    path,
                    line,
                    limit=MAX_NODES,
                )
            return None
        if depth >= MAX_TREE_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                message = f"the tree is nested more than {MAX_TREE_DEPTH} levels deep"
                self.add("too_deep", message, parent or path, line, limit=MAX_TREE_DEPTH)
            return None
        if not isinstance(data, Mapping):
            self.add(
                "not_mapping",
                "a node must be a mapping with code and title",
                path,
                line,
                key="tree",
            )
            return None
        problems_before = len(self.problems)
        code = self.code(data, _NODE_CODE, "node (letters, digits, . _ -)", path)
        where = code or path
        if code is not None:
            self.node_codes.add(code)
        title = self.title(data, "title", where)
        unit = data.get("unit")
        if unit is not None and not isinstance(unit, str):
            unit = str(unit)
        description = self.title(data, "description", where, required=False)
        extra = {str(key): value for key, value in data.items() if key not in _NODE_KEYS}

        if "children" in data:
            children = data["children"]
            if not isinstance(children, list) or not children:
                self.add(
                    "wrong_type",
                    "children must be a non-empty list (leave it out for an indicator)",
                    where,
                    _line(data, "children"),
                    key="children",
                    expected="non-empty list",
                    found=_show(children),
                )
                return None
            for key in ("points", "score", "formula", "min", "max", "may_not_apply"):
                if key in data:
                    self.add(
                        "branch_key",
                        f"{key} on a branch: only an indicator (a node without children) has {key}",
                        where,
                        _line(data, key),
                        key=key,
                    )
            kids = self.children(children, f"{path}.children", code, depth + 1)
            if len(self.problems) > problems_before or code is None or title is None:
                return None
            return Node(
                code=code,
                title=title,
                children=tuple(kids),
                max_points=float(sum(kid.max_points for kid in kids)),
                unit=unit,
                description=description,
                depth=depth,
                parent=parent,
                extra=extra,
            )
        return self.leaf(data, code, where, title, unit, description, extra, parent, depth)

    def leaf(
        self,
        data: Mapping[str, Any],
        code: str | None,
        where: str,
        title: dict[str, str] | None,
        unit: str | None,
        description: dict[str, str] | None,
        extra: dict[str, Any],
        parent: str | None,
        depth: int,
    ) -> Node | None:
        ok = code is not None and title is not None
        points = None
        if "points" not in data:
            self.add("missing_key", "an indicator needs points", where, _line(data), key="points")
            ok = False
        else:
            points = self.number(data, "points", where, minimum=0)
            ok = ok and points is not None
        score = None
        if "score" not in data:
            self.add("missing_key", "an indicator needs a score", where, _line(data), key="score")
            ok = False
        else:
            score = self.score(data, where)
            ok = ok and score is not None
        formula = None
        if data.get("formula") is not None:
            text = data["formula"]
            line = _line(data, "formula")
            if isinstance(text, int | float) and not isinstance(text, bool):
                text = str(text)
            if not isinstance(text, str):
                self.add(
                    "wrong_type",
                    "formula must be a text",
                    where,
                    line,
                    key="formula",
                    expected="text",
                    found=_show(text),
                )
                ok = False
            else:
                try:
                    self.formulas.append((where, parse_formula(text), line))
                    formula = text
                except FormulaError as exc:
                    self.add(
                        "formula_syntax",
                        f"formula {text!r}: {exc}",
                        where,
                        line,
                        key="formula",
                        text=text,
                        detail=exc,
                    )
                    ok = False
        mandatory = self.boolean(data, "mandatory", where)
        pass_ = self.fraction(data, "pass", where) if data.get("pass") is not None else None
        ok = ok and mandatory is not None and (pass_ is not None or data.get("pass") is None)
        effort = self.number(data, "effort", where, minimum=0) if "effort" in data else 1.0
        ok = ok and effort is not None
        may_not_apply = self.boolean(data, "may_not_apply", where)
        ok = ok and may_not_apply is not None
        type_ = data.get("type")
        if type_ is not None:
            type_ = self.choice(data, "type", INPUT_TYPES, where, "number")
            ok = ok and type_ is not None
        bounds = self.bounds(data, where)
        if bounds is not None and bounds != (None, None) and formula is not None:
            self.add(
                "formula_bounds",
                "min and max are for an entered value, not an indicator with a formula "
                "(put them on its elements)",
                where,
                _line(data, "min" if "min" in data else "max"),
                key="min" if "min" in data else "max",
            )
            ok = False
        if not ok or bounds is None:
            return None
        assert code is not None and title is not None and points is not None
        assert effort is not None
        return Node(
            minimum=bounds[0],
            maximum=bounds[1],
            code=code,
            title=title,
            points=points,
            max_points=points,
            unit=unit,
            mandatory=bool(mandatory),
            pass_=pass_,
            formula=formula,
            score=score,
            type=cast(InputType | None, type_),  # None or one of INPUT_TYPES
            description=description,
            depth=depth,
            parent=parent,
            effort=effort,
            may_not_apply=bool(may_not_apply),
            extra=extra,
        )

    def score(self, data: Mapping[str, Any], where: str) -> ScoreRule | None:
        value = data["score"]
        line = _line(data, "score")
        if not isinstance(value, Mapping):
            self.add(
                "not_mapping", "score must be a mapping with a method", where, line, key="score"
            )
            return None
        if "method" not in value:
            self.add("missing_key", "score needs a method", where, line, key="method")
            return None
        method = value["method"]
        if method not in METHODS:
            self.add(
                "bad_choice",
                f"unknown scoring method {_show(method)} (use one of {', '.join(METHODS)})",
                where,
                _line(value, "method"),
                key="method",
                choices=", ".join(METHODS),
                found=_show(method),
            )
            return None
        ok = True
        taken = METHOD_KEYS[method]
        for key in [key for key in value if key != "method" and key not in taken]:
            takes = f"it takes {', '.join(taken)}" if taken else "it takes no other key"
            self.add(
                "method_key",
                f"score.{key} does not apply to method {method} ({takes})",
                where,
                _line(value, key),
                key=f"score.{key}",
                method=method,
            )
            ok = False
        if method == "linear":
            return self.linear(value, where, line) if ok else None
        if method == "threshold":
            return self.threshold(value, where, line) if ok else None
        if method == "steps":
            return self.steps(value, where, line) if ok else None
        if method == "relative":
            better = self.choice(value, "better", BETTER, where, "higher", "score.better")
            if better is None or not ok:
                return None
            return ScoreRule(method="relative", better="lower" if better == "lower" else "higher")
        return ScoreRule(method=method) if ok else None

    def linear(self, value: Mapping[str, Any], where: str, line: int | None) -> ScoreRule | None:
        absent = [key for key in ("zero", "full") if key not in value]
        if absent:
            self.add(
                "missing_key",
                f"linear needs {' and '.join(absent)}",
                where,
                line,
                key=" and ".join(absent),
            )
            return None
        zero = self.number(value, "zero", where)
        full = self.number(value, "full", where)
        if zero is None or full is None:
            return None
        if zero == full:
            self.add(
                "flat_linear",
                f"linear needs zero != full (both are {zero:g})",
                where,
                _line(value, "full"),
                value=f"{zero:g}",
            )
            return None
        return ScoreRule(method="linear", zero=zero, full=full)

    def threshold(self, value: Mapping[str, Any], where: str, line: int | None) -> ScoreRule | None:
        given = [key for key in ("at_least", "at_most") if key in value]
        if len(given) != 1:
            self.add(
                "one_of",
                "threshold needs exactly one of at_least and at_most",
                where,
                line,
                keys="at_least, at_most",
            )
            return None
        bound = self.number(value, given[0], where)
        if bound is None:
            return None
        if given[0] == "at_least":
            return ScoreRule(method="threshold", at_least=bound)
        return ScoreRule(method="threshold", at_most=bound)

    def steps(self, value: Mapping[str, Any], where: str, line: int | None) -> ScoreRule | None:
        steps = value.get("steps")
        if not isinstance(steps, list) or not steps:
            self.add(
                "wrong_type",
                "steps needs a list like [[x1, s1], [x2, s2]]",
                where,
                line,
                key="steps",
                expected="list of pairs",
                found=_show(steps),
            )
            return None
        pairs: list[tuple[float, float]] = []
        ok = True
        for index, pair in enumerate(steps):
            pair_line = _line(steps, index)
            if not (isinstance(pair, list) and len(pair) == 2 and all(map(_is_number, pair))):
                self.add(
                    "wrong_type",
                    f"steps[{index}] must be a pair of numbers [x, s]",
                    where,
                    pair_line,
                    key=f"steps[{index}]",
                    expected="pair",
                    found=_show(pair),
                )
                ok = False
                continue
            x, s = float(pair[0]), float(pair[1])
            if not 0.0 <= s <= 1.0:
                self.add(
                    "out_of_range",
                    f"steps[{index}]: s must be between 0 and 1, not {s:g}",
                    where,
                    pair_line,
                    key=f"steps[{index}]",
                    minimum="0",
                    maximum="1",
                    found=f"{s:g}",
                )
                ok = False
            if pairs and x <= pairs[-1][0]:
                self.add(
                    "steps_order",
                    f"steps[{index}]: x must be ascending ({x:g} after {pairs[-1][0]:g})",
                    where,
                    pair_line,
                    index=index,
                    x=f"{x:g}",
                    previous=f"{pairs[-1][0]:g}",
                )
                ok = False
            pairs.append((x, s))
        return ScoreRule(method="steps", steps=tuple(pairs)) if ok else None

    def check_names(self, expr: Expr | Rule, what: str, where: str, line: int | None) -> bool:
        ok = True
        seen: set[str] = set()
        for name in names(expr):
            if name.code in seen or name.code in self.element_codes:
                continue
            seen.add(name.code)
            if name.code in self.node_codes:
                self.add(
                    "names_indicator",
                    f"{what} names indicator {name.code}; a {what} names elements only",
                    where,
                    line,
                    key=what,
                    name=name.code,
                )
            elif "." in name.code:
                self.add(
                    "unknown_element",
                    f"{what}: {name.code} is attribute access or an unknown code; "
                    "only element codes are allowed",
                    where,
                    line,
                    key=what,
                    name=name.code,
                )
            else:
                self.add(
                    "unknown_element",
                    f"{what} names unknown element {name.code}",
                    where,
                    line,
                    key=what,
                    name=name.code,
                )
            ok = False
        return ok

    def check_formulas(self) -> None:
        for where, expr, line in self.formulas:
            self.check_names(expr, "formula", where, line)

    def validation(self, data: Mapping[str, Any]) -> list[ValidationRule]:
        items = data.get("validation")
        if items is None:
            return []
        if not isinstance(items, list):
            self.add(
                "wrong_type",
                "validation must be a list of rules",
                "validation",
                _line(data, "validation"),
                key="validation",
                expected="list",
                found=_show(items),
            )
            return []
        rules: list[ValidationRule] = []
        for index, item in enumerate(items):
            where = f"validation[{index}]"
            if not isinstance(item, Mapping) or "rule" not in item:
                self.add(
                    "missing_key",
                    "a validation item needs a rule",
                    where,
                    _line(items, index),
                    key="rule",
                )
                continue
            text = self.text(item, "rule", where)
            message = self.title(item, "message", where, required=False)
            if text is None or ("message" in item and message is None):
                continue
            line = _line(item, "rule")
            try:
                parsed = parse_rule(text)
            except FormulaError as exc:
                self.add(
                    "formula_syntax",
                    f"rule {text!r}: {exc}",
                    where,
                    line,
                    key="rule",
                    text=text,
                    detail=exc,
                )
                continue
            if self.check_names(parsed, "rule", where, line):
                rules.append(ValidationRule(rule=text, message=message))
        return rules
