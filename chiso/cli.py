"""The `chiso` command.

`chiso score` and `chiso framework check` run on the pure engine alone, so an
analyst can recompute a published ranking from the published files without a
database or a web server. Every other sub-command (`chiso serve`, `chiso units
list`, `chiso migrate`, ...) is a Django management command; Django is imported
only on that path.

This module is the boundary where `EngineError` becomes user messages: one line
per problem on standard error, as ``FILE:LINE: CODE: message``, exit status 2,
and no results file.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import math
import os
import stat
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from chiso.api import verify
from chiso.engine import (
    EngineError,
    Framework,
    Node,
    Problem,
    Results,
    Values,
    check_rules,
    parse_framework,
    plan,
    rank_uncertainty,
    score,
    sensitivity,
)
from chiso.engine.plan import Goal
from chiso.lib import csv_lines, interpreter, values_csv
from chiso.lib.safe_cells import cell_text, csv_cell, text_cell

OWN_COMMANDS = ("score", "framework", "plan", "uncertainty", "verify")
EXIT_NO_PLAN = 1
FORMATS = ("csv", "json", "xlsx")
EXIT_BAD_INPUT = 2
# Problems printed; then how many more there are (a file's every line may be wrong).
MAX_PROBLEMS = 50


class _Stop(Exception):
    """Bad input found: the problems are reported and the command stops."""

    def __init__(self, problems: Sequence[Problem], more: int = 0) -> None:
        super().__init__()
        self.problems = list(problems)
        # Problems found but not kept (a file's every line may be wrong).
        self.more = more


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]); return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-") and args[0] not in OWN_COMMANDS:
        return _django(args)
    parser = _parser()
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:  # argparse exits for --help and for usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        handler: Callable[[argparse.Namespace], int] = options.handler
        return handler(options)
    except _Stop as stop:
        for problem in stop.problems[:MAX_PROBLEMS]:
            print(problem, file=sys.stderr)
        more = len(stop.problems) + stop.more - MAX_PROBLEMS
        if more > 0:
            print(f"... and {more} more problems", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (`chiso framework check F | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _django(argv: list[str]) -> int:
    # Imported here only: `score` and `framework` must work where Django is not set up.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chiso", *argv])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chiso",
        description="Digital-transformation assessment: scoring and ranking of units.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "Any other command (serve, demo, migrate, units list, ...) is a Django\n"
            "management command: `chiso help` lists them."
        ),
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    score_parser = commands.add_parser(
        "score",
        help="score the units of a values file with a framework",
        description="Score every unit of VALUES.csv (columns unit,code,value) and write "
        "one row per unit, best first.",
    )
    score_parser.add_argument("framework", metavar="FRAMEWORK.yaml")
    score_parser.add_argument("values", metavar="VALUES.csv")
    score_parser.add_argument(
        "-o", "--output", required=True, metavar="RESULTS", help="results file, - for stdout"
    )
    score_parser.add_argument(
        "--format", choices=FORMATS, help="output format (default: from the -o extension, csv)"
    )
    score_parser.add_argument(
        "--units", metavar="FILE", help="known unit codes, one a line; others are errors"
    )
    score_parser.set_defaults(handler=_score)

    plan_parser = commands.add_parser(
        "plan",
        help="the fewest changes that take a unit to a goal",
        description="Plan the changes that take UNIT to recognition, a value or a rank, "
        "changing as few indicators as possible (or the least effort). Writes "
        "code,from,to,points; a formula indicator adds one row per element to change.",
    )
    plan_parser.add_argument("framework", metavar="FRAMEWORK.yaml")
    plan_parser.add_argument("values", metavar="VALUES.csv")
    plan_parser.add_argument("--unit", required=True, help="the unit code")
    plan_parser.add_argument(
        "--goal",
        default="recognition",
        help="recognition (default), value:0.8 (framework value) or rank:10",
    )
    plan_parser.add_argument("-o", "--output", default="-", metavar="PLAN.csv", help="default -")
    plan_parser.set_defaults(handler=_plan)

    uncertainty_parser = commands.add_parser(
        "uncertainty",
        help="how sure the ranking is (Monte Carlo)",
        description="Re-rank the units many times with the points (and thresholds) drawn "
        "at random and write unit,rank,median_rank,p05,p95,p_recognized.",
    )
    uncertainty_parser.add_argument("framework", metavar="FRAMEWORK.yaml")
    uncertainty_parser.add_argument("values", metavar="VALUES.csv")
    uncertainty_parser.add_argument("--runs", type=int, default=1000, help="default 1000")
    uncertainty_parser.add_argument("--seed", type=int, default=0, help="default 0")
    uncertainty_parser.add_argument(
        "--points-noise", type=float, default=0.2, metavar="A", help="points x U(1-A, 1+A)"
    )
    uncertainty_parser.add_argument(
        "--threshold-noise", type=float, default=0.0, metavar="B", help="thresholds x U(1-B, 1+B)"
    )
    uncertainty_parser.add_argument(
        "--missing",
        choices=("zero", "excluded", "both"),
        default="zero",
        help="missing values score zero, are excluded (points re-spread), or either by chance",
    )
    uncertainty_parser.add_argument(
        "--sensitivity",
        metavar="FILE",
        help="also write pillar,first_order,total (Sobol' indices of the ranks to the points)",
    )
    uncertainty_parser.add_argument("-o", "--output", required=True, metavar="OUT.csv")
    uncertainty_parser.set_defaults(handler=_uncertainty)

    verify_parser = commands.add_parser(
        "verify",
        help="check a published dataset's checksums and recompute its ranking",
        description="Exit 0 when it matches, 1 on a difference, 2 when it cannot be read.",
    )
    verify_parser.add_argument("dataset", help="a downloaded dataset folder or its URL")
    limits = (
        ("--max-file-mb", float, verify.MAX_FILE_MB, "MB", "refuse a file larger than this"),
        ("--max-seconds", float, verify.MAX_SECONDS, "S", "stop when all reads took this long"),
        ("--max-files", int, verify.MAX_FILES, "N", "refuse a SHA256SUMS listing more names"),
    )
    for flag, kind, default, metavar, text in limits:
        verify_parser.add_argument(
            flag,
            type=_above_zero(kind),
            default=default,
            metavar=metavar,
            help=f"{text} (default %(default)s)",
        )
    verify_parser.add_argument(
        "--trust-roots",
        metavar="PEM",
        default=os.environ.get("CHISO_SIGNING_ROOTS") or None,
        help="the certificate authorities trusted for the signed annex (default:"
        " $CHISO_SIGNING_ROOTS; none: the signer's certificate is not checked)",
    )
    verify_parser.set_defaults(handler=_verify)

    framework_parser = commands.add_parser("framework", help="work with framework files")
    framework_commands = framework_parser.add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    check_parser = framework_commands.add_parser(
        "check",
        help="validate a framework file and print its tree",
        description="Validate a framework file and print its tree with points and methods.",
    )
    check_parser.add_argument("file", metavar="FILE")
    check_parser.add_argument("--lang", choices=("vi", "en"), default="vi", help="title language")
    check_parser.set_defaults(handler=_framework_check)
    return parser


# ---------------------------------------------------------------------------
# Reading


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _Stop([Problem(f"cannot read the file: {exc.strerror}", None, None, path)]) from None


def _read_text(path: str) -> str:
    data = _read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Stop([_not_utf8(data, exc, path)]) from None


def _not_utf8(data: bytes, exc: UnicodeDecodeError, path: str) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    return Problem("the file is not UTF-8 text", None, line, path)


def _load_framework(path: str) -> Framework:
    text = _read_text(path)
    try:
        return parse_framework(text, source=path)
    except EngineError as exc:
        raise _Stop(exc.problems) from None


Table = tuple[list[str], list[str], list[str], "array[int]"]


def _read_values_csv(path: str) -> Table:
    """The columns of a long values file, with the line each row starts on.

    Read as it comes (chiso.lib.values_csv): a file beyond the limits stops at its first
    line beyond them, whatever its size."""
    try:
        with open(path, "rb") as stream:
            return _values_rows(stream, path)
    except OSError as exc:
        raise _Stop([Problem(f"cannot read the file: {exc.strerror}", None, None, path)]) from None


def _values_rows(stream: IO[bytes], path: str) -> Table:
    units: list[str] = []
    codes: list[str] = []
    raw: list[str] = []
    lines = array("q")
    problems: list[Problem] = []
    wrong = 0

    def wrong_fields(error: values_csv.ValuesCsvError) -> None:
        nonlocal wrong
        wrong += 1
        if wrong <= MAX_PROBLEMS:
            message = f"expected 3 fields (unit,code,value), found {len(error.found)}"
            problems.append(Problem(message, None, error.line, path))

    add_unit, add_code, add_raw, add_line = units.append, codes.append, raw.append, lines.append
    try:
        with interpreter.without_collector():
            # The limits are those of chiso.lib.values_csv: 2,000,000 lines, 20,000 units.
            for line, unit, code, value in values_csv.rows(stream, wrong=wrong_fields):
                add_unit(unit)
                add_code(code)
                add_raw(value)
                add_line(line)
    except values_csv.ValuesCsvError as error:
        raise _Stop([Problem(_values_message(error), None, error.line, path)]) from None
    if problems:
        raise _Stop(problems, more=wrong - len(problems))
    return units, codes, raw, lines


def _values_message(error: values_csv.ValuesCsvError) -> str:
    """Why a values file was not read, in English."""
    if error.kind == values_csv.HEADER_KIND:
        shown = csv_lines.shorten(error.delimiter.join(error.found))
        return f"the header must be unit,code,value, not {shown!r}"
    return {
        values_csv.TOO_MANY_UNITS: f"more than {error.limit} units: the file was not read further",
        values_csv.TOO_MANY_CODES: f"more than {error.limit} codes: the file was not read further",
        csv_lines.TOO_LONG: f"a line of over {error.limit} characters: not a line of values",
        csv_lines.TOO_MANY_FIELDS: f"more than {error.limit} fields",
        csv_lines.TOO_MANY_LINES: f"more than {error.limit} lines: the file was not read further",
        csv_lines.NOT_TEXT: "the file is not UTF-8 text",
    }.get(error.kind, f"broken CSV: {error.detail}")


def _read_units(path: str) -> list[str]:
    return [
        line.strip()
        for line in _read_text(path).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def load_values(
    framework: Framework, path: str, known_units: Sequence[str] | None = None
) -> Values:
    """Read and check a long values CSV file; raise EngineError naming every bad line."""
    units, codes, raw, lines = _read_values_csv(path)
    return Values.from_arrays(
        framework, units, codes, raw, lines, known_units=known_units, source=path
    )


# ---------------------------------------------------------------------------
# chiso score


def _verify(options: argparse.Namespace) -> int:
    limits = verify.Limits(
        file_mb=options.max_file_mb, seconds=options.max_seconds, files=options.max_files
    )
    return verify.verify(
        options.dataset, sys.stdout, sys.stderr, _values_to_verify, limits, options.trust_roots
    )


def _values_to_verify(framework: Framework, path: str) -> Values:
    try:
        return load_values(framework, path)
    except _Stop as stop:
        raise verify.Unreadable("\n".join(str(p) for p in stop.problems)) from None


def _above_zero(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: a finite number of `kind` above zero."""

    def convert(text: str) -> float:
        try:
            number = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (0 < number < math.inf):
            raise argparse.ArgumentTypeError(f"must be a number above 0, not {text}")
        return number

    return convert


