"""One self-contained HTML page for an eval run: headline, per-field heat maps, group tables and the
worst documents with the source text around their failing rows."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from evals.runs import EvalRun
from evals.score import DocumentResult, Outcome, Tally
from schemas.layout import (
    ACTIVE_BLOCKS,
    APPLICANT_LABELS,
    APPLICATION_ROWS,
    OUTCOME_COLUMNS,
    OUTCOME_LABELS,
    REVIEW_BLOCK_LABELS,
    REVIEW_BLOCKS,
    Row,
    row_keys,
)

WORST = 10  # documents shown in detail
SNIPPET_BEFORE, SNIPPET_AFTER = 60, 320

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ccc;border-radius:6px;padding:8px 14px}
.card b{display:block;font-size:22px}.heat td.sq{width:34px;height:22px;font-size:11px;text-align:center}
.heat td.none{background:#eee;color:#999}pre{background:#f8f8f8;border:1px solid #ddd;padding:6px;
white-space:pre-wrap;font-size:12px}mark{background:#ffe066}.muted{color:#777;font-size:12px}
"""

_SECTION_HEADINGS = {"二": "二、主动公开", "三": "三、收到和处理", "四": "四、政府信息公开行政复议"}


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _colour(accuracy: float) -> str:
    return f"hsl({round(120 * accuracy)},70%,78%)"


def _tally_title(key: str, tally: Tally) -> str:
    errors = ", ".join(f"{name} {n}" for name, n in sorted(tally.outcomes.items()) if name != Outcome.CORRECT)
    return f"{key}: {tally.correct}/{tally.fields} right" + (f"; {errors}" if errors else "")


# --- headline and tables ----------------------------------------------------------------------


def _identity(run: EvalRun) -> str:
    rows = [
        ("created", run.created),
        ("backend", run.backend),
        ("model", run.model or "—"),
        ("endpoint", run.base_url or "—"),
        ("package version", run.package_version),
        ("fixtures", f"{run.fixtures_dir} ({run.fixture_set_hash[:16]})"),
        ("prompts", "; ".join(f"{n}: {', '.join(v)}" for n, v in run.prompt_versions.items()) or "—"),
        ("time", f"{run.seconds:.1f} s"),
        (
            "usage",
            f"{run.usage.calls} calls ({run.usage.cached_calls} cached, {run.usage.failed_calls} failed), "
            f"{run.usage.prompt_tokens}+{run.usage.completion_tokens} tokens, ${run.usage.cost_usd:.4f}",
        ),
    ]
    body = "".join(f'<tr><th class="l">{escape(k)}</th><td class="l">{escape(v)}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"


def _cards(tally: Tally) -> str:
    cards = [
        ("accuracy", _pct(tally.accuracy), f"{tally.correct}/{tally.fields} fields"),
        ("non-zero recall", _pct(tally.nonzero_recall), f"{tally.nonzero_found}/{tally.nonzero_expected}"),
        (
            "non-zero precision",
            _pct(tally.nonzero_precision),
            f"{tally.nonzero_right}/{tally.nonzero_claimed}",
        ),
        ("perfect documents", f"{tally.perfect}/{tally.documents}", ""),
        ("silent errors", str(tally.silent_errors), "wrong and not flagged"),
        ("unflagged values", str(tally.unflagged_values), "wrong values in no doubtful cell"),
        ("needless flags", str(tally.needless_flags), "right but flagged"),
    ]
    body = "".join(
        f'<div class="card">{escape(name)}<b>{escape(value)}</b>'
        f'<span class="muted">{escape(note)}</span></div>'
        for name, value, note in cards
    )
    return f'<div class="cards">{body}</div>'


def _group_table(groups: dict[str, Tally], title: str, documents: bool = True) -> str:
    heads = [
        title,
        "fields",
        "accuracy",
        "nz recall",
        "nz precision",
        "null→0",
        "0→null",
        "missing",
        "wrong tpl",
    ]
    if documents:
        heads[1:1] = ["docs", "perfect", "silent", "unflagged", "needless"]
    rows = []
    for name, t in groups.items():
        cells = [str(t.fields), _pct(t.accuracy), _pct(t.nonzero_recall), _pct(t.nonzero_precision)]
        cells += [str(t.outcomes.get(o.value, 0)) for o in _CONFUSIONS]
        if documents:
            cells[0:0] = [
                str(t.documents),
                str(t.perfect),
                str(t.silent_errors),
                str(t.unflagged_values),
                str(t.needless_flags),
            ]
        rows.append(
            f'<tr><td class="l">{escape(name)}</td>'
            + "".join(f"<td>{escape(c)}</td>" for c in cells)
            + "</tr>"
        )
    head = "".join(f'<th class="{"l" if i == 0 else ""}">{escape(h)}</th>' for i, h in enumerate(heads))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


_CONFUSIONS = (Outcome.NULL_AS_ZERO, Outcome.ZERO_AS_NULL, Outcome.MISSING_KEY, Outcome.WRONG_TEMPLATE)


# --- heat maps --------------------------------------------------------------------------------


def _field_tallies(documents: Iterable[DocumentResult], template: str) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for document in documents:
        if document.template == template:
            for key, result in document.scored().items():
                tallies.setdefault(key, Tally()).add_field(key, result)
    return tallies


def _square(key: str, tallies: dict[str, Tally]) -> str:
    tally = tallies.get(key)
    if tally is None or not tally.fields:
        return f'<td class="sq none" title="{escape(key)}: no data">·</td>'
    style = f"background:{_colour(tally.accuracy)}"
    title = escape(_tally_title(key, tally))
    return f'<td class="sq" style="{style}" title="{title}">{round(100 * tally.accuracy)}</td>'


def _heat_rows(
    rows: Sequence[tuple[str, Sequence[str]]],
    heads: Sequence[str],
    tallies: dict[str, Tally],
    corner: str = "",
) -> str:
    head = f'<th class="l">{escape(corner)}</th>' + "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = "".join(
        f'<tr><td class="l">{escape(label)}</td>{"".join(_square(k, tallies) for k in keys)}</tr>'
        for label, keys in rows
    )
    return f'<table class="heat"><tr>{head}</tr>{body}</table>'


