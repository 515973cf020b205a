"""The arithmetic decides: glued runs cut by S2, rows chosen by S1/S3, nothing guessed (P21-P24)."""

from __future__ import annotations

import subprocess
import sys

from pipeline.document import Document
from pipeline.read.litigation import read_review
from pipeline.read.solver import Relation, application_relations, consistent_readings
from pipeline.read.tables import TableReading, read_active, read_applications
from schemas.layout import APPLICANT_COLUMNS, APPLICATION_ROWS, REVIEW_KEYS
from schemas.reading import Status

ROWS = APPLICATION_ROWS["2021"]


def one_liner(runs: dict[str, str]) -> str:
    """Section 三 dumped by a crawler: every label glued to its row's run, zeros where not given."""
    return "".join(row.label + runs.get(row.key, "0000000") for row in ROWS)


def read(text: str, template: str = "2021") -> TableReading:
    return read_applications((0, len(text)), template, Document(source="t.txt", kind="text", text=text))


def row(result: TableReading, key: str) -> list[object]:
    return [result.readings[f"{key}.{c}"].value for c in APPLICANT_COLUMNS]


def test_a_run_with_a_unique_split_is_read() -> None:
    keys = ("applications.new_received", "applications.granted", "applications.total")
    result = read(one_liner(dict.fromkeys(keys, "120000012")))  # only 12/0/0/0/0/0/12 adds up
    assert row(result, "applications.granted") == [12, 0, 0, 0, 0, 0, 12]
    assert result.readings["applications.granted.natural_person"].source is not None


def test_a_run_with_two_valid_splits_stays_null_with_both_candidates() -> None:
    # 12/3/0/0/1/0/16 and 1/2/3/0/0/10/16 both add up; nothing else in the table tells them apart
    result = read(one_liner({"applications.granted": "123001016"}))
    cell = result.readings["applications.granted.natural_person"]
    assert cell.value is None and cell.status is Status.AMBIGUOUS
    assert {1, 12} <= set(cell.candidates)
    assert result.readings["applications.granted.total"].value == 16
    assert any(f.rule == "ambiguous" and cell.key in f.fields for f in result.findings)


def test_the_column_sums_choose_between_the_splits() -> None:
    # the same run, but （七）总计 printed with its cells apart: S3 fixes every column of 予以公开
    runs = {
        "applications.new_received": "123001016",
        "applications.granted": "123001016",
        "applications.total": " 12 3 0 0 1 0 16 ",
    }
    result = read(one_liner(runs))
    assert row(result, "applications.granted") == [12, 3, 0, 0, 1, 0, 16]
    assert row(result, "applications.new_received") == [12, 3, 0, 0, 1, 0, 16]


def test_a_choice_the_sums_made_on_a_row_in_doubt_is_in_doubt_too() -> None:
    # （七）总计 printed `123` for 12 and 3: only the cut 12|3 adds up, yet a stray space may as well
    # have joined two cells, so its reading is in doubt; the detail rows' cuts rest on it
    for total, doubted in ((" 12 3 0 0 1 0 16 ", False), (" 123 0 0 1 0 16 ", True)):
        runs = {
            "applications.new_received": "123001016",
            "applications.granted": "123001016",
            "applications.total": total,
        }
        result = read(one_liner(runs))
        assert row(result, "applications.granted") == [12, 3, 0, 0, 1, 0, 16]
        leaning = {field for f in result.findings if f.rule == "chosen_on_doubt" for field in f.fields}
        if not doubted:
            assert not leaning
            continue
        # the cells the two cuts 12/3/0/0/1/0/16 and 1/2/3/0/0/10/16 disagree on, not the rest
        granted = {f"applications.granted.{c}" for c in ("natural_person", "commercial", "research")}
        assert granted | {"applications.granted.legal_service", "applications.granted.other_org"} <= leaning
        assert "applications.granted.social_welfare" not in leaning
        assert "applications.granted.total" not in leaning


def test_a_filers_slip_in_one_relation_leaves_the_others_to_decide() -> None:  # P8, P28
    # （七）总计 printed 17 for 16: S3 of the 总计 column fails whatever the cut, so it is the
    # filer's (the validators report it); the other columns still choose 12/3/0/0/1/0/16
    runs = {"applications.granted": "123001016", "applications.total": " 12 3 0 0 1 0 17 "}
    assert row(read(one_liner(runs)), "applications.granted") == [12, 3, 0, 0, 1, 0, 16]


