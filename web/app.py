"""The read-only web view of a ledger (`ledger serve`), for leaders and supervisors.

A thin interface layer like `commands/`: every page calls the same projection
functions as the matching CLI command, and `?format=json` returns that
command's JSON (`status`, `show`, `audit`, `due`, `summary`, `audit --verify`);
the report page gives `publish`'s text exactly. The store is opened read-only
(web.store), only GET and HEAD are answered (anything else: 405), and every
problem view and event passes through projections.disclosure, so withheld
text and sensitive fields reach no page.
"""

from __future__ import annotations

import hmac
import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from commands import i18n
from ledger import values, vocabulary
from ledger.errors import InvalidInput, LedgerError, TamperingFound, UnknownID
from projections.deadlines import LIGHT_LABELS, light
from ledger.messages import t

HERE = Path(__file__).resolve().parent
READ_METHODS = ("GET", "HEAD")
TOKEN_COOKIE = "ledger_token"
PAGE_SIZE = 200
REPORT_TYPES = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8"}


# -- the guards: read-only methods, and the token off loopback ----------------------


class ReadOnlyMethods:
    """Answers anything but GET and HEAD with 405 before any route is looked at."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            response = PlainTextResponse(
                "405 只读视图：仅允许 GET 和 HEAD（read-only view: GET and HEAD only）\n",
                status_code=405, headers={"Allow": "GET, HEAD"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _same(given: str, token: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class TokenRequired:
    """Every request must carry the token: a header (Authorization: Bearer, X-Ledger-Token) or the cookie.

    Opening any page with `?token=…` once sets the cookie and drops the token from the address.
    """

    def __init__(self, app: Any, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get("token")
        if given is not None and _same(given, self.token):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            response: Response = RedirectResponse(request.url.path + ("?" + urlencode(rest) if rest else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        bearer = request.headers.get("authorization", "")
        candidates = (
            bearer[7:].strip() if bearer.lower().startswith("bearer ") else "",
            request.headers.get("x-ledger-token", ""),
            request.cookies.get(TOKEN_COOKIE, ""),
        )
        if any(_same(c, self.token) for c in candidates):
            await self.app(scope, receive, send)
            return
        response = HTMLResponse(
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
            "<title>需要访问令牌</title></head><body><h1>需要访问令牌</h1>"
            "<p>此台账视图需要访问令牌：请使用管理员提供的链接（…?token=…）打开。</p>"
            "<p>An access token is required.</p></body></html>",
            status_code=401,
        )
        await response(scope, receive, send)


# -- reading -------------------------------------------------------------------------


class LedgerView:
    """What every page needs: the configuration, the read-only store, the policies."""

    def __init__(self, config: Any):
        from ledger.watch import light_policy, watch_policy
        from web.store import ReadOnlyLedger

        self.config = config
        self.ledger = ReadOnlyLedger(config.store)
        self.lights = light_policy(config)
        self.watch = watch_policy(config)

    def reader(self) -> Any:
        from projections.replay import StateReader

        return StateReader(self.ledger)


def _wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2) + "\n", media_type="application/json; charset=utf-8")


def _filter(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    # The pages are Chinese: every state, kind and act in the vocabulary's word, as the CLI prints it.
    words = {
        "status_label": vocabulary.STATUSES, "type_label": vocabulary.PROBLEM_TYPES, "kind_label": vocabulary.INSPECTION_KINDS,
        "grade_label": vocabulary.GRADES, "reason_label": vocabulary.WITHHOLD_REASONS, "event_label": vocabulary.EVENTS,
        "field_label": {**vocabulary.FIELDS, **vocabulary.WITHHELD_PARTS}, "measure_label": vocabulary.MEASURE_STATES,
        "level_label": vocabulary.ESCALATION_LEVELS, "result_label": vocabulary.REVIEW_RESULTS, "link_label": vocabulary.LINK_KINDS,
    }
    for name, table in words.items():
        env.filters[name] = lambda value, table=table: vocabulary.label(table, value, "zh")
    env.filters["light_label"] = lambda x: LIGHT_LABELS.get(x, "无")
    env.filters["percent"] = lambda r: "—" if r is None else f"{r:.1f}%"
    env.filters["seq_links"] = _seq_links
    env.filters["evidence_text"] = _evidence_text
    env.filters["evidence_digest"] = _evidence_digest
    # The pages are Chinese: messages, findings and an audit row's cells read through the CLI's catalogue.
    env.filters["zh"] = lambda text: i18n.translate(str(text), "zh")
    env.filters["zh_cell"] = lambda value, column: i18n.value_word(column, value, "zh")
    return templates


def _seq_links(text: str) -> Any:
    """`corrects #12` with #12 a link to that event's row."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"#(\d+)", r'<a href="#event-\1">#\1</a>', str(escape(text))))


