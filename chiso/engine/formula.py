"""The small expression language of formulas and validation rules.

Formulas come from framework files that officials edit, so they are never handed
to Python: this module has its own tokenizer and recursive-descent parser that
understand numbers, element codes, ``+ - * /``, unary minus, parentheses and
``min(...)`` / ``max(...)``, and nothing else. The parsed tree is evaluated over
whole numpy columns at once (one column per element, one row per unit).

Grammar::

    rule    := expr CMP expr
    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | NAME | ("min" | "max") "(" expr ("," expr)* ")" | "(" expr ")"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

Column = npt.NDArray[np.float64]

COMPARISONS: Final = ("<=", "<", ">=", ">", "==", "!=")
FUNCTIONS: Final = ("min", "max")

# Deeper nesting or longer formulas than these are never written by hand; the
# limits keep a hostile "((((...))))" or "a+a+...+a" from exhausting Python's
# recursion stack in the parser or in the functions that walk the tree.
MAX_DEPTH: Final = 64
MAX_TOKENS: Final = 400
# Comparisons in rules treat numbers this close (relative to their size) as equal,
# so that "a + b == 100" holds for 33.3 + 66.7.
RULE_TOLERANCE: Final = 1e-9


class FormulaError(ValueError):
    """A formula or rule that cannot be parsed; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (column {column})")
        self.column = column


# ---------------------------------------------------------------------------
# Tokens

