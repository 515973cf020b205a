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

if TYPE_CHECKING:  # OR-Tools is imported only when a table needs it (~0.1 s, ~20 MB)
    from ortools.sat.python import cp_model_helper as cmh

Vector = tuple[float, ...]  # one reading of a row: a number per column, blank as 0
Term = tuple[int, int]  # (variable, coefficient) of a linear sum in the model
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
    model = _Model()
    choice = {key: [model.new_bool() for _ in readings[key]] for key in open_rows}
    for variables in choice.values():
        model.exactly_one(variables)
    broken = []
    for relation in usable:
        for column in range(columns):
            terms, constant = _column_sum(relation, column, readings, choice)
            if not terms:
                continue  # only fixed rows: the validators report it
            flag = model.new_bool()
            model.equal(terms, -constant, unless=flag)
            broken.append(flag)
    fewest_broken = model.least([(flag, 1) for flag in broken])
    if fewest_broken is None or fewest_broken > MOST_BROKEN:
        # The table contradicts itself in more places than a filer's slip whatever the choice:
        # a row read wrong elsewhere, most likely; the relations are no evidence then.
        return Choice(everything, "contradictory")
    # the fewest relations any choice breaks are the filer's (P8, P28; the validators report
    # them): the rest decide
    model.equal([(flag, 1) for flag in broken], fewest_broken)
    assumed = [
        (var, (costs or {}).get(key, [0] * len(variables))[i])
        for key, variables in choice.items()
        for i, var in enumerate(variables)
    ]
    least_assumed = model.least(assumed)
    if least_assumed is None:
        return Choice(everything, "contradictory")
    model.equal(assumed, least_assumed)
    used = _used_readings(model, choice)
    if used is None:
        return Choice(everything, "unconstrained")
    kept = {key: sorted(used[key]) if key in used else idx for key, idx in everything.items()}
    for key in untied:  # no usable relation ties it: its least assuming readings, as the cost would choose
        kept[key] = _least_costly((costs or {}).get(key)) or kept[key]
    return Choice(kept, "chosen")


def warm_up() -> None:
    """Solve a model of one variable, so that the solver's code is mapped in this process before
    its first table: a worker's memory is then what it stays (~12 MB of code pages that would
    otherwise come at the first table the arithmetic must choose for, somewhere in the corpus)."""
    model = _Model()
    model.exactly_one([model.new_bool()])
    model.solution()


def _least_costly(costs: Sequence[int] | None) -> list[int]:
    if not costs:
        return []
    least = min(costs)
    return [i for i, cost in enumerate(costs) if cost == least]


def _column_sum(
    relation: Relation, column: int, readings: Mapping[str, Sequence[Vector]], choice: Mapping[str, list[int]]
) -> tuple[list[Term], int]:
    """The relation's left side for one column: (variable, coefficient) terms and a constant (the
    fixed rows); no terms if every row in it is fixed."""
    constant = 0
    terms: list[Term] = []
    for key, coefficient in relation.terms:
        options = readings[key]
        if key not in choice:
            constant += coefficient * round(options[0][column])
            continue
        terms += [
            (var, coefficient * round(option[column]))
            for var, option in zip(choice[key], options, strict=True)
        ]
    return terms, constant


def _used_readings(model: _Model, choice: Mapping[str, list[int]]) -> dict[str, set[int]] | None:
    """The readings some optimal solution uses: solve, mark the readings the solution uses, and
    ask again for a solution using one not marked yet, until there is none (at most one solve per
    reading, however many solutions there are). None if a solve runs out of time."""
    used: dict[str, set[int]] = {key: set() for key in choice}
    while True:
        unused = [
            var for key, variables in choice.items() for i, var in enumerate(variables) if i not in used[key]
        ]
        if not unused:
            return used
        model.at_least_one(unused)
        solution = model.solution()
        if solution == "none":
            return used
        if solution == "out of time":
            return None
        for key, variables in choice.items():
            used[key].update(i for i, var in enumerate(variables) if solution[var])


class _Model:
    """A CP-SAT model of 0-1 variables, written as OR-Tools' model format (cp_model.proto) and
    solved by CP-SAT itself.

    Not `cp_model.CpModel`: that module imports pandas for its Series helpers, ~0.25 s and ~80 MB
    in every process for models of a few dozen variables. Its classes are thin wrappers over these
    same protos and `SolveWrapper`.
    """

    def __init__(self) -> None:
        from ortools.sat.python import cp_model_helper as cmh

        self._cmh = cmh
        self.proto = cmh.CpModelProto()
        self.parameters = cmh.SatParameters()
        self.parameters.num_workers = 1  # tiny models; threads cost more than they bring
        self.parameters.max_time_in_seconds = 5.0

    def new_bool(self) -> int:
        variable = self.proto.variables.add()
        variable.domain.extend([0, 1])
        return len(self.proto.variables) - 1

    def exactly_one(self, variables: Sequence[int]) -> None:
        self.proto.constraints.add().exactly_one.literals.extend(variables)

    def at_least_one(self, variables: Sequence[int]) -> None:
        self.proto.constraints.add().bool_or.literals.extend(variables)

    def equal(self, terms: Sequence[Term], value: int, unless: int | None = None) -> None:
        """Σ coefficient × variable = value, or only where the variable `unless` is 0."""
        constraint = self.proto.constraints.add()
        if unless is not None:
            constraint.enforcement_literal.append(-unless - 1)  # the negation of `unless`
        constraint.linear.vars.extend(var for var, _ in terms)
        constraint.linear.coeffs.extend(coefficient for _, coefficient in terms)
        constraint.linear.domain.extend([value, value])

    def least(self, terms: Sequence[Term]) -> int | None:
        """The least Σ coefficient × variable over the model's solutions; None if it has none
        (or the solver ran out of time)."""
        self.proto.objective.vars.extend(var for var, _ in terms)
        self.proto.objective.coeffs.extend(coefficient for _, coefficient in terms)
        response = self._solve()
        self.proto.clear_objective()
        if response.status != self._cmh.CpSolverStatus.OPTIMAL:
            return None
        return round(response.objective_value)

    def solution(self) -> list[int] | Literal["none", "out of time"]:
        """A value per variable of one solution."""
        response = self._solve()
        status = response.status
        if status == self._cmh.CpSolverStatus.INFEASIBLE:
            return "none"
        if status not in (self._cmh.CpSolverStatus.OPTIMAL, self._cmh.CpSolverStatus.FEASIBLE):
            return "out of time"
        return list(response.solution)

    def _solve(self) -> cmh.CpSolverResponse:
        solver = self._cmh.SolveWrapper()
        solver.set_parameters(self.parameters)
        response: cmh.CpSolverResponse = solver.solve(self.proto)  # type: ignore[no-untyped-call]
        return response
