"""What PDF→markdown converters make of the tables (template.md P26, P29): pipe rows, some of them
without their label while the label sits elsewhere as loose wrapped lines, merged group labels as
an extra first column in fragments, header fragments or invented headers as the header row."""

from __future__ import annotations

from collections.abc import Sequence

from evals.synth.document import Block
from evals.synth.noise import Style
from evals.synth.tables import Table
from evals.synth.variants import Row, table_rows

_INVENTED = (
    ("项目", "数据1", "数据2", "数据3", "数据4", "数据5", "数据6", "总计"),
    ("", "列1", "列2", "列3", "列4", "列5", "列6", "列7"),
    ("项目", "本年新收件数", "上年结转件数", "予以公开", "部分公开", "不予公开", "无法提供", "不予处理"),
)


def render_orphans(blocks: Sequence[Block], style: Style) -> tuple[str, list[str]]:
    """The report as a PDF→markdown converter writes it; notes on the orphaned rows."""
    rate = style.rng.uniform(0.15, 0.45)  # the share of rows that lose their label
    lines: list[str] = []
    orphans: list[str] = []
    for block in blocks:
        lines += ["", block, ""] if isinstance(block, str) else _table_lines(block, rate, orphans, style)
    loose = "; ".join(orphans)
    notes = [f"{len(orphans)} rows printed without their label, the label as loose lines: {loose}"]
    return "\n".join(lines).strip("\n") + "\n", notes


def _table_lines(table: Table, rate: float, orphans: list[str], style: Style) -> list[str]:
    """One table as pipe rows, broken where an orphaned label was printed between its rows."""
    rng = style.rng
    lines: list[str] = []
    chunk: list[str] = []  # the pipe rows of the current stretch of table
    trailing: list[str] = []  # loose label lines the converter put after the table
    pad = rng.random() < 0.5  # rows outside a group keep an empty group column
    headers = rng.choice(("written", "fragments", "invented" if table.name == "三" else "fragments"))
    for i, row in enumerate(table_rows(table)):
        if not row.values:
            if headers != "invented":
                chunk.append(_header(row, headers == "fragments", style))
            elif i == 0:  # P29: one made-up header row over the applicant columns
                chunk.append(_pipe(rng.choice(_INVENTED)))
            continue
        if row.results_index == 0 and "\n" not in row.results and rng.random() < 0.5:
            _flush(chunk, lines)  # the merged 三、本年度办理结果 printed as a line of its own
            lines.append(row.results)
        label = _flat(row.label)
        if label and rng.random() < rate:
            loose = _wrap(label, rng.randint(8, 14))
            orphans.append(label)
            if rng.random() < 0.5:
                _flush(chunk, lines)
                lines.extend(loose)
            else:
                trailing.extend(loose)
            label = ""
        cells = [cell.text.replace("\n", " ") for cell in row.values]
        lead = [label] if label or table.name != "四" else []
        if table.name == "三":
            lead = _group_column(row, pad) + lead
        chunk.append(_pipe([*lead, *cells]))
    _flush(chunk, lines)
    return lines + trailing


def _flush(chunk: list[str], lines: list[str]) -> None:
    """End a stretch of pipe rows: its first row becomes a header with its separator."""
    if chunk:
        width = chunk[0].count("|") - 1
        lines.extend([chunk[0], "|" + "---|" * width, *chunk[1:]])
        chunk.clear()


def _flat(text: str) -> str:
    """A label on one line."""
    return text.replace("\n", "")


def _wrap(text: str, width: int) -> list[str]:
    """A label wrapped as a narrow PDF column wraps it (5.属于三类内部事务信 ¶ 息)."""
    return [text[i : i + width] for i in range(0, len(text), width)]


def _pipe(cells: Sequence[str]) -> str:
    """One markdown row."""
    return "| " + " | ".join(cells) + " |"


def _group_column(row: Row, pad: bool) -> list[str]:
    """The extra first column: a fragment of the merged group label on the middle rows of its group,
    or a character of 三、本年度办理结果 when that label was printed vertically."""
    if row.group:
        text = _flat(row.group)
        if row.group_size == 1:
            return [text]
        middle = max(0, row.group_size // 2 - 1)
        cut = 3 + len(text) % 3  # the same cut on every row of the group
        pieces = {middle: text[:cut], middle + 1: text[cut:]}
        return [pieces.get(row.group_index, "")]
    if row.results and "\n" in row.results:
        chars = row.results.split("\n")
        return [chars[row.results_index] if row.results_index < len(chars) else ""]
    return [""] if pad else []


def _header(row: Row, fragments: bool, style: Style) -> str:
    """A header row as written, or cut to the fragments a narrow column keeps (商业企业 -> 业)."""
    texts = [_flat(cell.text) for cell in row.cells]
    if fragments and not texts[0].startswith("第二十条"):  # captions span the page, unwrapped
        rng = style.rng
        texts = [text[len(text) // 2 + rng.randint(0, 1) :] if len(text) >= 2 else text for text in texts]
    return _pipe(texts)
