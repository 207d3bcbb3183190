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
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr

from chiso.engine.errors import EngineError, Problem
from chiso.engine.formula import Expr, FormulaError, Rule, names, parse_formula, parse_rule

FORMAT: Final = "chiso-framework/1"

InputType = Literal["integer", "number", "percent", "boolean"]
Method = Literal["linear", "threshold", "steps", "boolean", "relative"]
Level = Literal["province", "department", "district", "commune"]

INPUT_TYPES: Final[tuple[str, ...]] = get_args(InputType)
METHODS: Final[tuple[str, ...]] = get_args(Method)
LEVELS: Final[tuple[str, ...]] = get_args(Level)

# The keys each scoring method reads; a key of another method is a mistake.
METHOD_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "linear": ("zero", "full"),
    "threshold": ("at_least", "at_most"),
    "steps": ("steps",),
    "boolean": (),
    "relative": (),
}
_ALL_SCORE_KEYS: Final = frozenset(key for keys in METHOD_KEYS.values() for key in keys)

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
        "description",
        "effort",
    }
)
# A guard against YAML aliases that multiply a tree far beyond any real framework.
MAX_NODES: Final = 20_000
# Real trees are 2 to 5 levels deep; the limit keeps a hostile file from exhausting
# Python's recursion stack in the checks, the model and the walks over the tree.
MAX_TREE_DEPTH: Final = 32


# ---------------------------------------------------------------------------
# The model


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScoreRule(_Frozen):
    """How an indicator's value becomes its score s in [0, 1]."""

    method: Method
    zero: float | None = None
    full: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    steps: tuple[tuple[float, float], ...] = ()


class Recognition(_Frozen):
    """Who is "completed": enough points (or value) and, optionally, every mandatory met."""

    min_points: float | None = None
    min_value: float | None = None
    all_mandatory: bool = False


class Element(_Frozen):
    """A raw input that formulas use (it is never scored by itself)."""

    code: str
    title: dict[str, str]
    type: InputType = "number"


class ValidationRule(_Frozen):
    """A check on the entered values of one unit, such as ``hs_tt <= hs_tong``."""

    rule: str
    message: dict[str, str] | None = None
    _parsed: Rule | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        self._parsed = parse_rule(self.rule)

    @property
    def parsed(self) -> Rule:
        assert self._parsed is not None
        return self._parsed

    @property
    def codes(self) -> tuple[str, ...]:
        """The element and indicator codes the rule compares, in the order written."""
        return tuple(dict.fromkeys(name.code for name in names(self.parsed)))


class Node(_Frozen):
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
    description: dict[str, str] | None = None
    depth: int = 0
    parent: str | None = None
    effort: float = 1.0
    """How hard raising the indicator to full score is judged (the gap planner's cost)."""
    extra: dict[str, Any] = {}

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


class Framework(_Frozen):
    """One year's validated criteria set; build it with `parse_framework`."""

    code: str
    title: dict[str, str]
    level: Level
    year: int
    missing: Literal["zero"] = "zero"
    recognition: Recognition | None = None
    elements: tuple[Element, ...] = ()
    tree: tuple[Node, ...]
    validation: tuple[ValidationRule, ...] = ()
    extra: dict[str, Any] = {}

    _nodes: tuple[Node, ...] = PrivateAttr(default=())
    _by_code: dict[str, Node] = PrivateAttr(default_factory=dict)
    _input_types: dict[str, InputType] = PrivateAttr(default_factory=dict)
    _formulas: dict[str, Expr] = PrivateAttr(default_factory=dict)
    # Derived data other engine modules keep with the framework (the scoring plan).
    _memo: dict[str, object] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._nodes = tuple(node for root in self.tree for node in root.walk())
        self._by_code = {node.code: node for node in self._nodes}
        types: dict[str, InputType] = {element.code: element.type for element in self.elements}
        for node in self._nodes:
            if node.is_leaf and node.formula is None:
                types[node.code] = node.input_type
        self._input_types = types
        self._formulas = {
            node.code: parse_formula(node.formula)
            for node in self._nodes
            if node.is_leaf and node.formula is not None
        }

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


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and noticing duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[Problem] = []


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
            loader.problems.append(Problem("a key must be a plain word", None, line))
            continue
        if key in data:
            where = str(key)
            loader.problems.append(Problem(f"key {key} appears twice", where, line))
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


