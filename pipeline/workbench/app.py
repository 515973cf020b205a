"""The workbench's web application: the queue, one document, decisions, PDF pages."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import jinja2
from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from pipeline.workbench.decisions import Action, Decision, DecisionStore
from pipeline.workbench.pages import document_context, next_open, show
from pipeline.workbench.queue import Filters, build_queue, choices
from pipeline.workbench.results import Run
from pipeline.workbench.security import AccessGuard, same
from pipeline.workbench.source import is_pdf, page_count, render_page
from schemas.keys import Value
from schemas.record import Record

NIL_MARKS = ("无", "/", "—", "-", "－")  # a cell holding one of these means 0 (spec README)
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


class Settings(BaseModel):
    """What one workbench serves and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    results: Path
    db: Path
    host: str = "127.0.0.1"
    port: int = 8750
    who: str = "reviewer"
    token: str | None = None  # required from clients when bound to a non-loopback address


class DecisionForm(BaseModel):
    """A POSTed decision, validated before it touches the store."""

    model_config = ConfigDict(extra="ignore")

    csrf: str
    key: str
    action: Action
    value: str = ""
    candidate: int | None = None
    reason: str = ""


class BadDecision(ValueError):
    """The form names a value the cell cannot take."""


def parse_value(key: str, text: str) -> Value:
    """A typed cell value: blank is null, 无 / "/" / "—" is 0, numbers as numbers, the agency as text."""
    text = text.strip()
    if key == "meta.agency":
        return text or None
    if not text:
        return None
    if text in NIL_MARKS:
        return 0
    if not _NUMBER.fullmatch(text):
        raise BadDecision(f"{key}: {text!r} is not a number")
    number = float(text)
    if key.endswith(".amount_wan"):
        return number
    if not number.is_integer():
        raise BadDecision(f"{key}: {text!r} is not a whole number")
    return int(number)


def _new_value(record: Record, form: DecisionForm) -> tuple[Value, str]:
    """The value a decision sets and the reason recorded with it."""
    if form.action == "accept":
        return record.fields.get(form.key), form.reason or "machine value confirmed"
    if form.action == "absent":
        return None, form.reason or "not in the document"
    if form.action == "candidate":
        options = record.candidates.get(form.key, [])
        if form.candidate is None or not 0 <= form.candidate < len(options):
            raise BadDecision(f"{form.key}: no such candidate")
        return options[form.candidate], form.reason or "candidate chosen"
    return parse_value(form.key, form.value), form.reason or "edited"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.workbench", "templates"),
        autoescape=True,  # report text is untrusted: scraped pages carry markup
        undefined=jinja2.StrictUndefined,
    )


def create_app(settings: Settings, run: Run, store: DecisionStore) -> AccessGuard:
    """The ASGI application, access guard included."""
    templates = Jinja2Templates(env=_environment())
    templates.env.filters["show"] = show
    csrf = store.secret("csrf")

    def page(request: Request, name: str, context: dict[str, object], status: int = 200) -> Response:
        nonce = secrets.token_urlsafe(16)
        response = templates.TemplateResponse(
            request, name, {**context, "csrf": csrf, "nonce": nonce, "who": settings.who}, status_code=status
        )
        response.headers["content-security-policy"] = (
            f"default-src 'none'; img-src 'self'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["x-content-type-options"] = "nosniff"
        return response

    def record_of(request: Request) -> tuple[str, Record]:
        doc_id = str(request.path_params["doc_id"])
        record = run.get(doc_id)
        if record is None:
            raise LookupError(doc_id)
        return doc_id, record

    async def queue(request: Request) -> Response:
        filters = Filters.model_validate(dict(request.query_params))
        built = build_queue(run, store.all_latest(), filters)
        context = {"queue": built, "filters": filters, "choices": choices(run), "total": len(run.by_id)}
        return page(request, "queue.html", context)

    async def document(request: Request) -> Response:
        try:
            doc_id, record = record_of(request)
        except LookupError:
            return PlainTextResponse("no such document in this run", status_code=404)
        cell = request.query_params.get("cell")
        context = document_context(doc_id, record, store.latest(doc_id), cell)
        context["error"] = request.query_params.get("error", "")
        return page(request, "document.html", context)

    async def decide(request: Request) -> Response:
        try:
            doc_id, record = record_of(request)
        except LookupError:
            return PlainTextResponse("no such document in this run", status_code=404)
        form_data = await request.form()
        if not same(str(form_data.get("csrf", "")), csrf):
            return PlainTextResponse("403 Forbidden: missing or wrong CSRF token", status_code=403)
        try:
            form = DecisionForm.model_validate({k: v for k, v in form_data.items() if v != ""})
            if form.key not in record.fields or form.key == "meta.template":
                raise BadDecision(f"{form.key}: not a cell of this document")
            value, reason = _new_value(record, form)
        except (ValueError, BadDecision) as error:
            cell = str(form_data.get("key", ""))
            return RedirectResponse(
                request.url_for("document", doc_id=doc_id).include_query_params(
                    cell=cell, error=str(error)[:200]
                ),
                status_code=303,
            )
        decisions = store.latest(doc_id)
        old = decisions[form.key].new_value if form.key in decisions else record.fields.get(form.key)
        store.add(
            Decision(
                doc_id=doc_id,
                source=record.source,
                key=form.key,
                action=form.action,
                old_value=old,
                new_value=value,
                reason=reason,
                who=settings.who,
            )
        )
        following = next_open(record, store.latest(doc_id), form.key) or form.key
        target = request.url_for("document", doc_id=doc_id).include_query_params(cell=following)
        return RedirectResponse(target, status_code=303)

    async def pdf_page(request: Request) -> Response:
        try:
            _, record = record_of(request)
        except LookupError:
            return PlainTextResponse("no such document in this run", status_code=404)
        number = int(request.path_params["page"])
        # the file is the run's own record source; the request only chooses a page number in range
        if not is_pdf(record.source) or not 1 <= number <= page_count(record.source):
            return PlainTextResponse("no such page", status_code=404)
        return Response(render_page(record.source, number), media_type="image/png")

    routes = [
        Route("/", queue, name="queue"),
        Route("/doc/{doc_id:str}", document, name="document"),
        Route("/doc/{doc_id:str}/decide", decide, methods=["POST"], name="decide"),
        Route("/doc/{doc_id:str}/page/{page:int}.png", pdf_page, name="page"),
    ]
    return AccessGuard(Starlette(routes=routes), settings.token)
