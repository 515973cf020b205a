"""Cut a row's glued or running-text values into cells: every reading the arithmetic allows.

A run of digits may hold several cells ("123001016"), running text drops blank cells, a dash
glued to digits is a nil mark or a sign, and a space may be a slip inside a number. The search
places one slot at a time; the total closing an S2/S4 block is never searched for, it is the sum
of the block's cells, and cuts whose total could no longer be written are dropped early. Each
reading carries what it assumed, so the table's arithmetic and then the fewest assumptions can
choose (`pipeline.read.solver`). The search is bounded: past the bound nothing is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from pipeline.read.tokens import Cell, Kind

Slots = list[Cell]
BLANK = Kind.BLANK
# as `BLANK`: a member looked up on its enum class costs ~1,000 instructions (3.11's EnumType
# defines `__getattr__`), and the search asks for them at every cut
_NIL, _NUMBER = Kind.NIL, Kind.NUMBER
Shape = tuple[tuple[Kind, float | None], ...]


@dataclass(frozen=True)
class Blocks:
    """Every complete block of `size` cells ends with the sum of the others (S2 per row, S4 per block).

    A glued run is cut under this rule: the total closing a block is not searched for, it is the
    sum of the cells before it, so only the other cells' cuts are enumerated.
    """

    size: int


GLUED_CAP = 2_000  # readings of one row beyond which the row is left unread (never truncated and read)
SEARCH_BUDGET = 20_000  # cuts tried for one row; past it the row is left unread, not guessed


@dataclass(slots=True)
class _Search:
    cells: list[Cell]
    slots: int
    blocks: Blocks | None
    budget: int = SEARCH_BUDGET
    signed: frozenset[int] = frozenset()  # slots a dash may sign
    found: list[Slots] = field(default_factory=list)
    truncated: bool = False
    tried: int = 0
    # per cell index, over the cells from there on: digits (a whole cell counts one), sign dashes
    digits_from: list[int] = field(default_factory=list)
    signs_from: list[int] = field(default_factory=list)
    cuttable: list[bool] = field(default_factory=list)  # per cell index: `splittable`, asked at every cut
    row: Slots = field(default_factory=list)  # the reading being placed

    def __post_init__(self) -> None:
        signs = [_is_sign(c, self.cells, i) for i, c in enumerate(self.cells)]
        self.cuttable = [splittable(cell) for cell in self.cells]
        self.digits_from = [0] * (len(self.cells) + 1)
        self.signs_from = [0] * (len(self.cells) + 1)
        for i in range(len(self.cells) - 1, -1, -1):
            cell = self.cells[i]
            self.digits_from[i] = self.digits_from[i + 1] + (len(cell.text) if self.cuttable[i] else 1)
            self.signs_from[i] = self.signs_from[i + 1] + signs[i]


def glued_readings(
    cells: list[Cell],
    slots: int,
    blocks: Blocks | None,
    blanks: int = 0,
    budget: int = SEARCH_BUDGET,
    signed: frozenset[int] = frozenset(),
) -> tuple[list[Slots], int]:
    """Every way to cut the row's digit runs into cells (no leading zeros but a lone 0), with
    `blanks` blank cells put back where running text dropped them, to make exactly `slots` cells.

    Cell boundaries in the text are kept; only inside a run of digits may new ones fall, and a
    dash glued to digits ("6-61") is either a cell of its own (a nil mark) or the next number's
    sign. A blank closes a block only when the block is all zero: a total left blank would let any
    cut "add up". Returns the readings and the cuts tried; past `budget` cuts, or `GLUED_CAP`
    readings, the search stops and returns no reading (a partial list may not be trusted).
    """
    search = _Search(cells, slots, blocks, budget=budget, signed=signed)
    if cells:
        _extend(search, 0, 0, blanks, 1, 0)
    return ([] if search.truncated else search.found), (-1 if search.truncated else search.tried)


def _extend(search: _Search, index: int, offset: int, blanks: int, sign: int, partial: float) -> None:
    """Place the next slot from cell `index`, `offset` digits into it, or a dropped blank.

    `search.row` is the reading so far, which the search grows and shrinks (a reading found is
    copied); `partial` is the sum of its cells in the block not yet closed (a blank counts 0), kept
    along rather than summed again at every cut.
    """
    search.tried += 1
    search.truncated = search.truncated or search.tried > search.budget
    if search.truncated:
        return
    cells, slots, row = search.cells, search.slots, search.row
    placed = len(row)  # the same after every `_place`, which takes back the slot it adds
    forced = _forced_total(search.blocks, placed, partial)
    if index == len(cells):
        if placed == slots and not blanks:
            search.found.append(list(row))
            search.truncated = len(search.found) > GLUED_CAP
        elif placed + blanks == slots and _may_be_blank(forced):
            _place(search, blank_at(cells[-1]), index, offset, blanks - 1, sign, partial)
        return
    if placed == slots or not _room_for(search, index, offset, slots - placed - blanks):
        return
    cell = cells[index]
    at = cell.start + offset
    if blanks and sign == 1 and _may_be_blank(forced):
        _place(search, Cell("", at, at, BLANK), index, offset, blanks - 1, 1, partial)
    if sign == 1 and placed in search.signed and _is_sign(cell, cells, index):
        _extend(search, index + 1, 0, blanks, -1, partial)  # the dash is the next number's sign
    if not search.cuttable[index]:
        if sign == 1 and _closes_block(forced, cell):
            _place(search, cell, index + 1, 0, blanks, 1, partial)
        elif sign == -1 and cell.kind is _NUMBER and cell.value and cell.value > 0:
            _place(search, _negated(cell), index + 1, 0, blanks, 1, partial)
        return
    digits = cell.text[offset:]
    lengths = [len(str(forced))] if forced is not None else range(1, len(digits) + 1)
    for size in lengths:
        piece = digits[:size]
        if len(piece) < size or (size > 1 and piece.startswith("0")) or (sign == -1 and piece == "0"):
            break
        value = sign * int(piece)
        if forced is not None and value != forced:
            return
        digits_left = search.digits_from[index] - offset - size
        if forced is None and not _total_fits(search, placed + 1, partial + value, digits_left, blanks):
            break  # the block's total could no longer be written with the digits left
        start = at - (1 if sign == -1 else 0)
        part = Cell(("-" if sign == -1 else "") + piece, start, at + size, _NUMBER, value)
        if size == len(digits):
            _place(search, part, index + 1, 0, blanks, 1, partial)
        else:
            _place(search, part, index, offset + size, blanks, 1, partial)


def _place(
    search: _Search, cell: Cell, index: int, offset: int, blanks: int, sign: int, partial: float
) -> None:
    """`_extend` with `cell` as the reading's next slot."""
    row = search.row
    row.append(cell)
    closed = search.blocks is not None and len(row) % search.blocks.size == 0
    _extend(search, index, offset, blanks, sign, 0 if closed else partial + number_of(cell))
    row.pop()