def _row_label(row: Row) -> str:
    return f"{row.group} {row.label}" if row.group else row.label


def _heat_maps(run: EvalRun) -> str:
    """Per format, the three tables drawn as they are printed, one square per cell."""
    parts = []
    for template in sorted({d.template for d in run.documents}):
        tallies = _field_tallies(run.documents, template)
        meta = [("meta", ("meta.agency", "meta.year", "meta.template"))]
        applications = [(_row_label(row), row_keys(row)) for row in APPLICATION_ROWS[template]]
        review = [
            (label, tuple(f"{block}.{c}" for c in OUTCOME_COLUMNS))
            for block, label in zip(REVIEW_BLOCKS, REVIEW_BLOCK_LABELS, strict=True)
        ]
        parts.append(f"<h3>format {escape(template)}</h3>")
        parts.append(_heat_rows(meta, ["agency", "year", "template"], tallies))
        parts.append("<p>二 主动公开政府信息情况</p>")
        parts.extend(
            _heat_rows(
                [(row.label, row_keys(row)) for row in block.rows], block.headers, tallies, block.caption
            )
            for block in ACTIVE_BLOCKS[template]
        )
        parts.append("<p>三 收到和处理政府信息公开申请情况</p>")
        parts.append(_heat_rows(applications, APPLICANT_LABELS, tallies))
        parts.append("<p>四 行政复议、行政诉讼情况</p>")
        parts.append(_heat_rows(review, OUTCOME_LABELS, tallies))
    return "".join(parts)


# --- worst documents --------------------------------------------------------------------------


def document_text(path: Path) -> str | None:
    """The text of a fixture document: .txt decoded directly, other kinds through the pipeline loader."""
    if path.suffix == ".txt":
        data = path.read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")
    try:
        loader = getattr(importlib.import_module("pipeline.load"), "load_document", None)
        return str(loader(path).text) if loader else None
    except Exception:  # a snippet is a convenience: an unreadable document only loses its snippet
        return None