TokenKind = Literal["number", "name", "op", "cmp", "end", "bad"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    column: int  # 1-based


# Order matters: the longest operators first. Everything the language does not
# know still becomes a token (kind "bad"), so that the parser can say what it is
# and where, instead of the tokenizer stopping at an unhelpful character.
_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
  | (?P<cmp><=|>=|==|!=|<|>)
  | (?P<power>\*\*)
  | (?P<op>[-+*/(),])
  | (?P<string>"[^"]*"?|'[^']*'?)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; unknown characters become "bad" tokens."""
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        group = match.lastgroup
        column = match.start() + 1
        if group == "space":
            continue
        if group in ("number", "name", "cmp", "op"):
            kind: TokenKind = group  # type: ignore[assignment]
            tokens.append(Token(kind, match.group(), column))
        else:
            tokens.append(Token("bad", match.group(), column))
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _describe_bad(token: Token) -> str:
    text = token.text
    if text == "**":
        return "the power operator ** is not allowed"
    if text[0] in "'\"":
        return f"text in quotes ({text}) is not allowed"
    return f"the character {text!r} is not allowed"


# ---------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Name:
    code: str
    column: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Expr


@dataclass(frozen=True, slots=True)
class BinOp:
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Call:
    function: Literal["min", "max"]
    args: tuple[Expr, ...]


Expr = Number | Name | Negate | BinOp | Call


@dataclass(frozen=True, slots=True)
class Rule:
    """A parsed validation rule ``left OP right``."""

    left: Expr
    op: str
    right: Expr


# ---------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        if len(self.tokens) > MAX_TOKENS:
            raise FormulaError(f"the expression is too long (over {MAX_TOKENS} parts)", 1)

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, token: Token, message: str | None = None) -> FormulaError:
        if message is not None:
            return FormulaError(message, token.column)
        if token.kind == "bad":
            return FormulaError(_describe_bad(token), token.column)
        if token.kind == "end":
            return FormulaError("the expression ends too early", token.column)
        return FormulaError(f"unexpected {token.text!r}", token.column)

    def expect(self, text: str) -> None:
        token = self.current
        if token.text != text or token.kind not in ("op", "cmp"):
            raise self.fail(token, None if token.kind in ("bad", "end") else f"expected {text!r}")
        self.advance()

    def expression(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(self.current, "the expression is nested too deeply")
        node = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.advance().text
            node = BinOp(op, node, self.term())  # type: ignore[arg-type]
        self.depth -= 1
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.current.kind == "op" and self.current.text in "*/":
            op = self.advance().text
            node = BinOp(op, node, self.unary())  # type: ignore[arg-type]
        return node

    def unary(self) -> Expr:
        if self.current.kind == "op" and self.current.text == "-":
            self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(self.current, "the expression is nested too deeply")
            operand = self.unary()
            self.depth -= 1
            return Negate(operand)
        return self.primary()

    def primary(self) -> Expr:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Number(float(token.text))
        if token.kind == "name":
            self.advance()
            if self.current.kind == "op" and self.current.text == "(":
                return self.call(token)
            # A dotted name ("CQS.1", "os.path") is kept whole: the framework check
            # then says whether it is an indicator code or attribute access.
            return Name(token.text, token.column)
        if token.kind == "op" and token.text == "(":
            self.advance()
            node = self.expression()
            self.expect(")")
            return node
        raise self.fail(token)

    def call(self, name: Token) -> Call:
        if name.text not in FUNCTIONS:
            raise self.fail(
                name, f"the function {name.text}() is not allowed; only min() and max()"
            )
        self.expect("(")
        args = [self.expression()]
        while self.current.kind == "op" and self.current.text == ",":
            self.advance()
            args.append(self.expression())
        self.expect(")")
        return Call(name.text, tuple(args))  # type: ignore[arg-type]

    def finish(self) -> None:
        token = self.current
        if token.kind == "cmp":
            raise self.fail(token, f"a comparison ({token.text}) is only allowed in a rule")
        if token.kind != "end":
            raise self.fail(token)


def parse_formula(text: str) -> Expr:
    """Parse a formula; raise `FormulaError` naming what is wrong and where."""
    parser = _Parser(text)
    node = parser.expression()
    parser.finish()
    return node


def parse_rule(text: str) -> Rule:
    """Parse a validation rule ``EXPR OP EXPR`` with exactly one comparison."""
    parser = _Parser(text)
    left = parser.expression()
    token = parser.current
    if token.kind != "cmp":
        if token.kind == "end":
            raise parser.fail(token, "a rule needs a comparison: one of " + " ".join(COMPARISONS))
        raise parser.fail(token)
    parser.advance()
    right = parser.expression()
    if parser.current.kind == "cmp":
        raise parser.fail(parser.current, "a rule has exactly one comparison")
    if parser.current.kind != "end":
        raise parser.fail(parser.current)
    return Rule(left, token.text, right)


def names(node: Expr | Rule) -> list[Name]:
    """Every name the expression refers to, in the order written."""
    if isinstance(node, Rule):
        return names(node.left) + names(node.right)
    if isinstance(node, Name):
        return [node]
    if isinstance(node, Negate):
        return names(node.operand)
    if isinstance(node, BinOp):
        return names(node.left) + names(node.right)
    if isinstance(node, Call):
        return [name for arg in node.args for name in names(arg)]
    return []


def to_text(node: Expr) -> str:
    """Write an expression back in the formula language, fully parenthesised."""
    if isinstance(node, Number):
        return format(node.value, "g")
    if isinstance(node, Name):
        return node.code
    if isinstance(node, Negate):
        return f"-{to_text(node.operand)}"
    if isinstance(node, BinOp):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    return f"{node.function}({', '.join(to_text(arg) for arg in node.args)})"


# ---------------------------------------------------------------------------
# Vectorised evaluation


def evaluate(
    node: Expr, columns: Mapping[str, Column], size: int, out: Column | None = None
) -> Column:
    """Evaluate over columns of `size` units; missing inputs and x / 0 give NaN.

    Every name must be in `columns` (the framework check guarantees it). With
    `out` (a row of a larger array) the result is written there.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = _evaluate(node, columns)
    if out is None:
        out = np.broadcast_to(np.asarray(result, dtype=np.float64), (size,)).copy()
    else:
        out[...] = result
    # Overflow to +-inf is as meaningless as a division by zero: missing.
    out[~np.isfinite(out)] = np.nan
    return out


def _evaluate(node: Expr, columns: Mapping[str, Column]) -> Column | float:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return columns[node.code]
    if isinstance(node, Negate):
        return np.negative(_evaluate(node.operand, columns))
    if isinstance(node, BinOp):
        left = _evaluate(node.left, columns)
        right = _evaluate(node.right, columns)
        if node.op == "+":
            return np.add(left, right)
        if node.op == "-":
            return np.subtract(left, right)
        if node.op == "*":
            return np.multiply(left, right)
        quotient = np.divide(left, right)
        return np.where(np.equal(right, 0.0), np.nan, quotient)
    args = [_evaluate(arg, columns) for arg in node.args]
    # np.minimum / np.maximum propagate NaN: one missing argument, missing result.
    combine = np.minimum if node.function == "min" else np.maximum
    result = args[0]
    for arg in args[1:]:
        result = combine(result, arg)
    return result


def rule_broken(rule: Rule, columns: Mapping[str, Column], size: int) -> npt.NDArray[np.bool_]:
    """Units whose values break `rule`; a side that is missing is not checked."""
    left = evaluate(rule.left, columns, size)
    right = evaluate(rule.right, columns, size)
    checked = ~np.isnan(left) & ~np.isnan(right)
    tolerance = RULE_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(left), np.abs(right)))
    tolerance = np.where(checked, tolerance, 0.0)
    with np.errstate(invalid="ignore"):
        if rule.op == "<=":
            holds = left <= right + tolerance
        elif rule.op == "<":
            holds = left < right - tolerance
        elif rule.op == ">=":
            holds = left >= right - tolerance
        elif rule.op == ">":
            holds = left > right + tolerance
        elif rule.op == "==":
            holds = np.abs(left - right) <= tolerance
        else:
            holds = np.abs(left - right) > tolerance
    result: npt.NDArray[np.bool_] = checked & ~holds
    return result


def to_json(node: Expr) -> object:
    """A parsed expression as plain JSON data (numbers, {"name"}, {"op", "args"}).

    This is how a formula travels to a page that checks rules as the officer types:
    the browser walks this tree; it never receives text to evaluate.
    """
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return {"name": node.code}
    if isinstance(node, Negate):
        return {"op": "neg", "args": [to_json(node.operand)]}
    if isinstance(node, BinOp):
        return {"op": node.op, "args": [to_json(node.left), to_json(node.right)]}
    return {"op": node.function, "args": [to_json(arg) for arg in node.args]}


def as_share(node: Expr) -> tuple[str, str, float] | None:
    """(numerator, denominator, factor) of a formula ``a / b`` or ``k * a / b``, else None.

    Such an indicator is a share of a total (100 * hs_tt / hs_tong is a percentage),
    so a rule ``a <= b`` keeps it at or below k; demo data fills both from one total.
    """
    if not (isinstance(node, BinOp) and node.op == "/" and isinstance(node.right, Name)):
        return None
    top = node.left
    if isinstance(top, Name):
        return top.code, node.right.code, 1.0
    if (
        isinstance(top, BinOp)
        and top.op == "*"
        and isinstance(top.left, Number)
        and isinstance(top.right, Name)
    ):
        return top.right.code, node.right.code, top.left.value
    return None


# ---------------------------------------------------------------------------
# Many formulas at once


@dataclass(frozen=True, slots=True)
class _Constant:
    value: float | npt.NDArray[np.float64]
    """One number, or a column (one per formula) when the formulas differ."""


@dataclass(frozen=True, slots=True)
class _Load:
    positions: npt.NDArray[np.intp]
    """The row of the inputs each formula reads here."""


@dataclass(frozen=True, slots=True)
class _Negative:
    operand: _Compiled


@dataclass(frozen=True, slots=True)
class _Binary:
    op: Literal["+", "-", "*", "/"]
    left: _Compiled
    right: _Compiled
    guard: bool
    """A division whose x / 0 must be NaN right away (see `FormulaGroup`)."""


@dataclass(frozen=True, slots=True)
class _Function:
    function: Literal["min", "max"]
    args: tuple[_Compiled, ...]


_Compiled = _Constant | _Load | _Negative | _Binary | _Function
_Operand = npt.NDArray[np.float64] | float

_UFUNCS: Final = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def _shape(node: Expr) -> tuple[object, ...]:
    """The tree of `node` with its numbers and names left out."""
    if isinstance(node, Number):
        return ("number",)
    if isinstance(node, Name):
        return ("name",)
    if isinstance(node, Negate):
        return ("-", _shape(node.operand))
    if isinstance(node, BinOp):
        return (node.op, _shape(node.left), _shape(node.right))
    return (node.function, *(_shape(arg) for arg in node.args))


@dataclass(frozen=True)
class FormulaGroup:
    """Formulas of one shape (the same tree, other numbers and names), evaluated
    together over a formulas x units array: each operation of the tree is one
    numpy call for all of them.

    The numbers are the same as `evaluate` gives each formula alone. One call is
    saved for most divisions: `evaluate` turns x / 0 into NaN at once, but a
    +-inf that only passes through + - * or the left of a division stays +-inf
    or becomes NaN, and is made NaN with every other non-finite result at the
    end. Only a division below min()/max() or right of another division (where
    an infinity could turn finite again) is guarded at once.
    """

    tree: _Compiled
    size: int
    """How many formulas."""

    def evaluate(self, inputs: npt.NDArray[np.float64], out: npt.NDArray[np.float64]) -> None:
        """Write the formulas' values (rows of `out`) over `inputs` (codes x units).

        An infinite result is left for the caller to make NaN (`finish`). Call
        it within np.errstate(divide="ignore", invalid="ignore", over="ignore").
        """
        result = _run(self.tree, inputs, (self.size, inputs.shape[1]), out)
        if result is not out:
            np.copyto(out, result)


def group_formulas(
    formulas: list[Expr], positions: Mapping[str, int]
) -> list[tuple[list[int], FormulaGroup]]:
    """Formulas grouped by shape: (their indices in `formulas`, the group).

    `positions` gives the row of the inputs that each name reads.
    """
    by_shape: dict[tuple[object, ...], list[int]] = {}
    for index, expr in enumerate(formulas):
        by_shape.setdefault(_shape(expr), []).append(index)
    groups = []
    for members in by_shape.values():
        tree = _compile([formulas[index] for index in members], positions, False)
        groups.append((members, FormulaGroup(tree, len(members))))
    return groups


def finish(values: npt.NDArray[np.float64]) -> None:
    """Overflow to +-inf (and an unguarded x / 0) is as meaningless as x / 0: missing."""
    np.copyto(values, np.nan, where=np.isinf(values))


def _compile(nodes: list[Expr], positions: Mapping[str, int], guard: bool) -> _Compiled:
    # `guard`: an infinity here could become a finite number further up.
    first = nodes[0]
    if isinstance(first, Number):
        numbers = [node.value for node in nodes if isinstance(node, Number)]
        if all(number == numbers[0] for number in numbers):
            return _Constant(numbers[0])
        return _Constant(np.array(numbers, dtype=np.float64)[:, np.newaxis])
    if isinstance(first, Name):
        rows = [positions[node.code] for node in nodes if isinstance(node, Name)]
        return _Load(np.array(rows, dtype=np.intp))
    if isinstance(first, Negate):
        operands = [node.operand for node in nodes if isinstance(node, Negate)]
        return _Negative(_compile(operands, positions, guard))
    if isinstance(first, BinOp):
        pairs = [node for node in nodes if isinstance(node, BinOp)]
        left = _compile([node.left for node in pairs], positions, guard)
        right = _compile([node.right for node in pairs], positions, guard or first.op == "/")
        return _Binary(first.op, left, right, guard and first.op == "/")
    calls = [node for node in nodes if isinstance(node, Call)]
    columns = zip(*(call.args for call in calls), strict=True)
    return _Function(
        calls[0].function, tuple(_compile(list(args), positions, True) for args in columns)
    )


def _run(
    node: _Compiled,
    inputs: npt.NDArray[np.float64],
    shape: tuple[int, int],
    out: npt.NDArray[np.float64] | None = None,
) -> _Operand:
    """The value of `node` over formulas x units (`shape`), written into `out` when
    given; an operation writes over an operand that is a temporary of this run
    where it can, so that each allocates at most once."""
    if isinstance(node, _Constant):
        return node.value
    if isinstance(node, _Load):
        return np.take(inputs, node.positions, axis=0)
    if isinstance(node, _Negative):
        operand = _run(node.operand, inputs, shape)
        return np.negative(operand, out=_target(out, shape, operand))
    if isinstance(node, _Binary):
        left = _run(node.left, inputs, shape)
        right = _run(node.right, inputs, shape)
        zero = np.equal(right, 0.0) if node.guard else None
        result = _UFUNCS[node.op](left, right, out=_target(out, shape, left, right))
        if zero is None:
            return result
        if isinstance(result, np.ndarray) and result.ndim > 0:
            np.copyto(result, np.nan, where=zero)
            return result
        return float(np.where(zero, np.nan, result))
    combine = np.minimum if node.function == "min" else np.maximum
    result = _run(node.args[0], inputs, shape)
    for arg in node.args[1:]:
        other = _run(arg, inputs, shape)
        result = combine(result, other, out=_target(out, shape, result, other))
    return result


def _target(
    out: npt.NDArray[np.float64] | None, shape: tuple[int, int], *operands: _Operand
) -> npt.NDArray[np.float64] | None:
    """Where an operation writes: `out`, else an operand that is a full-size
    temporary of this run (no view of anything), else a new array."""
    if out is not None:
        return out
    for operand in operands:
        if isinstance(operand, np.ndarray) and operand.shape == shape and operand.base is None:
            return operand
    return None