def test_a_table_that_contradicts_itself_in_two_places_chooses_nothing() -> None:  # P8
    runs = {"applications.granted": "123001016", "applications.total": " 12 3 0 0 2 0 17 "}
    result = read(one_liner(runs))
    assert result.readings["applications.granted.natural_person"].value is None


def test_section_two_runs_keep_their_candidates(tmp_path: object) -> None:  # P23: no relation to split them
    text = "规章000行政规范性文件4213第二十条第（五）项行政许可5"
    result = read_active((0, len(text)), "2021", Document(source="t.txt", kind="text", text=text))
    assert [result.readings[f"active.rules.{c}"].value for c in ("issued", "repealed", "in_force")] == [
        0,
        0,
        0,
    ]
    issued = result.readings["active.normative_docs.issued"]
    assert issued.value is None and {4, 42} <= set(issued.candidates)
    assert result.readings["active.licensing.decisions"].value == 5


def test_consistent_readings_keeps_only_what_some_solution_uses() -> None:
    relation = Relation("sum", (("total", 1), ("a", -1), ("b", -1)))
    readings = {"a": [(1.0,), (2.0,)], "b": [(5.0,)], "total": [(7.0,), (9.0,)]}
    assert consistent_readings(readings, [relation], 1).kept == {"a": [1], "b": [0], "total": [0]}
    # a relation no choice satisfies is the filer's slip: it chooses nothing, the others decide
    slip = {"a": [(1.0, 1.0), (2.0, 3.0)], "b": [(5.0, 5.0)], "total": [(99.0, 8.0)]}
    assert consistent_readings(slip, [relation], 2) == ({"a": [1], "b": [0], "total": [0]}, "chosen")
    # more than one broken whatever the choice: the relations are no evidence at all
    unsolvable = {"a": [(1.0, 1.0), (2.0, 3.0)], "b": [(5.0, 5.0)], "total": [(99.0, 99.0)]}
    choice = consistent_readings(unsolvable, [relation], 2)
    assert choice == ({"a": [0, 1], "b": [0], "total": [0]}, "contradictory")


def test_solving_imports_no_pandas() -> None:
    # OR-Tools' cp_model imports pandas: ~0.25 s and ~80 MB in every worker, for a tiny model
    solve = (
        "import sys; from pipeline.read.solver import Relation, consistent_readings, warm_up; warm_up(); "
        "relation = Relation('sum', (('total', 1), ('a', -1))); "
        "choice = consistent_readings({'a': [(1.0,), (2.0,)], 'total': [(2.0,)]}, [relation], 1); "
        "print(choice.kept['a'], 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", solve], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[1]", "False"]


def test_the_relations_are_s3_and_s1_of_the_format() -> None:
    s3, s1 = application_relations("2019")
    assert s3.terms[0] == ("applications.total", 1) and ("applications.other", -1) in s3.terms
    assert {key for key, _ in s1.terms} == {
        "applications.new_received",
        "applications.carried_over",
        "applications.total",
        "applications.carried_forward",
    }


def test_a_stray_space_inside_a_number_is_taken_only_when_the_arithmetic_needs_it() -> None:  # P24
    runs = {"applications.granted": " 1 4 0 0 0 0 14 ", "applications.partial": " 3 0 0 0 0 0 3 "}
    result = read(one_liner(runs))
    assert row(result, "applications.partial") == [3, 0, 0, 0, 0, 0, 3]  # spaces kept where they add up
    granted = [result.readings[f"applications.granted.{c}"] for c in APPLICANT_COLUMNS]
    assert granted[-1].value == 14 and 14 in granted[0].candidates  # "1 4" is 14, its column open


def test_blank_or_zero_reads_zero_only_where_most_readings_print_the_cell() -> None:
    # six zeros for seven columns: one blank dropped somewhere, every cell 0 or blank
    result = read(one_liner({"applications.partial": "000000"}))
    cell = result.readings["applications.partial.natural_person"]
    assert (cell.value, cell.candidates) == (0, [0, None])
    assert any(f.rule == "blank_or_zero" for f in result.findings)
    # three nil marks for fifteen columns (seed 津南's section 四, glued): mostly blank
    text = "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼总计无无无五、存在的主要问题"
    review = read_review((0, len(text)), Document(source="t.txt", kind="text", text=text))
    upheld = review.readings["review.upheld"]
    assert upheld.value is None and upheld.candidates == [0, None]