def _anchors() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Canonical key -> (section, the label cores that find its row in the text)."""
    anchors: dict[str, tuple[str, tuple[str, ...]]] = {}
    for template, blocks in ACTIVE_BLOCKS.items():
        for row in (row for block in blocks for row in block.rows):
            anchors.update(dict.fromkeys(row_keys(row), ("二", row.match)))
        for row in APPLICATION_ROWS[template]:
            anchors.update(dict.fromkeys(row_keys(row), ("三", row.match)))
    for block, label in zip(REVIEW_BLOCKS, REVIEW_BLOCK_LABELS, strict=True):
        anchors.update({f"{block}.{c}": ("四", (label,)) for c in OUTCOME_COLUMNS})
    return anchors


_ANCHORS = _anchors()


def _loose(core: str) -> str:
    """A pattern for `core` that tolerates whitespace inside it (wrapped cells, P3)."""
    return r"\s*".join(re.escape(char) for char in core if not char.isspace())


def _locate(text: str, key: str) -> re.Match[str] | None:
    section, cores = _ANCHORS.get(key, ("", ()))
    heading = re.search(_loose(_SECTION_HEADINGS[section]), text) if section in _SECTION_HEADINGS else None
    start = heading.start() if heading else 0
    for core in cores:
        match = re.compile(_loose(core)).search(text, start) or re.search(_loose(core), text)
        if match:
            return match
    return None


def _snippet(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - SNIPPET_BEFORE), min(len(text), match.end() + SNIPPET_AFTER)
    return (
        f"<pre>{escape(text[start : match.start()])}<mark>{escape(match.group())}</mark>"
        f"{escape(text[match.end() : end])}</pre>"
    )


def _document_detail(document: DocumentResult, fixtures_dir: Path) -> str:
    wrong = document.wrong
    facts = (
        f"layout {document.layout}, format {document.template}, record format {document.record_template}, "
        f"needs_review {document.needs_review}, {len(wrong)} wrong of {len(document.scored())}"
        + (f", error: {document.error}" if document.error else "")
    )
    rows = "".join(
        f'<tr><td class="l">{escape(key)}</td><td>{escape(repr(r.expected))}</td>'
        f'<td>{escape(repr(r.got))}</td><td class="l">{escape(r.outcome.value)}</td></tr>'
        for key in wrong[:40]
        for r in [document.fields[key]]
    )
    more = f'<p class="muted">… and {len(wrong) - 40} more</p>' if len(wrong) > 40 else ""
    parts = [
        f"<h3>{escape(document.case)}</h3><p>{escape(facts)}</p>",
        f'<table><tr><th class="l">field</th><th>expected</th><th>got</th><th class="l">outcome</th></tr>'
        f"{rows}</table>{more}",
    ]
    text = document_text(fixtures_dir / document.document)
    if text is None:
        parts.append('<p class="muted">no source text for this document</p>')
        return "".join(parts)
    shown: set[int] = set()
    for key in wrong:
        match = _locate(text, key)
        if match and match.start() not in shown and len(shown) < 6:
            shown.add(match.start())
            parts.append(f'<p class="muted">near {escape(key)}</p>{_snippet(text, match)}')
    return "".join(parts)


def render_report(run: EvalRun, fixtures_dir: Path) -> str:
    """The whole page."""
    summary = run.summary
    worst = sorted((d for d in run.documents if not d.perfect), key=lambda d: (-len(d.wrong), d.case))[:WORST]
    body = [
        f"<h1>Eval run {escape(run.label)}</h1>",
        _identity(run),
        "<h2>Headline</h2>",
        _cards(summary.overall),
        "<h2>Fields</h2>",
        '<p class="muted">Each square is one field: the share of documents right (hover for counts).</p>',
        _heat_maps(run),
        "<h2>By layout</h2>",
        _group_table(summary.by_layout, "layout"),
        "<h2>By format</h2>",
        _group_table(summary.by_format, "format"),
        "<h2>By noise tag</h2>",
        _group_table(summary.by_tag, "tag"),
        "<h2>By section</h2>",
        _group_table(summary.by_section, "section", documents=False),
        f"<h2>Worst documents ({len(worst)})</h2>",
        *(_document_detail(document, fixtures_dir) for document in worst),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>Eval {escape(run.label)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write_report(run: EvalRun, out: Path, fixtures_dir: Path) -> Path:
    """Write the report page to `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(run, fixtures_dir), encoding="utf-8")
    return out