def parse_framework(text: str, source: str = "<framework>") -> Framework:
    """Parse and check a framework from YAML text; raise `EngineError` with every problem."""
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise EngineError([Problem(f"broken YAML: {detail}", None, line, source)]) from None
    except yaml.YAMLError as exc:
        raise EngineError([Problem(f"broken YAML: {exc}", None, None, source)]) from None
    except RecursionError:
        # PyYAML builds nested blocks recursively: a few hundred levels exhaust the stack.
        raise EngineError([Problem("the file is nested too deeply", None, None, source)]) from None
    finally:
        loader.dispose()
    early = [problem._replace(source=source) for problem in loader.problems]
    if data is None:
        raise EngineError([*early, Problem("the file is empty", None, 1, source)])
    if not isinstance(data, Mapping):
        line = getattr(data, "line", 1)
        raise EngineError([*early, Problem("the file must be a YAML mapping", None, line, source)])
    return _Checker(source, early).framework(data)


def framework_from_dict(data: Mapping[str, Any], source: str = "<framework>") -> Framework:
    """Check an already loaded framework document (no line numbers)."""
    if not isinstance(data, Mapping):
        raise EngineError([Problem("a framework must be a mapping", None, None, source)])
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

    def add(self, message: str, where: str | None, line: int | None) -> None:
        self.problems.append(Problem(message, where, line, self.source))

    # -- small typed readers ---------------------------------------------

    def number(
        self, data: Mapping[str, Any], key: str, where: str, minimum: float | None = None
    ) -> float | None:
        value = data[key]
        if not _is_number(value):
            self.add(f"{key} must be a number, not {_show(value)}", where, _line(data, key))
            return None
        number = float(value)
        if minimum is not None and number < minimum:
            self.add(f"{key} must be {minimum:g} or more, not {value}", where, _line(data, key))
            return None
        return number

    def fraction(self, data: Mapping[str, Any], key: str, where: str) -> float | None:
        number = self.number(data, key, where)
        if number is not None and not 0.0 <= number <= 1.0:
            self.add(f"{key} must be between 0 and 1, not {number:g}", where, _line(data, key))
            return None
        return number

    def boolean(self, data: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.add(f"{key} must be true or false, not {_show(value)}", where, _line(data, key))
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add(f"{key} must be a text, not {_show(value)}", where, _line(data, key))
            return None
        return value

    def title(
        self, data: Mapping[str, Any], key: str, where: str, required: bool = True
    ) -> dict[str, str] | None:
        if key not in data:
            if required:
                self.add(f"missing required key {key}", where, _line(data))
            return None
        value = data[key]
        line = _line(data, key)
        if isinstance(value, str) and key == "description":
            return {"vi": value}
        if not isinstance(value, Mapping):
            self.add(f"{key} must be a mapping like {{vi: ..., en: ...}}", where, line)
            return None
        result: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(text, str):
                self.add(f"{key}.{lang} must be a text", where, _line(value, lang))
                return None
            result[str(lang)] = text
        if not result.get("vi", "").strip():
            self.add(f"{key} needs a Vietnamese text (vi)", where, line)
            return None
        return result

    def code(
        self, data: Mapping[str, Any], pattern: re.Pattern[str], what: str, where: str
    ) -> str | None:
        if "code" not in data:
            self.add("missing required key code", where, _line(data))
            return None
        value = data["code"]
        line = _line(data, "code")
        # YAML reads an unquoted 12 as a number; a whole number is still a fine code.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(f"code must be a text; write {_show(value)} in quotes", where, line)
            return None
        if not pattern.fullmatch(value):
            self.add(f"code {value!r} is not a valid {what} code", value, line)
            return None
        if value in self.codes:
            first = self.codes[value]
            seen = f" (first on line {first})" if first is not None else ""
            self.add(f"duplicate code {value}{seen}", value, line)
            return None
        self.codes[value] = line
        return value

    # -- the document ------------------------------------------------------

    def framework(self, data: Mapping[str, Any]) -> Framework:
        where = None
        for key in ("format", "code", "title", "level", "year", "tree"):
            if key not in data:
                self.add(f"missing required key {key}", where, _line(data))
        fmt = data.get("format")
        if "format" in data and fmt != FORMAT:
            self.add(f"format must be {FORMAT}, not {_show(fmt)}", "format", _line(data, "format"))
            # Another format's keys mean other things: checking them would mislead.
            raise EngineError(self.problems)

        code = None
        if "code" in data:
            value = data["code"]
            if isinstance(value, str) and _FRAMEWORK_CODE.fullmatch(value):
                code = value
            else:
                self.add(
                    f"framework code {_show(value)} must use only a-z, 0-9 and -",
                    "code",
                    _line(data, "code"),
                )
        title = self.title(data, "title", "title", required=False) if "title" in data else None
        level = data.get("level")
        if "level" in data and level not in LEVELS:
            self.add(
                f"level must be one of {', '.join(LEVELS)}, not {_show(level)}",
                "level",
                _line(data, "level"),
            )
        year = data.get("year")
        if "year" in data and (not isinstance(year, int) or isinstance(year, bool)):
            self.add(f"year must be a whole number, not {_show(year)}", "year", _line(data, "year"))
        missing = data.get("missing", "zero")
        if missing != "zero":
            self.add(
                f"missing must be zero (the only policy in {FORMAT}), not {_show(missing)}",
                "missing",
                _line(data, "missing"),
            )
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
            level=level,
            year=year,
            missing="zero",
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
            self.add("recognition must be a mapping", where, _line(data, "recognition"))
            return None
        has_points, has_value = "min_points" in value, "min_value" in value
        if has_points == has_value:
            self.add(
                "recognition needs exactly one of min_points and min_value",
                where,
                _line(data, "recognition"),
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
            self.add("elements must be a list", "elements", _line(data, "elements"))
            return []
        result: list[Element] = []
        for index, item in enumerate(items):
            path = f"elements[{index}]"
            if not isinstance(item, Mapping):
                self.add("an element must be a mapping", path, _line(items, index))
                continue
            code = self.code(item, _ELEMENT_CODE, "element (letters, digits, _)", path)
            where = code or path
            if code is not None:
                # Known from here on even if the rest is wrong: formulas naming it are fine.
                self.element_codes.add(code)
            title = self.title(item, "title", where)
            type_ = item.get("type", "number")
            if type_ not in INPUT_TYPES:
                self.add(
                    f"type must be one of {', '.join(INPUT_TYPES)}, not {_show(type_)}",
                    where,
                    _line(item, "type"),
                )
                continue
            if code is not None and title is not None:
                result.append(Element(code=code, title=title, type=type_))
        return result

    def tree(self, data: Mapping[str, Any]) -> list[Node]:
        if "tree" not in data:
            return []
        items = data["tree"]
        if not isinstance(items, list) or not items:
            self.add("tree must be a non-empty list of nodes", "tree", _line(data, "tree"))
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
                self.add(f"the tree has more than {MAX_NODES} nodes", path, line)
            return None
        if depth >= MAX_TREE_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                message = f"the tree is nested more than {MAX_TREE_DEPTH} levels deep"
                self.add(message, parent or path, line)
            return None
        if not isinstance(data, Mapping):
            self.add("a node must be a mapping with code and title", path, line)
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
                    "children must be a non-empty list (leave it out for an indicator)",
                    where,
                    _line(data, "children"),
                )
                return None
            for key in ("points", "score", "formula"):
                if key in data:
                    self.add(
                        f"{key} on a branch: only an indicator (a node without children) has {key}",
                        where,
                        _line(data, key),
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
            self.add("an indicator needs points", where, _line(data))
            ok = False
        else:
            points = self.number(data, "points", where, minimum=0)
            ok = ok and points is not None
        score = None
        if "score" not in data:
            self.add("an indicator needs a score", where, _line(data))
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
                self.add("formula must be a text", where, line)
                ok = False
            else:
                try:
                    self.formulas.append((where, parse_formula(text), line))
                    formula = text
                except FormulaError as exc:
                    self.add(f"formula {text!r}: {exc}", where, line)
                    ok = False
        mandatory = self.boolean(data, "mandatory", where)
        pass_ = self.fraction(data, "pass", where) if data.get("pass") is not None else None
        ok = ok and mandatory is not None and (pass_ is not None or data.get("pass") is None)
        effort = self.number(data, "effort", where, minimum=0) if "effort" in data else 1.0
        ok = ok and effort is not None
        type_ = data.get("type")
        if type_ is not None and type_ not in INPUT_TYPES:
            self.add(
                f"type must be one of {', '.join(INPUT_TYPES)}, not {_show(type_)}",
                where,
                _line(data, "type"),
            )
            ok = False
        if not ok:
            return None
        assert code is not None and title is not None and points is not None
        return Node(
            code=code,
            title=title,
            points=points,
            max_points=points,
            unit=unit,
            mandatory=bool(mandatory),
            pass_=pass_,
            formula=formula,
            score=score,
            type=type_,
            description=description,
            depth=depth,
            parent=parent,
            effort=effort,
            extra=extra,
        )

    def score(self, data: Mapping[str, Any], where: str) -> ScoreRule | None:
        value = data["score"]
        line = _line(data, "score")
        if not isinstance(value, Mapping):
            self.add("score must be a mapping with a method", where, line)
            return None
        if "method" not in value:
            self.add("score needs a method", where, line)
            return None
        method = value["method"]
        if method not in METHODS:
            self.add(
                f"unknown scoring method {_show(method)} (use one of {', '.join(METHODS)})",
                where,
                _line(value, "method"),
            )
            return None
        ok = True
        for key in sorted(_ALL_SCORE_KEYS & set(value) - set(METHOD_KEYS[method])):
            self.add(f"score.{key} does not apply to method {method}", where, _line(value, key))
            ok = False
        if method == "linear":
            return self.linear(value, where, line) if ok else None
        if method == "threshold":
            return self.threshold(value, where, line) if ok else None
        if method == "steps":
            return self.steps(value, where, line) if ok else None
        return ScoreRule(method=method) if ok else None

    def linear(self, value: Mapping[str, Any], where: str, line: int | None) -> ScoreRule | None:
        absent = [key for key in ("zero", "full") if key not in value]
        if absent:
            self.add(f"linear needs {' and '.join(absent)}", where, line)
            return None
        zero = self.number(value, "zero", where)
        full = self.number(value, "full", where)
        if zero is None or full is None:
            return None
        if zero == full:
            self.add(f"linear needs zero != full (both are {zero:g})", where, _line(value, "full"))
            return None
        return ScoreRule(method="linear", zero=zero, full=full)

    def threshold(self, value: Mapping[str, Any], where: str, line: int | None) -> ScoreRule | None:
        given = [key for key in ("at_least", "at_most") if key in value]
        if len(given) != 1:
            self.add("threshold needs exactly one of at_least and at_most", where, line)
            return None
        bound = self.number(value, given[0], where)
        if bound is None:
            return None
        return ScoreRule(method="threshold", **{given[0]: bound})

    def steps(self, value: Mapping[str, Any], where: str, line: int | None) -> ScoreRule | None:
        steps = value.get("steps")
        if not isinstance(steps, list) or not steps:
            self.add("steps needs a list like [[x1, s1], [x2, s2]]", where, line)
            return None
        pairs: list[tuple[float, float]] = []
        ok = True
        for index, pair in enumerate(steps):
            pair_line = _line(steps, index)
            if not (isinstance(pair, list) and len(pair) == 2 and all(map(_is_number, pair))):
                self.add(f"steps[{index}] must be a pair of numbers [x, s]", where, pair_line)
                ok = False
                continue
            x, s = float(pair[0]), float(pair[1])
            if not 0.0 <= s <= 1.0:
                self.add(f"steps[{index}]: s must be between 0 and 1, not {s:g}", where, pair_line)
                ok = False
            if pairs and x <= pairs[-1][0]:
                self.add(
                    f"steps[{index}]: x must be ascending ({x:g} after {pairs[-1][0]:g})",
                    where,
                    pair_line,
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
                    f"{what} names indicator {name.code}; a {what} names elements only",
                    where,
                    line,
                )
            elif "." in name.code:
                self.add(
                    f"{what}: {name.code} is attribute access or an unknown code; "
                    "only element codes are allowed",
                    where,
                    line,
                )
            else:
                self.add(f"{what} names unknown element {name.code}", where, line)
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
            self.add("validation must be a list of rules", "validation", _line(data, "validation"))
            return []
        rules: list[ValidationRule] = []
        for index, item in enumerate(items):
            where = f"validation[{index}]"
            if not isinstance(item, Mapping) or "rule" not in item:
                self.add("a validation item needs a rule", where, _line(items, index))
                continue
            text = self.text(item, "rule", where)
            message = self.title(item, "message", where, required=False)
            if text is None or ("message" in item and message is None):
                continue
            line = _line(item, "rule")
            try:
                parsed = parse_rule(text)
            except FormulaError as exc:
                self.add(f"rule {text!r}: {exc}", where, line)
                continue
            if self.check_names(parsed, "rule", where, line):
                rules.append(ValidationRule(rule=text, message=message))
        return rules