def _score(options: argparse.Namespace) -> int:
    framework, values = _inputs(options)
    results = score(framework, values)
    output_format = options.format or _format_of(options.output)
    _write(results, options.output, output_format)
    return 0


def _inputs(options: argparse.Namespace) -> tuple[Framework, Values]:
    """The framework and the checked values named on the command line."""
    problems: list[Problem] = []
    framework: Framework | None = None
    table: Table | None = None
    known_units: list[str] | None = None
    # Read all three inputs before stopping, so that one run shows every problem.
    try:
        framework = _load_framework(options.framework)
    except _Stop as stop:
        problems += stop.problems
    more = 0
    try:
        table = _read_values_csv(options.values)
    except _Stop as stop:
        problems += stop.problems
        more = stop.more
    if getattr(options, "units", None) is not None:
        try:
            known_units = _read_units(options.units)
        except _Stop as stop:
            problems += stop.problems
    if problems:
        raise _Stop(problems, more)
    assert framework is not None and table is not None

    units, codes, raw, lines = table
    try:
        values = Values.from_arrays(
            framework, units, codes, raw, lines, known_units=known_units, source=options.values
        )
    except EngineError as exc:
        raise _Stop(exc.problems) from None
    broken = check_rules(framework, values, source=options.values)
    if broken:
        raise _Stop(broken)
    return framework, values