def _total_fits(search: _Search, length: int, partial: float, digits_left: int, blanks: int) -> bool:
    """Whether the current block's total, at least the sum so far, still has digits to be written in
    (`length`: the cells placed, the new one included; `partial`: the block's sum with it)."""
    blocks = search.blocks
    if blocks is None:
        return True
    placed = length % blocks.size
    if placed == 0:
        return True
    needed = len(str(int(abs(partial)))) if partial else 1
    before_total = max(0, blocks.size - 1 - placed - blanks)
    return needed <= digits_left - before_total


def _is_sign(cell: Cell, cells: list[Cell], index: int) -> bool:
    """A lone dash glued to the digits after it (in running text) may be their sign."""
    following = cells[index + 1] if index + 1 < len(cells) else None
    return (
        cell.kind is _NIL
        and cell.text in ("-", "−")
        and following is not None
        and following.kind is _NUMBER
        and following.start == cell.end
        and following.text[:1].isdigit()
    )


def _negated(cell: Cell) -> Cell:
    value = -cell.value if cell.value is not None else None
    return Cell("-" + cell.text, cell.start - 1, cell.end, _NUMBER, value, cell.unit)


def _room_for(search: _Search, index: int, offset: int, left: int) -> bool:
    """Whether the cells from here can still make `left` slots (a sign dash makes none)."""
    rest = len(search.cells) - index
    return rest - search.signs_from[index] <= left <= search.digits_from[index] - offset