def test_a_row_seen_before_elsewhere_gets_its_readings_where_it_now_stands() -> None:
    """The readings of a glued row are remembered by its shape; a repeat must carry its own spans."""
    from pipeline.read.glued import Blocks, all_readings
    from pipeline.read.tokens import token_rows

    digits = "103000013"  # 10 3 0 0 0 0 | 13

    def row_at(offset: int) -> list:  # type: ignore[type-arg]
        return [c for row in token_rows(" " * offset + digits) for c in row]

    first = all_readings(row_at(0), 7, Blocks(7), False, frozenset())
    again = all_readings(row_at(40), 7, Blocks(7), False, frozenset())
    assert first and again and len(first) == len(again)
    for (cost_a, cells_a), (cost_b, cells_b) in zip(first, again, strict=True):
        assert cost_a == cost_b
        assert [c.text for c in cells_a] == [c.text for c in cells_b]
        assert [(c.start + 40, c.end + 40) for c in cells_a] == [(c.start, c.end) for c in cells_b]
        assert all((" " * 40 + digits)[c.start : c.end] == c.text for c in cells_b)


def test_section_four_glued_short_of_cells_is_cut_not_read_as_whole_missing_blocks() -> None:  # P21
    # ten cells as printed, fifteen once "0000" and "009" are cut: every block adds up one way
    text = "结果维持结果纠正其他结果尚未审结总计-0/0000—0-9/009"
    document = Document(source="t.txt", kind="text", text=text)
    read = read_review((0, len(text)), document).readings
    values = [read[key].value for key in REVIEW_KEYS]
    assert values == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 9]


def test_rows_no_relation_ties_do_not_drown_the_rows_it_does() -> None:  # P6
    # a dump that drops blank cells (lynx): 一 can be placed six ways and, with 四 missing, no
    # relation ties it; it must not multiply the solutions until the column sums give up on the
    # rows S3 does tie. Rows with a label and no value are blank: 0 in every column of S3.
    rows = APPLICATION_ROWS["2019"]
    runs = {
        "applications.new_received": "14 12 3 0 - 29",
        "applications.granted": "5 4 — 3 0 12",
        "applications.partial": "9 8 — 0 17",
        "applications.total": "14 12 0 3 0 无 29",
    }
    text = "".join(
        f"{r.label} {runs.get(r.key, '')}\n" for r in rows if r.key != "applications.carried_forward"
    )
    result = read(text, "2019")
    granted = row(result, "applications.granted")
    assert granted[:4] == [5, 4, 0, 3] and granted[-1] == 12
    assert row(result, "applications.partial")[:2] == [9, 8]


def test_the_readings_some_solution_uses_are_found_however_many_solutions_there_are() -> None:
    # twelve rows of 0 or 1 whose sum is 6 (924 solutions) beside one row of 0 or 100: every
    # solution reads that row 0, however many ways the others can be chosen
    parts = [f"row{i}" for i in range(12)]
    readings: dict[str, list[tuple[float, ...]]] = {key: [(0.0,), (1.0,)] for key in parts}
    readings |= {"total": [(6.0,)], "other": [(0.0,), (100.0,)]}
    relation = Relation("S", (("total", 1), *((key, -1) for key in [*parts, "other"])))
    choice = consistent_readings(readings, [relation], 1)
    assert choice.verdict == "chosen"
    assert choice.kept["other"] == [0]
    assert all(choice.kept[key] == [0, 1] for key in parts)


def test_a_total_read_blank_because_every_total_failed_its_sum_is_in_doubt() -> None:
    # PyMuPDF's text a cell a line: `16 11 0 2 0 31`, six values for seven cells. With a blank part
    # and 31 its 总计, no placement adds up (29, the filer's slip); the six parts with no 总计 have
    # no sum to fail, and are read, but nothing checked them
    def rows(summary: list[str]) -> str:
        return "".join(
            row.label + "\n" + "\n".join(summary if row.key in SUMMARY else ["0"] * 6) + "\n" for row in ROWS
        )

    for summary, doubted in (
        (["16", "11", "0", "2", "0", "31"], True),
        (["16", "11", "0", "2", "0", "29"], False),
    ):
        result = read(rows(summary))
        unsure = [
            f for f in result.findings if "applications.total.total" in f.fields and f.severity != "info"
        ]
        unchecked = any("no sum checks its parts" in f.message for f in unsure)
        assert unchecked == doubted, summary  # with 29, its 总计 adds up: read so, or left null
        assert not any("cuts a number" in f.message for f in result.findings)


SUMMARY = ("applications.new_received", "applications.total")