def _format_of(output: str) -> str:
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "csv"


def _write_csv(results: Results, stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    records = results.to_records()
    writer.writerow([cell_text(column) for column in _columns(results)])
    writer.writerows([csv_cell(value) for value in record.values()] for record in records)


def _write_json(results: Results, stream: IO[str]) -> None:
    json.dump(results.to_records(), stream, ensure_ascii=False, allow_nan=False)
    stream.write("\n")


def _write_xlsx(results: Results, stream: IO[bytes]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("results")
    sheet.append([text_cell(sheet, column) for column in _columns(results)])
    for record in results.to_records():
        sheet.append([text_cell(sheet, value) for value in record.values()])
    book.save(stream)


def _columns(results: Results) -> list[str]:
    return ["unit", "value", "points", "rank", "recognized", *results.node_codes]


def _write(results: Results, output: str, output_format: str) -> None:
    def text(stream: IO[str]) -> None:
        (_write_json if output_format == "json" else _write_csv)(results, stream)

    if output_format == "xlsx":
        if output == "-":
            sys.stdout.flush()
            _write_xlsx(results, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            _replace(output, lambda binary: _write_xlsx(results, binary))
        return
    _write_text(output, text)


def _write_table(output: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV file (or stdout for -) of `header` and `rows`, numbers as in results files."""

    def text(stream: IO[str]) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([csv_cell(value) for value in row] for row in rows)

    _write_text(output, text)


def _write_text(output: str, fill: Callable[[IO[str]], None]) -> None:
    if output == "-":
        fill(sys.stdout)
        return

    def binary(stream: IO[bytes]) -> None:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        fill(text)
        text.flush()
        # Hand the file back so that closing it stays with the outer `with`.
        text.detach()

    _replace(output, binary)


def _replace(output: str, fill: Callable[[IO[bytes]], None]) -> None:
    target = Path(output)
    _refuse_unless_regular(target, output)
    try:
        # A temporary file next to the target, renamed only once complete: a
        # failed run never leaves a half-written or stale-looking results file.
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise _Stop([_cannot_write(str(exc.strerror), output)]) from None
    try:
        with os.fdopen(handle, "wb") as binary:
            fill(binary)
        os.chmod(temporary, 0o666 & ~_umask())
        # Checked again just before the rename: the target may have changed meanwhile.
        _refuse_unless_regular(target, output)
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            # A full disk, or -o naming a folder: a message, not a traceback.
            raise _Stop([_cannot_write(str(exc.strerror or exc), output)]) from None
        raise


_NOT_REGULAR = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_unless_regular(target: Path, output: str) -> None:
    """Stop unless `target` is absent or a regular file (not followed if a symlink).

    The rename would replace a symlink, a named pipe or a device node itself (as
    root even /dev/full): results go only where a results file can be.
    """
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _Stop([_cannot_write(str(exc.strerror or exc), output)]) from None
    for test, kind in _NOT_REGULAR:
        if test(mode):
            raise _Stop([_cannot_write(f"it is {kind}, not a regular file", output)])
    if not stat.S_ISREG(mode):
        raise _Stop([_cannot_write("it is not a regular file", output)])


def _cannot_write(reason: str, output: str) -> Problem:
    return Problem(f"cannot write the file: {reason}", None, None, output)


def _umask() -> int:
    # mkstemp creates the file private (0600); give the results the usual mode.
    current = os.umask(0)
    os.umask(current)
    return current


# ---------------------------------------------------------------------------
# chiso plan, chiso uncertainty


def _plan(options: argparse.Namespace) -> int:
    try:
        goal = Goal.parse(options.goal)
    except ValueError as exc:
        raise _Stop([Problem(str(exc), "--goal")]) from None
    framework, values = _inputs(options)
    result = plan(framework, values, options.unit, goal)
    if not result.feasible:
        print(
            f"{options.unit}: no plan reaches {goal} ({result.reason}): {result.message}",
            file=sys.stderr,
        )
        return EXIT_NO_PLAN
    rows: list[list[Any]] = []
    for step in result.steps:
        rows.append([step.code, step.value_from, step.value_to, step.points])
        rows += [
            [change.code, change.value_from, change.value_to, None] for change in step.elements
        ]
    _write_table(options.output, ["code", "from", "to", "points"], rows)
    return 0


def _uncertainty(options: argparse.Namespace) -> int:
    framework, values = _inputs(options)
    try:
        found = rank_uncertainty(
            framework,
            values,
            runs=options.runs,
            seed=options.seed,
            points_noise=options.points_noise,
            threshold_noise=options.threshold_noise,
            missing=options.missing,
        )
        indices = (
            sensitivity(framework, values, seed=options.seed, points_noise=options.points_noise)
            if options.sensitivity
            else None
        )
    except EngineError as exc:
        raise _Stop(exc.problems) from None
    header = ["unit", "rank", "median_rank", "p05", "p95", "p_recognized"]
    _write_table(options.output, header, [list(r.values()) for r in found.to_records()])
    if indices is not None:
        rows = zip(
            indices.pillars, indices.first_order.tolist(), indices.total.tolist(), strict=True
        )
        _write_table(options.sensitivity, ["pillar", "first_order", "total"], rows)
    return 0


# ---------------------------------------------------------------------------
# chiso framework check


def _framework_check(options: argparse.Namespace) -> int:
    framework = _load_framework(options.file)
    lang = options.lang
    out = sys.stdout
    print(f"{framework.code}  {_title(framework.title, lang)}", file=out)
    missing = (
        "missing values are left out of the unit's maxima"
        if framework.missing == "exclude"
        else "missing values score zero"
    )
    print(f"level {framework.level}, year {framework.year}, {missing}", file=out)
    print(file=out)
    for root in framework.tree:
        for node in root.walk():
            print(_describe(node, framework, lang), file=out)
    print(file=out)

    leaves = framework.leaves
    mandatory = sum(leaf.mandatory for leaf in leaves)
    counts = ", ".join(
        [
            _count(len(framework.nodes) - len(leaves), "branch", "branches"),
            _count(len(leaves), "indicator", "indicators") + f" ({mandatory} mandatory)",
            _count(len(framework.elements), "element", "elements"),
            _count(len(framework.validation), "validation rule", "validation rules"),
        ]
    )
    print(f"Total: {framework.max_points:g} points; {counts}", file=out)
    rule = framework.recognition
    if rule is not None:
        needed = (
            f"at least {rule.min_points:g} points"
            if rule.min_points is not None
            else f"a value of at least {rule.min_value:g}"
        )
        every = " and every mandatory indicator met" if rule.all_mandatory else ""
        print(f"Recognized with {needed}{every}", file=out)
    else:
        print("No recognition rule", file=out)
    print("OK", file=out)
    return 0


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _title(title: dict[str, str], lang: str) -> str:
    return title.get(lang) or title["vi"]


def _describe(node: Node, framework: Framework, lang: str) -> str:
    indent = "  " * node.depth
    head = f"{indent}{node.code}  {_title(node.title, lang)}"
    if not node.is_leaf:
        scored = "" if node.max_points > 0 else ", not scored"
        return f"{head}  [max {node.max_points:g}{scored}]"
    points = f"{node.points:g} points" if node.points else "0 points (not scored)"
    if node.mandatory:
        passing = "" if node.pass_ is None else f", pass {node.pass_:g}"
        points += f" (mandatory{passing})"
    parts = [points, _method(node)]
    if node.formula is not None:
        parts.append(f"formula {node.formula}")
    else:
        parts.append(f"entered ({framework.input_type(node.code)})")
    if node.may_not_apply:
        parts.append("may not apply")
    return f"{head}  " + ", ".join(parts)


def _method(node: Node) -> str:
    rule = node.score
    assert rule is not None
    if rule.method == "linear":
        assert rule.zero is not None and rule.full is not None
        direction = ", lower is better" if rule.zero > rule.full else ""
        return f"linear {rule.zero:g}..{rule.full:g}{direction}"
    if rule.method == "threshold":
        if rule.at_least is not None:
            return f"threshold >= {rule.at_least:g}"
        return f"threshold <= {rule.at_most:g}"
    if rule.method == "steps":
        return "steps " + ", ".join(f"{x:g}:{s:g}" for x, s in rule.steps)
    if rule.method == "relative" and rule.better == "lower":
        return "relative, lower is better"
    return rule.method


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