def _evidence_text(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("name") or item.get("file") or item.get("path") or item.get("label") or "")
    return str(item)


def _evidence_digest(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("digest", "sha256", "sm3", "hash"):
            if item.get(key):
                return str(item[key])
    return ""


def _configured_lang(config: Any) -> str:
    import os

    env = os.environ.get("LEDGER_LANG", "").strip().lower()[:2]
    if env in ("zh", "en"):
        return env
    chosen = str(config.data.get("language", "zh"))
    return chosen if chosen in ("zh", "en") else "zh"


def create_app(config: Any, *, token: str | None = None, lang: str | None = None) -> Starlette:
    """The web view over the ledger `config` names; with `token`, every request must carry it.

    `lang` is the published report's language (its dates): by default as `ledger publish` would
    choose it, from LEDGER_LANG or ledger.yaml's `language:`, so the page is the CLI's report byte for byte.
    """
    from projections.deadlines import LIGHTS, due_rows, due_views, load_views
    from projections.disclosure import hidden_fields, public_events, public_view
    from projections.overview import by_round, overview
    from projections.status import LIGHT_CHOICES, iter_problems, load_inspection, load_problem, problem_query
    from projections.summary import FIGURE_LABELS, HEADERS, KEYS, figure_rows, summarise, table_rows

    view = LedgerView(config)
    templates = _templates()
    report_lang = lang or _configured_lang(config)

    def page(request: Request, name: str, **context: Any) -> Response:
        context.setdefault("today", date.today().isoformat())
        return templates.TemplateResponse(request, name, {"lights": view.lights, **context})

    def inspections(reader: Any) -> list[dict[str, Any]]:
        reader.cursor.execute("SELECT code, data FROM ledger_inspections ORDER BY position")
        return [json.loads(row[1]) for row in reader.cursor.fetchall()]

    def index(request: Request) -> Response:
        with view.reader() as r:
            data = overview(r.cursor, style=r.style, today=r.today, lights=view.lights)
        if _wants_json(request):
            return _json(data)
        return page(request, "overview.html", data=data, groups=by_round(data["inspections"]), title="总览")

    def problems(request: Request) -> Response:
        filters = {k: _filter(request, k) for k in ("inspection", "category", "unit", "status", "light")}
        if filters["status"] is not None and filters["status"] not in values.STATUSES:
            raise InvalidInput(t("status: '{status}' is not one of {STATUSES}", status=filters['status'], STATUSES=', '.join(values.STATUSES)))
        if filters["light"] is not None and filters["light"] not in LIGHT_CHOICES:
            raise InvalidInput(t("light: '{light}' is not one of {LIGHT_CHOICES}", light=filters['light'], LIGHT_CHOICES=', '.join(LIGHT_CHOICES)))
        try:
            page_no = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            raise InvalidInput(t("page: not a number")) from None
        with view.reader() as r:
            sql, params = problem_query(style=r.style, today=r.today, lights=view.lights, **filters)
            if _wants_json(request):
                return _json([public_view(v) for v in iter_problems(r.cursor, sql=sql, params=params, today=r.today)])
            sql += f" LIMIT {PAGE_SIZE + 1} OFFSET {(page_no - 1) * PAGE_SIZE}"
            rows = [public_view(v) for v in iter_problems(r.cursor, sql=sql, params=params, today=r.today)]
            today = r.today
            choices = {
                "inspection": [(i["code"], f"{i['code']} {i['name']}") for i in inspections(r)],
                "category": _distinct(r, "category"),
                "unit": _distinct(r, "unit"),
            }
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        for row in rows:
            row["light"] = light(row, today, view.lights)
            row["days_left"] = (date.fromisoformat(row["deadline"]) - today).days if row.get("deadline") else None
        query = {k: v for k, v in filters.items() if v}
        return page(
            request, "problems.html", rows=rows, filters=filters, choices=choices, statuses=vocabulary.zh(vocabulary.STATUSES),
            light_choices=[*LIGHTS, "none"], page_no=page_no, more=more, query=query, title="问题清单",
            page_link=lambda n: "/problems?" + urlencode({**query, "page": n}),
        )

    def _distinct(r: Any, column: str) -> list[tuple[str, str]]:
        r.cursor.execute(f"SELECT DISTINCT {column} FROM ledger_problems WHERE {column} IS NOT NULL ORDER BY {column}")
        return [(row[0], row[0]) for row in r.cursor.fetchall()]

    def problem(request: Request) -> Response:
        from projections.audit import trail_rows
        from projections.replay import iter_events

        ident = _problem_id(request.path_params["ident"])
        with view.reader() as r:
            found = load_problem(r.cursor, ident, style=r.style, today=r.today) if ident else None
            today = r.today
        if found is None:
            raise UnknownID("problem", request.path_params["ident"])
        shown = public_view(found)
        if _wants_json(request):
            return _json(shown)
        from ledger.ids import problem_uuid

        key = problem_uuid(shown["inspection"], shown["number"])
        trail = trail_rows(public_events(iter_events(view.ledger, ids=[key]), {key: hidden_fields(found)}), lang="zh")
        return page(
            request, "problem.html", p=shown, trail=trail, light=light(shown, today, view.lights),
            title=shown["id"],
        )

    def audit(request: Request) -> Response:
        from ledger.ids import inspection_uuid, problem_uuid
        from projections.audit import trail_rows
        from projections.replay import iter_events

        problem_text, inspection = _filter(request, "problem"), _filter(request, "inspection")
        with view.reader() as r:
            if problem_text is not None:
                ident = _problem_id(problem_text)
                found = load_problem(r.cursor, ident, style=r.style, today=r.today) if ident else None
                if found is None:
                    raise UnknownID("problem", problem_text)
                views = [found]
                ids = [problem_uuid(found["inspection"], found["number"])]
                subject = found["id"]
            elif inspection is not None:
                if load_inspection(r.cursor, inspection, style=r.style) is None:
                    raise UnknownID("inspection", inspection)
                views = load_views(r, inspection=inspection)
                ids = [inspection_uuid(inspection)] + [problem_uuid(v["inspection"], v["number"]) for v in views]
                subject = inspection
            else:
                raise InvalidInput(t("the audit trail page needs ?problem=ID or ?inspection=CODE"))
        hidden = {problem_uuid(v["inspection"], v["number"]): hidden_fields(v) for v in views}
        json_wanted = _wants_json(request)  # the CLI's JSON: sentences in English
        rows = trail_rows(public_events(iter_events(view.ledger, ids=ids), hidden), lang="en" if json_wanted else "zh")
        if json_wanted:
            return _json(rows)
        return page(request, "audit.html", trail=rows, subject=subject, title=f"审计记录 {subject}")

    def due(request: Request) -> Response:
        unit, inspection = _filter(request, "unit"), _filter(request, "inspection")
        within_text = _filter(request, "within")
        if within_text is None:
            within = view.watch.due_within_days
        elif within_text.isdigit():
            within = int(within_text)
        else:
            raise InvalidInput(t("within: '{within_text}' is not a number of days", within_text=within_text))
        with view.reader() as r:
            views = [public_view(v) for v in due_views(r, within=within, unit=unit, inspection=inspection)]
            today = r.today
        rows = due_rows(views, today, within, view.watch, view.lights)
        if _wants_json(request):
            return _json(rows)
        return page(request, "due.html", rows=rows, within=within, unit=unit, inspection=inspection, title="督办清单")

    def summary(request: Request) -> Response:
        inspection = _filter(request, "inspection")
        with view.reader() as r:
            found = load_inspection(r.cursor, inspection, style=r.style) if inspection else None
            if inspection and found is None:
                raise UnknownID("inspection", inspection)
            result = summarise(r.cursor, today=r.today, inspection=inspection, style=r.style)
            all_inspections = inspections(r)
        if _wants_json(request):
            return _json(result)
        return page(
            request, "summary.html", headers=[HEADERS["zh"][k] for k in KEYS],
            rows=table_rows(result, "zh"), figures=figure_rows(result, "zh"), inspection=found,
            inspections=all_inspections, title="整改情况统计", figure_labels=FIGURE_LABELS["zh"],
        )

    def reports(request: Request) -> Response:
        with view.reader() as r:
            found = inspections(r)
        if _wants_json(request):
            return _json(found)
        return page(request, "reports.html", inspections=found, title="整改情况公布")

    def report(request: Request) -> Response:
        from projections.publication import report as public_report

        code = request.path_params["code"]
        fmt = request.query_params.get("format")
        if fmt in REPORT_TYPES:
            return Response(public_report(view.ledger, config, inspection=code, fmt=fmt, lang=report_lang), media_type=REPORT_TYPES[fmt])
        if fmt not in (None, "", "json"):
            raise InvalidInput(t("format: '{fmt}' is not one of markdown, html, text, json", fmt=fmt))
        markdown = public_report(view.ledger, config, inspection=code, fmt="markdown", lang=report_lang)
        if fmt == "json":
            return _json({"inspection": code, "format": "markdown", "text": markdown})
        return page(request, "report.html", code=code, markdown=markdown, title=f"整改情况公布 {code}")

    def unit(request: Request) -> Response:
        from projections.profile import profile

        name = request.path_params["organisation"]
        with view.reader() as r:
            found = profile(r.cursor, name, today=r.today, style=r.style, disclose=public_view)
        if found is None:
            raise UnknownID("organisation", name)
        if _wants_json(request):
            return _json(found)
        return page(request, "profile.html", p=found, title=f"{name} · 历轮巡察")

    def verify(request: Request) -> Response:
        from projections.verification import latest_checkpoint, verification

        latest = latest_checkpoint(view.ledger)
        try:
            record, lines = verification(config, latest["block"] if latest else None, app=lambda: view.ledger)
            error = None
        except TamperingFound as e:
            record, lines, error = {"verified": False, "error": str(e)}, [], str(e)
        if _wants_json(request):
            return _json(record)
        return page(request, "verify.html", record=record, lines=lines, error=error, latest=latest, title="核验")

    async def ledger_error(request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, UnknownID) else 400 if isinstance(exc, InvalidInput) else 500
        message = " ".join(str(exc).split())
        if _wants_json(request):
            return Response(json.dumps({"error": message}, ensure_ascii=False) + "\n", status_code=status, media_type="application/json; charset=utf-8")
        return templates.TemplateResponse(request, "error.html", {"message": message, "title": "出错了", "lights": view.lights}, status_code=status)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/problems", problems, methods=["GET"]),
        Route("/problems/{ident}", problem, methods=["GET"]),
        Route("/audit", audit, methods=["GET"]),
        Route("/due", due, methods=["GET"]),
        Route("/summary", summary, methods=["GET"]),
        Route("/reports", reports, methods=["GET"]),
        Route("/reports/{code}", report, methods=["GET"]),
        Route("/units/{organisation}", unit, methods=["GET"]),
        Route("/verify", verify, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={LedgerError: ledger_error})
    app.state.view = view
    guarded: Any = app
    if token:
        guarded = TokenRequired(guarded, token)
    return ReadOnlyMethods(guarded)  # type: ignore[return-value]


def _problem_id(text: str) -> str | None:
    parts = values.split_problem_id(text)
    return values.problem_display_id(*parts) if parts else None