def _forced_total(blocks: Blocks | None, length: int, partial: float) -> int | None:
    """The value the next slot must hold when it closes a block, else None (`length`: the cells
    placed; `partial`: the sum of the block's cells so far)."""
    if blocks is None or (length + 1) % blocks.size:
        return None
    return int(partial) if float(partial).is_integer() else None


def _may_be_blank(forced: int | None) -> bool:
    """A dropped blank may stand anywhere but as the total of a block whose cells are not all 0."""
    return forced in (None, 0)


def _closes_block(forced: int | None, cell: Cell) -> bool:
    """A fixed cell in a block's last slot must be its total (or blank: total not printed)."""
    return forced is None or cell.kind is BLANK or number_of(cell) == forced


def splittable(cell: Cell) -> bool:
    return cell.kind is _NUMBER and cell.text.isdigit() and len(cell.text) > 1


def surely_glued(cell: Cell) -> bool:
    """A run of digits no count is written as (`0000000`, `012`): cells glued, whatever the layout."""
    return splittable(cell) and cell.text[0] == "0"


Found = list[tuple[int, Slots]] | None
# a row's readings can be many cells each: 1,024 rows keep memory flat over a corpus (4,096 grew
# PSS by a fifth from 500 to 5,000 documents), for ~3 % more time a document
_MEMO_SIZE = 1024
_memo: dict[tuple[object, ...], tuple[int, Found]] = {}


def all_readings(
    cells: list[Cell], slots: int, blocks: Blocks | None, inline: bool, signed: frozenset[int]
) -> Found:
    """Every reading of the row with what it assumed; None when the search passed its bound.

    Rows recur across reports (all zeros, above all) wherever they stand in the text, so the
    readings are remembered by the row's cells relative to its first and moved to where it stands.
    """
    base = cells[0].start if cells else 0
    key = (tuple(_relative(cell, base) for cell in cells), slots, blocks, inline, signed)
    remembered = _memo.get(key)
    if remembered is None:
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()
        remembered = _memo[key] = (base, _search_readings(cells, slots, blocks, inline, signed))
    was, found = remembered
    if found is None or was == base:
        return found
    return [(cost, [_moved(cell, base - was) for cell in reading]) for cost, reading in found]


def _relative(cell: Cell, base: int) -> tuple[object, ...]:
    return (
        cell.text,
        cell.kind,
        cell.value,
        cell.unit,
        cell.soft,
        cell.inline,
        cell.x,
        cell.start - base,
        cell.end - base,
    )


def _moved(cell: Cell, delta: int) -> Cell:
    # the constructor, not `dataclasses.replace`: a third of the cost, for every cell of a remembered row
    c = cell
    return Cell(c.text, c.start + delta, c.end + delta, c.kind, c.value, c.unit, c.soft, c.inline, c.x)


def _search_readings(
    cells: list[Cell], slots: int, blocks: Blocks | None, inline: bool, signed: frozenset[int]
) -> Found:
    """`all_readings`, searched.

    Each blank put back costs one; where spaces separate the values (so a glued pair is a slip,
    not the rule) each cut inside a value, and each space taken for a stray one inside a number
    (P24: "1 400"), costs two. Stray spaces are only tried when no reading holds without them.
    """
    found: dict[Shape, tuple[int, Slots]] = {}
    budget = SEARCH_BUDGET
    fewest_joins: int | None = None  # of the first variant with a reading
    for joins, variant in _stray_space_variants(cells):
        if fewest_joins is not None and joins > fewest_joins:
            break  # every variant with as few stray spaces is tried: each may be the row's
        spent = _readings_with_blanks(variant, slots, blocks, inline, signed, budget, 2 * joins, found)
        if spent < 0:
            return None
        budget -= spent
        if found and fewest_joins is None:
            fewest_joins = joins
    return list(found.values())


