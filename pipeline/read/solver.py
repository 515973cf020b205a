"""Choose one reading per row so that the table's column relations hold (S1 and S3 of section 三).

Each row arrives with the readings its own arithmetic allows (`pipeline.read.candidates`). Rows
with one reading are constants; the others are decision variables of a CP-SAT model (OR-Tools)
whose constraints are the format's column sums, made soft so that the model finds the fewest
relations any choice must break. One is a filer's slip (P8/P28: a misprinted cell) and the
others still decide; more (or a row read wrong) and the relations cannot tell the readings apart,
so every reading stays. The validators report the broken relations; nothing is repaired. A row
keeps only the readings some best solution uses, however many solutions there are: a cell the
same in all of them is read, a cell that differs stays ambiguous with its candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from schemas.layout import APPLICATION_ROWS

if TYPE_CHECKING:  # OR-Tools is imported only when a table needs it (~0.3 s)
    from ortools.sat.python import cp_model

Vector = tuple[float, ...]  # one reading of a row: a number per column, blank as 0
MOST_BROKEN = 1  # relations no choice satisfies that are taken for the filer's slip


@dataclass(frozen=True)
class Relation:
    """Σ coefficient × row[column] = 0 over the listed (row key, coefficient) terms, per column."""

    name: str
    terms: tuple[tuple[str, int], ...]


def application_relations(template: str) -> list[Relation]:
    """S3: （七）总计 is the sum of the result rows; S1: 一 + 二 = （七） + 四, for every column."""
    keys = [row.key for row in APPLICATION_ROWS[template]]
    results = keys[keys.index("applications.granted") : keys.index("applications.total")]
    s3 = Relation("S3", (("applications.total", 1), *((key, -1) for key in results)))
    s1 = Relation(
        "S1",
        (
            ("applications.new_received", 1),
            ("applications.carried_over", 1),
            ("applications.total", -1),
            ("applications.carried_forward", -1),
        ),
    )
    return [s3, s1]


class Choice(NamedTuple):
    """The readings each row keeps, and what the table's relations said."""

    kept: dict[str, list[int]]
    verdict: Literal["chosen", "unconstrained", "contradictory"]


def consistent_readings(
    readings: Mapping[str, Sequence[Vector]],
    relations: Sequence[Relation],
    columns: int,
    costs: Mapping[str, Sequence[int]] | None = None,
) -> Choice:
    """For every row, the indices of its readings that the best choices for the whole table use.

    Best is first: the fewest relations broken (none, or one no choice satisfies: the filer's);
    then the least assumed (`costs`: dropped blanks and cuts each reading had to assume). Rows not
    in `readings` are lost: a relation that needs one is not checked. "unconstrained": no relation
    ties the open rows (every index kept); "contradictory": every choice breaks more relations than
    `MOST_BROKEN`, so the relations prefer none (every index kept).
    """
    everything = {key: list(range(len(options))) for key, options in readings.items()}
    usable = [r for r in relations if all(key in readings for key, _ in r.terms)]
    tied = {key for relation in usable for key, _ in relation.terms}
    varied = [key for key, options in readings.items() if len(set(options)) > 1]
    open_rows = [key for key in varied if key in tied]
    untied = [key for key in varied if key not in tied]
    if not open_rows:
        return Choice(everything, "unconstrained")
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    choice = {key: [model.new_bool_var(f"{key}#{i}") for i in range(len(readings[key]))] for key in open_rows}
    for variables in choice.values():
        model.add_exactly_one(variables)
    broken = []
    for relation in usable:
        for column in range(columns):
            expression = _column_sum(relation, column, readings, choice)
            if isinstance(expression, int):
                continue  # only fixed rows: the validators report it
            flag = model.new_bool_var(f"{relation.name}[{column}] broken")
            model.add(expression == 0).only_enforce_if(~flag)
            broken.append(flag)
    model.minimize(sum(broken))
    solver = _solver()
    if solver.solve(model) != cp_model.OPTIMAL or round(solver.objective_value) > MOST_BROKEN:
        # The table contradicts itself in more places than a filer's slip whatever the choice:
        # a row read wrong elsewhere, most likely; the relations are no evidence then.
        return Choice(everything, "contradictory")
    # the fewest relations any choice breaks are the filer's (P8, P28; the validators report
    # them): the rest decide
    model.add(sum(broken) == round(solver.objective_value))
    assumed = cp_model.LinearExpr.weighted_sum(
        [var for key in open_rows for var in choice[key]],
        [
            (costs or {}).get(key, [0] * len(choice[key]))[i]
            for key in open_rows
            for i in range(len(choice[key]))
        ],
    )
    model.minimize(assumed)
    if solver.solve(model) != cp_model.OPTIMAL:
        return Choice(everything, "contradictory")
    model.clear_objective()  # type: ignore[no-untyped-call]
    model.add(assumed == round(solver.objective_value))
    used = _used_readings(model, choice)
    if used is None:
        return Choice(everything, "unconstrained")
    kept = {key: sorted(used[key]) if key in used else idx for key, idx in everything.items()}
    for key in untied:  # no usable relation ties it: its least assuming readings, as the cost would choose
        kept[key] = _least_costly((costs or {}).get(key)) or kept[key]
    return Choice(kept, "chosen")


def _least_costly(costs: Sequence[int] | None) -> list[int]:
    if not costs:
        return []
    least = min(costs)
    return [i for i, cost in enumerate(costs) if cost == least]


def _column_sum(
    relation: Relation,
    column: int,
    readings: Mapping[str, Sequence[Vector]],
    choice: Mapping[str, list[cp_model.IntVar]],
) -> cp_model.LinearExpr | int:
    """The relation's left side for one column: an integer if every row in it is fixed."""
    constant = 0
    variables: list[cp_model.IntVar] = []
    coefficients: list[int] = []
    for key, coefficient in relation.terms:
        options = readings[key]
        if key not in choice:
            constant += coefficient * round(options[0][column])
            continue
        variables += choice[key]
        coefficients += [coefficient * round(option[column]) for option in options]
    if not variables:
        return constant
    from ortools.sat.python import cp_model

    return cp_model.LinearExpr.weighted_sum(variables, coefficients) + constant


def _used_readings(
    model: cp_model.CpModel, choice: Mapping[str, list[cp_model.IntVar]]
) -> dict[str, set[int]] | None:
    """The readings some optimal solution uses: solve, mark the readings the solution uses, and
    ask again for a solution using one not marked yet, until there is none (at most one solve per
    reading, however many solutions there are). None if a solve runs out of time."""
    from ortools.sat.python import cp_model

    used: dict[str, set[int]] = {key: set() for key in choice}
    solver = _solver()
    while True:
        unused = [
            var for key, variables in choice.items() for i, var in enumerate(variables) if i not in used[key]
        ]
        if not unused:
            return used
        model.add_bool_or(unused)
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return used
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        for key, variables in choice.items():
            used[key].update(i for i, var in enumerate(variables) if solver.value(var))


def _solver() -> cp_model.CpSolver:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # tiny models; threads cost more than they bring
    solver.parameters.max_time_in_seconds = 5.0
    return solver
