"""Benchmark of the analysis engine (issue 11): Monte Carlo, gap plans, scoring.

- ``mc_s``: `rank_uncertainty`, 1,000 runs x 3,321 units x 150 indicators with
  points noise (target <= 1 s), on the synthetic framework of
  benchmarks/scoring.py;
- ``plans_s``: a recognition plan for each of 166 communes with the shipped
  Thanh Hóa commune framework (target <= 1 s), synthetic but plausible values
  (shares that are numerator <= denominator);
- ``score_ms``: `score` at 10,000 units x 150 indicators (target <= 8 ms),
  timed by `time_score` of benchmarks/scoring.py, so that it is the same
  measurement as that benchmark's ``engine_ms``: the median wall time of
  ``SCORE_RUNS`` runs after a warm-up; ``score_cpu_ms`` the median CPU time of
  the process (a busy machine inflates it less), ``score_min_ms`` the quickest
  run, ``leaf_arrays_ms`` the first use of the leaf arrays. The values are
  numbers drawn directly (``synthetic``), where benchmarks/scoring.py reads
  the same kinds of values from its CSV: other numbers, the same shape.

The machine may be shared: the 1-minute load average is printed with the figures.
Run: ``python benchmarks/analysis.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import MISSING, SEED, build_framework, time_score  # noqa: E402  (benchmarks/scoring.py)

from chiso.engine import Framework, Values, parse_framework, plan, rank_uncertainty, score  # noqa: E402
from chiso.engine.plan import _ratio  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = 166
MC_UNITS, MC_RUNS = 3321, 1000
SCORE_UNITS = 10_000


def synthetic(framework: Framework, kinds: dict[str, str], units: int, seed: int) -> Values:
    """Numbers of the kinds benchmarks/scoring.py writes as text, 10 % missing."""
    rng = np.random.default_rng(seed)
    columns = []
    for code in framework.input_codes:
        kind = kinds[code]
        if kind == "count":
            column = rng.integers(0, 1000, units).astype(float)
        elif kind == "percent":
            column = np.round(rng.uniform(0, 100, units), 1)
        elif kind == "steps":
            column = rng.integers(0, 6, units).astype(float)
        elif kind == "boolean":
            column = rng.integers(0, 2, units).astype(float)
        else:
            column = rng.normal(30, 12, units)
        columns.append(column)
    matrix = np.column_stack(columns)
    matrix[rng.random(matrix.shape) < MISSING] = np.nan
    return Values([f"u{i:05d}" for i in range(units)], framework.input_codes, matrix)


def communes(framework: Framework, seed: int) -> Values:
    """Values for the shipped commune framework: counts, shares, yes/no answers."""
    rng = np.random.default_rng(seed)
    codes = framework.input_codes
    column = {code: index for index, code in enumerate(codes)}
    matrix = np.empty((COMMUNES, len(codes)))
    for code, index in column.items():
        kind = framework.input_type(code)
        if kind == "boolean":
            matrix[:, index] = rng.random(COMMUNES) < 0.7
        elif kind == "percent":
            matrix[:, index] = np.round(rng.uniform(20, 100, COMMUNES), 1)
        else:
            matrix[:, index] = rng.integers(1, 2000, COMMUNES)
    for leaf in framework.leaves:
        expr = framework.formula(leaf.code)
        shape = _ratio(expr) if expr is not None else None
        if shape is not None and shape[0] in column and shape[1] in column:
            share = rng.uniform(0.3, 1.0, COMMUNES)
            below = matrix[:, column[shape[1]]]
            matrix[:, column[shape[0]]] = np.floor(share * below)
    units = [f"{14758 + i}" for i in range(COMMUNES)]
    return Values(units, codes, matrix)


def timed(function, runs: int, clock=time.perf_counter) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = clock()
        function()
        times.append(clock() - start)
    return statistics.median(times)


def main() -> None:
    text, kinds = build_framework(np.random.default_rng(SEED))
    framework = parse_framework(text, source="benchmark.yaml")

    mc_values = synthetic(framework, kinds, MC_UNITS, SEED)
    rank_uncertainty(framework, mc_values, runs=20, seed=1)  # warm the caches
    mc_s = timed(lambda: rank_uncertainty(framework, mc_values, runs=MC_RUNS, seed=1), 3)
    mc_cpu_s = timed(
        lambda: rank_uncertainty(framework, mc_values, runs=MC_RUNS, seed=1), 1, time.process_time
    )

    shipped = ROOT / "chiso" / "frameworks" / "shipped" / "thanhhoa-commune-2024.yaml"
    commune = parse_framework(shipped.read_text(encoding="utf-8"), source=shipped.name)
    values = communes(commune, SEED)
    found: list[object] = []

    def all_plans() -> None:
        results = score(commune, values)
        found[:] = [
            plan(commune, values, unit, "recognition", results=results) for unit in values.units
        ]

    plans_s = timed(all_plans, 3)
    feasible = [p for p in found if getattr(p, "feasible", False)]
    steps = [len(getattr(p, "steps", ())) for p in feasible]

    score_values = synthetic(framework, kinds, SCORE_UNITS, SEED + 1)
    engine, _ = time_score(framework, score_values)

    print(
        json.dumps(
            {
                "mc_runs": MC_RUNS,
                "mc_units": MC_UNITS,
                "mc_indicators": len(framework.leaves),
                "mc_s": round(mc_s, 3),
                "mc_cpu_s": round(mc_cpu_s, 3),
                "plans": len(found),
                "plans_feasible": len(feasible),
                "plans_mean_steps": round(statistics.mean(steps), 2) if steps else 0,
                "plans_proven_optimal": sum(getattr(p, "proven_optimal", False) for p in found),
                "plans_s": round(plans_s, 3),
                "score_units": SCORE_UNITS,
                "score_ms": engine["engine_ms"],
                "score_cpu_ms": engine["engine_cpu_ms"],
                "score_min_ms": engine["engine_min_ms"],
                "score_runs": engine["engine_runs"],
                "leaf_arrays_ms": engine["leaf_arrays_ms"],
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