def _readings_with_blanks(
    cells: list[Cell],
    slots: int,
    blocks: Blocks | None,
    inline: bool,
    signed: frozenset[int],
    budget: int,
    base_cost: int,
    found: dict[Shape, tuple[int, Slots]],
) -> int:
    """Add the readings with 0, 1, … blanks put back to `found`; the cuts tried, or -1 past a cap."""
    spaced = any(c.soft for c in cells)
    # a dash that may sign the number after it makes no cell of its own: room for one more blank
    signs = sum(_is_sign(cell, cells, i) for i, cell in enumerate(cells)) if signed else 0
    spent = 0
    first: int | None = None  # the fewest blanks with a reading; two more are never the best reading
    for blanks in range(max(0, slots - len(cells) + signs) + 1 if inline else 1):
        if first is not None and blanks > first + 1:
            break
        readings, tried = glued_readings(cells, slots, blocks, blanks, budget - spent, signed)
        if tried < 0 or len(found) + len(readings) > GLUED_CAP:
            # the fewest-blank readings are all there; costlier ones would lose to them
            return spent if first is not None and blanks > first else -1
        spent += tried
        if readings and first is None:
            first = blanks
        for reading in readings:
            cost = base_cost + blanks + cuts_cost(max(0, slots - blanks - len(cells)), spaced)
            cost += _dashes_parted(reading, signed) * (2 if spaced else 1)
            found.setdefault(tuple((c.kind, c.value) for c in reading), (cost, reading))
    return spent


def cuts_cost(cuts: int, spaced: bool) -> int:
    """What cuts inside values cost a reading: nothing in glued text, two each where spaces part the
    values (`spaced`), as a glued pair there is a slip, not the rule."""
    return 2 * cuts if spaced else 0


def _dashes_parted(reading: Slots, signed: frozenset[int]) -> int:
    """Dashes of the reading read as a nil cell of a signed column though glued to the number after
    them (`2-2`: 2, -, 2 rather than 2, -2 and a blank): as much an assumption as the blank the
    sign's reading puts back, in glued text, and a cut inside a value where spaces part the others."""
    return sum(
        1
        for slot in signed
        if slot + 1 < len(reading)
        and reading[slot].kind is _NIL
        and reading[slot].text in ("-", "−")
        and reading[slot + 1].kind is _NUMBER
        and reading[slot + 1].start == reading[slot].end
        and reading[slot + 1].text[:1].isdigit()
    )


def _stray_space_variants(cells: list[Cell]) -> list[tuple[int, list[Cell]]]:
    """The cells as printed, then with one, then two spaces between digits taken as stray; not
    after a run of zeros, which joined to the digits after it is cut as they stand (`0 0 0`, a row
    of zeros, has no slip to try)."""
    joints = [
        i
        for i in range(1, len(cells))
        if cells[i].soft
        and cells[i].text.isdigit()
        and cells[i - 1].text.isdigit()
        and cells[i - 1].text.strip("0")
    ]
    variants = [(0, cells)]
    for count in (1, 2):
        variants += [(count, joined_cells(cells, chosen)) for chosen in combinations(joints, count)]
    return variants


def joined_cells(cells: list[Cell], joints: tuple[int, ...]) -> list[Cell]:
    """Cells with each chosen one glued onto the one before it (its digits then run on)."""
    out: list[Cell] = []
    for index, cell in enumerate(cells):
        if index in joints:
            before = out.pop()
            digits = before.text + cell.text
            out.append(Cell(digits, before.start, cell.end, _NUMBER, int(digits), inline=True))
        else:
            out.append(cell)
    return out


def number_of(cell: Cell) -> float:
    return float(cell.value) if cell.value is not None else 0.0


def blank_at(cell: Cell) -> Cell:
    return Cell("", cell.end, cell.end, Kind.BLANK)
