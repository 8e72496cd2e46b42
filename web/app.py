"""The read-only web view of a ledger (`ledger serve`), for leaders and supervisors.

A thin interface layer like `commands/`: every page calls the same projection
functions as the matching CLI command, and `?format=json` returns that
command's JSON (`status`, `show`, `audit`, `due`, `summary`, `audit --verify`);
the report page gives `publish`'s text exactly. The store is opened read-only
(web.store), only GET and HEAD are answered (anything else: 405), and every
problem view and event passes through projections.disclosure, so withheld
text and sensitive fields reach no page.

Each page is a module-level function reading what `create_app` keeps in
`request.app.state.view` (a LedgerView); `composition.web_app` calls it with the
schema the verification page checks the store against.

A page speaks its reader's language (`chosen_lang`: ?lang=, else Accept-Language,
else `ledger serve`'s): the templates' words are gettext messages of the ledger's
catalogue (jinja2.ext.i18n), the vocabulary's words and the code's messages reach
them through filters in the same language (web/words.py). The published report
stays the document `publish` prints.
"""

from __future__ import annotations

import hmac
import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import pass_context
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ledger import values, vocabulary
from ledger.errors import InvalidInput, LedgerError, TamperingFound, UnknownID
from ledger.messages import LANGS, Data, choices as accepted, reader_language, t
from projections.deadlines import light
from projections.summary import HEADERS  # a count's heading in each language, as `summary` words it
from web import words

HERE = Path(__file__).resolve().parent
READ_METHODS = ("GET", "HEAD")
TOKEN_COOKIE = "ledger_token"
PAGE_SIZE = 200
# ?light=none: a problem without a light (red, yellow and green are the vocabulary's; `status --light none` types it)
NO_LIGHT = vocabulary.Word("无预警", "no light")
LANG_PARAM = "lang"  # ?lang=en|zh: the page's language, kept in its links and forms
REPORT_TYPES = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "text": "text/plain; charset=utf-8"}


# -- the page's language ------------------------------------------------------------


def chosen_lang(request: Request, default: str) -> tuple[str, str | None]:
    """The page's language and the ?lang= that chose it (kept in the page's links), else None: ?lang=en|zh,
    else the browser's Accept-Language (its first of zh or en by weight), else `default` (`ledger serve`'s
    language: --lang, LEDGER_LANG, ledger.yaml's `language:`, as the CLI chooses). An unknown ?lang= is refused
    by the page (`page`), in the language the rest would choose."""
    given = request.query_params.get(LANG_PARAM)
    if given in LANGS:
        return given, given  # type: ignore[return-value]
    return _accepted_lang(request.headers.get("accept-language", "")) or default, None


def _accepted_lang(header: str) -> str | None:
    """The first of zh and en a browser's Accept-Language asks for ("en-GB,en;q=0.9,zh;q=0.8" → en), or None."""
    best: tuple[float, int, str] | None = None
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and (best is None or (-weight, order) < (best[0], best[1])):
            best = (-weight, order, primary)
    return best[2] if best else None


def _refuse_unknown_lang(request: Request) -> None:
    given = request.query_params.get(LANG_PARAM)
    if given is not None and given not in LANGS:
        raise InvalidInput(t("lang: '{lang}' is not one of {choices}", lang=given, choices=accepted({lang: lang for lang in LANGS})))


# -- the guards: read-only methods, and the token off loopback ----------------------


def notice(request: Request, status_code: int, title: Any, message: Any, lang: str, headers: dict[str, str] | None = None) -> Response:
    """A guard's answer, before any page is reached: a page of its own in the page's language (no navigation,
    nothing of the ledger), or with ?format=json the English message as the CLI's JSON gives an error."""
    if _wants_json(request):
        return Response(json.dumps({"error": str(message)}, ensure_ascii=False) + "\n", status_code=status_code,
                        media_type="application/json; charset=utf-8", headers=headers)
    lang = chosen_lang(request, lang)[0]
    return TEMPLATES.TemplateResponse(request, "notice.html", {"title": title, "message": message, "lang": lang},
                                      status_code=status_code, headers={**(headers or {}), **_language_headers(lang)})


class ReadOnlyMethods:
    """Answers anything but GET and HEAD with 405 before any route is looked at."""

    def __init__(self, app: Any, lang: str):
        self.app = app
        self.lang = lang  # the view's language when the request asks for none

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            response = notice(Request(scope), 405, t("read-only view"), t("read-only view: only GET and HEAD are answered"),
                              self.lang, headers={"Allow": "GET, HEAD"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _same(given: str, token: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class TokenRequired:
    """Every request must carry the token: a header (Authorization: Bearer, X-Ledger-Token) or the cookie.

    Opening any page with `?token=…` once sets the cookie and drops the token from the address.
    """

    def __init__(self, app: Any, token: str, lang: str):
        self.app = app
        self.token = token
        self.lang = lang

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
        response = notice(request, 401, t("access token required"),
                          t("this ledger view needs an access token: open it with the link the administrator gave you (…?token=…)"), self.lang)
        await response(scope, receive, send)


# -- reading -------------------------------------------------------------------------


class LedgerView:
    """What every page reads, kept in `app.state.view`: the configuration, the read-only store, the policies.

    `schema` is what `ledger init` makes (the composition root gives it): the
    verification page checks the store's catalog against it.
    """

    def __init__(self, config: Any, *, schema: Any, report_lang: str):
        from ledger.watch import light_policy, watch_policy
        from web.store import ReadOnlyLedger

        self.config = config
        self.schema = schema
        self.report_lang = report_lang  # the published report's language: the document, whatever the page's
        self.lang = report_lang  # a page's language when the request asks for none: `ledger serve`'s
        self.ledger = ReadOnlyLedger(config.store)
        self.lights = light_policy(config)
        self.watch = watch_policy(config)

    def reader(self) -> Any:
        from projections.replay import StateReader

        return StateReader(self.ledger)


def _view(request: Request) -> LedgerView:
    """What the pages read; every page asks for it first, so an unknown ?lang= is refused here (HTML and JSON)."""
    _refuse_unknown_lang(request)
    return request.app.state.view  # type: ignore[no-any-return]


def _wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2) + "\n", media_type="application/json; charset=utf-8")


def _filter(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def _known_inspection(r: Any, code: str | None) -> dict[str, Any] | None:
    """The inspection a page's ?inspection= names; an unknown one is a 404 on every page (not an empty list)."""
    from projections.status import load_inspection

    found = load_inspection(r.cursor, code, style=r.style) if code else None
    if code and found is None:
        raise UnknownID("inspection", code)
    return found


def _templates() -> Jinja2Templates:
    """The pages' templates: every word through the catalogue (jinja2.ext.i18n with the catalogue's gettext),
    every state, kind and act by the vocabulary's word, in the page's language (the context's `lang`)."""
    from ledger.messages import catalogue, render
    from projections.words import field_word

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's lines are one message, as extracted

    @pass_context
    def gettext(context: Any, message: str) -> str:
        lang = context.get("lang", "zh")
        return message if lang == "en" else str(catalogue(lang).gettext(message))

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, n: int) -> str:
        lang = context.get("lang", "zh")
        return (singular if n == 1 else plural) if lang == "en" else str(catalogue(lang).ngettext(singular, plural, n))

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]

    @pass_context
    def finalize(context: Any, value: Any) -> Any:
        """A stored value a page names by its word (the withheld marker): in the page's language."""
        return value.label(context.get("lang", "zh")) if isinstance(value, Data) else value

    env.finalize = finalize
    labels = {
        "status_label": vocabulary.STATUSES, "type_label": vocabulary.PROBLEM_TYPES, "kind_label": vocabulary.INSPECTION_KINDS,
        "grade_label": vocabulary.GRADES, "reason_label": vocabulary.WITHHOLD_REASONS, "event_label": vocabulary.EVENTS,
        "measure_label": vocabulary.MEASURE_STATES,
        "level_label": vocabulary.ESCALATION_LEVELS, "result_label": vocabulary.REVIEW_RESULTS, "link_label": vocabulary.LINK_KINDS,
        "direction_label": vocabulary.LINK_DIRECTIONS, "light_label": {**vocabulary.LIGHTS, "none": NO_LIGHT},
        "source_label": vocabulary.SOURCES,
    }
    for name, table in labels.items():
        env.filters[name] = pass_context(lambda context, value, table=table: vocabulary.label(table, value, context.get("lang", "zh")))
    # A field by the word every screen names it by (措施M1 时限).
    env.filters["field_label"] = pass_context(lambda context, field: field_word(field).of(context.get("lang", "zh")))
    # A column as `ledger audit` heads it (projections.words), its key's words in English: the trail reads alike.
    env.filters["heading"] = pass_context(lambda context, column: _heading(column, context.get("lang", "zh")))
    env.filters["percent"] = lambda r: "—" if r is None else f"{r:.1f}%"
    env.filters["seq_links"] = _seq_links
    env.filters["code_spans"] = _code_spans
    env.filters["evidence_text"] = _evidence_text
    env.filters["evidence_digest"] = _evidence_digest
    # Messages, findings and an audit row's cells in the page's language (web.words).
    env.filters["say"] = pass_context(lambda context, text: words.message(text, context.get("lang", "zh")))
    env.filters["listed"] = pass_context(lambda context, items: render([str(i) for i in items], context.get("lang", "zh")))
    env.filters["cell"] = pass_context(lambda context, value, column: words.cell(value, column, context.get("lang", "zh")))
    env.globals["link"] = _link
    env.globals["section_name"] = _section_name  # a table's title as `show` heads it
    env.globals["zip"] = zip
    return templates


@pass_context
def _link(context: Any, path: str, **query: Any) -> str:
    """An address on this view: `path` with `query` (urlencoded), keeping the page's ?lang= if it had one."""
    params = {k: v for k, v in query.items() if v is not None and v != ""}
    if context.get("lang_param"):
        params[LANG_PARAM] = context["lang_param"]
    return path + ("?" + urlencode(params) if params else "")


def _section_name(key: str, lang: str) -> str:
    from projections.words import section_name

    return section_name(key, lang)


def _heading(column: str, lang: str) -> str:
    from projections.words import heading

    return heading(column, lang)


def _seq_links(text: str) -> Any:
    """`corrects #12` with #12 a link to that event's row."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"#(\d+)", r'<a href="#event-\1">#\1</a>', str(escape(text))))


def _code_spans(text: str) -> Any:
    """A CLI line's `ledger …` commands as code on the page, as the templates show a command."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def _evidence_text(item: Any) -> Any:
    if isinstance(item, dict):
        return str(item.get("name") or item.get("file") or item.get("path") or item.get("label") or "")
    return item if isinstance(item, str) else str(item)  # the withheld marker stays itself, to be worded


def _evidence_digest(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("digest", "sha256", "sm3", "hash"):
            if item.get(key):
                return str(item[key])
    return ""


def _configured_lang(config: Any) -> str:
    """`ledger serve`'s language when it gives none: the CLI's rule (ledger.messages.reader_language)."""
    return reader_language(None, lambda: config.data.get("language", "zh"))


# -- the pages: each reads the ledger of `request.app.state.view` through projections/ ----


HTML_LANG = {"zh": "zh-CN", "en": "en"}


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """The page `name` in the reader's language (`chosen_lang`), its links keeping a ?lang= it was given."""
    view: LedgerView = request.app.state.view
    lang, lang_param = chosen_lang(request, view.lang)
    context.setdefault("today", date.today().isoformat())
    others = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]
    switch = {other: request.url.path + "?" + urlencode([*others, (LANG_PARAM, other)]) for other in LANGS}
    shown = {"lights": view.lights, "lang": lang, "lang_param": lang_param, "html_lang": HTML_LANG[lang], "switch": switch}
    return TEMPLATES.TemplateResponse(request, name, {**shown, **context}, status_code=status_code, headers=_language_headers(lang))


def _language_headers(lang: str) -> dict[str, str]:
    """The page's language, and that it depends on the browser's (so no cache hands one reader's page to another)."""
    return {"Content-Language": HTML_LANG[lang], "Vary": "Accept-Language"}


def index(request: Request) -> Response:
    from projections.overview import by_round, overview

    view = _view(request)
    with view.reader() as r:
        data = overview(r.cursor, style=r.style, today=r.today, lights=view.lights)
    if _wants_json(request):
        return _json(data)
    return page(request, "overview.html", data=data, groups=by_round(data["inspections"]), title=t("overview"), count_words=HEADERS)


def problems(request: Request) -> Response:
    from projections.deadlines import LIGHTS
    from projections.disclosure import public_view
    from projections.status import LIGHT_CHOICES, iter_problems, problem_count, problem_field_values, problem_page, problem_query, stored_inspections

    view = _view(request)
    filters = {k: _filter(request, k) for k in ("inspection", "category", "unit", "status", "light")}
    if filters["status"] is not None:  # as `status --status` reads it (its word, too), and refused in the same words
        filters["status"] = values.status(filters["status"])
    if filters["light"] is not None and filters["light"] not in LIGHT_CHOICES:
        lights = accepted({**vocabulary.LIGHTS, "none": NO_LIGHT})
        raise InvalidInput(t("light: '{light}' is not one of {LIGHT_CHOICES}", light=filters['light'], LIGHT_CHOICES=lights))
    page_no = _page_number(request)
    with view.reader() as r:
        _known_inspection(r, filters["inspection"])
        if _wants_json(request):
            sql, params = problem_query(style=r.style, today=r.today, lights=view.lights, **filters)
            return _json([public_view(v) for v in iter_problems(r.cursor, sql=sql, params=params, today=r.today)])
        shown, more = problem_page(r.cursor, page=page_no, size=PAGE_SIZE, style=r.style, today=r.today, lights=view.lights, **filters)
        from projections.read_model_check import check_shown_rows

        check_shown_rows(view.ledger, r.cursor, "ledger_problems", [v["id"] for v in shown], rebuild=False)  # a page's rows, as `status` checks them
        rows = [public_view(v) for v in shown]
        today = r.today
        last_page = None  # past the last page: which page is the last (the page says so, 404)
        if not rows and page_no > 1:
            last_page = max(1, -(-problem_count(r.cursor, style=r.style, today=r.today, lights=view.lights, **filters) // PAGE_SIZE))
        choices = {
            "inspection": [(i["code"], f"{i['code']} {i['name']}") for i in stored_inspections(r.cursor)],
            "category": [(v, v) for v in problem_field_values(r.cursor, "category")],
            "unit": [(v, v) for v in problem_field_values(r.cursor, "unit")],
        }
    for row in rows:
        row["light"] = light(row, today, view.lights)
        row["days_left"] = (date.fromisoformat(row["deadline"]) - today).days if row.get("deadline") else None
    query = {k: v for k, v in filters.items() if v}
    return page(
        request, "problems.html", rows=rows, filters=filters, choices=choices, statuses=list(vocabulary.STATUSES),
        light_choices=[*LIGHTS, "none"], page_no=page_no, more=more, query=query, title=t("problems"),
        last_page=last_page, status_code=404 if last_page else 200,
    )


def _page_number(request: Request) -> int:
    """?page=: a whole number from 1 to values.MAX_PAGE (1 when not given); the OFFSET it makes stays an SQL integer."""
    text = request.query_params.get("page", "1").strip() or "1"
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidInput(t("page: not a number"))
    if len(digits.lstrip("0")) > len(str(values.MAX_PAGE)) or int(text) > values.MAX_PAGE:
        raise InvalidInput(t("page: '{page}' is too large (at most {maximum})", page=values.shown(text), maximum=values.MAX_PAGE))
    if int(text) < 1:
        raise InvalidInput(t("page: '{page}' must be 1 or more", page=values.shown(text)))
    return int(text)


def problem(request: Request) -> Response:
    from ledger.ids import problem_uuid
    from projections.disclosure import public_trail, public_view
    from projections.show import facts, sections, sensitive, with_every_signature
    from projections.status import find_problem, with_relapse_facts

    view = _view(request)
    with view.reader() as r:
        found = find_problem(r.cursor, request.path_params["ident"], style=r.style, today=r.today)
        linked = found and with_relapse_facts(r.cursor, found, style=r.style)  # a link reads one fact from both sides
        today = r.today
        if found is not None:  # the stored row, checked before it is shown (as `ledger show` does)
            from projections.read_model_check import check_shown_row

            check_shown_row(view.ledger, r.cursor, "ledger_problems", found["id"])
    if found is None:
        raise UnknownID("problem", request.path_params["ident"])
    shown = public_view(found)
    if _wants_json(request):
        return _json(shown)
    trail = public_trail(view.ledger, [found], [problem_uuid(shown["inspection"], shown["number"])])
    lang = chosen_lang(request, view.lang)[0]  # `show`'s facts and tables, in its words (projections.show)
    # its links read one relapse fact from both sides, and its signatures are all of them (the first of two signers
    # too), as `show` prints them
    linked = public_view(with_every_signature(view.ledger, linked))
    return page(request, "problem.html", p=shown, facts=facts(shown, lang), sections=sections(linked, lang), sensitive=sensitive(shown, lang), trail=trail,
                light=light(shown, today, view.lights), title=shown["id"])


def audit(request: Request) -> Response:
    from ledger.ids import inspection_uuid, problem_uuid
    from projections.deadlines import load_views
    from projections.disclosure import public_trail
    from projections.status import find_problem

    view = _view(request)
    problem_text, inspection = _filter(request, "problem"), _filter(request, "inspection")
    with view.reader() as r:
        if problem_text is not None:
            found = find_problem(r.cursor, problem_text, style=r.style, today=r.today)
            if found is None:
                raise UnknownID("problem", problem_text)
            views = [found]
            ids = [problem_uuid(found["inspection"], found["number"])]
            subject = found["id"]
        elif inspection is not None:
            _known_inspection(r, inspection)
            views = load_views(r, inspection=inspection)
            ids = [inspection_uuid(inspection)] + [problem_uuid(v["inspection"], v["number"]) for v in views]
            subject = inspection
        else:
            raise InvalidInput(t("the audit trail page needs ?problem=ID or ?inspection=CODE"))
    json_wanted = _wants_json(request)  # the CLI's JSON: sentences in English
    rows = public_trail(view.ledger, views, ids)
    if json_wanted:
        return _json(rows)
    return page(request, "audit.html", trail=rows, subject=subject, title=t("audit trail {subject}", subject=subject))


def due(request: Request) -> Response:
    from projections.deadlines import due_rows, due_views
    from projections.disclosure import public_view

    view = _view(request)
    unit, inspection = _filter(request, "unit"), _filter(request, "inspection")
    within_text = _filter(request, "within")
    try:  # as `due --within` reads it, with its bound (values.MAX_DAYS)
        within = view.watch.due_within_days if within_text is None else values.parse_days(within_text)
    except InvalidInput as e:
        raise InvalidInput(t("within: {reason}", reason=e)) from None
    with view.reader() as r:
        _known_inspection(r, inspection)
        views = [public_view(v) for v in due_views(r, within=within, unit=unit, inspection=inspection)]
        today = r.today
    rows = due_rows(views, today, within, view.watch, view.lights)
    if _wants_json(request):
        return _json(rows)
    return page(request, "due.html", rows=rows, within=within, unit=unit, inspection=inspection, title=t("due and overdue"))


def summary(request: Request) -> Response:
    from projections.status import stored_inspections
    from projections.summary import FIGURE_HEADERS, KEYS, RECURRENCE_HEADERS, figure_rows, recurrence_rows, summarise, table_rows

    view = _view(request)
    inspection = _filter(request, "inspection")
    with view.reader() as r:
        found = _known_inspection(r, inspection)
        result = summarise(r.cursor, today=r.today, inspection=inspection, style=r.style)
        all_inspections = stored_inspections(r.cursor)
    if _wants_json(request):
        return _json(result)
    lang = chosen_lang(request, view.lang)[0]
    return page(
        request, "summary.html", headers=[HEADERS[lang][k] for k in KEYS],
        rows=table_rows(result, lang), figures=figure_rows(result, lang), figure_headers=FIGURE_HEADERS[lang], inspection=found,
        recurrences=recurrence_rows(result), recurrence_headers=RECURRENCE_HEADERS[lang],
        inspections=all_inspections, title=t("rectification summary"),
    )


def reports(request: Request) -> Response:
    from projections.status import stored_inspections

    with _view(request).reader() as r:
        found = stored_inspections(r.cursor)
    if _wants_json(request):
        return _json(found)
    return page(request, "reports.html", inspections=found, title=t("published reports"))


def report(request: Request) -> Response:
    from projections.publication import report as public_report

    view = _view(request)
    code = request.path_params["code"]
    fmt = request.query_params.get("format")
    if fmt in REPORT_TYPES:
        return Response(public_report(view.ledger, view.config, inspection=code, fmt=fmt, lang=view.report_lang), media_type=REPORT_TYPES[fmt])
    if fmt not in (None, "", "json"):
        raise InvalidInput(t("format: '{fmt}' is not one of {choices}", fmt=fmt, choices=[*REPORT_TYPES, "json"]))
    markdown = public_report(view.ledger, view.config, inspection=code, fmt="markdown", lang=view.report_lang)
    if fmt == "json":
        return _json({"inspection": code, "format": "markdown", "text": markdown})
    return page(request, "report.html", code=code, markdown=markdown, title=t("published report {code}", code=code))


def unit(request: Request) -> Response:
    from projections.disclosure import public_view
    from projections.profile import profile

    name = request.path_params["organisation"]
    with _view(request).reader() as r:
        found = profile(r.cursor, name, today=r.today, style=r.style, disclose=public_view)
    if found is None:
        raise UnknownID("organisation", name)
    if _wants_json(request):
        return _json(found)
    return page(request, "profile.html", p=found, title=t("{organisation} · inspections over the rounds", organisation=name), count_words=HEADERS)


def verify(request: Request) -> Response:
    from dataclasses import replace

    from ledger.checkpoint import parse_checkpoints
    from projections.verification import latest_checkpoint, verification

    view = _view(request)
    latest = latest_checkpoint(view.ledger)
    try:  # the checkpoint and key named in words: the latest recorded, the ledger's (no server path on a page)
        recorded = [replace(cp, source=t("the latest checkpoint recorded in the ledger")) for cp in parse_checkpoints(latest["block"])] if latest else None
        record, lines = verification(view.config, recorded, app=lambda: view.ledger, schema=view.schema, key_source=t("the ledger's public key"))
        error = None
    except TamperingFound as e:
        record, lines, error = {"verified": False, "error": str(e)}, [], str(e)
    if _wants_json(request):
        return _json(record)
    return page(request, "verify.html", record=record, lines=lines, error=error, latest=latest, title=t("verification"))


async def ledger_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, UnknownID) else 400 if isinstance(exc, InvalidInput) else 500
    if _wants_json(request):  # the CLI's JSON: the message in English
        message = " ".join(str(exc).split())
        return Response(json.dumps({"error": message}, ensure_ascii=False) + "\n", status_code=status, media_type="application/json; charset=utf-8")
    return page(request, "error.html", status_code=status, message=exc, title=t("error"))  # rendered in the page's language (web.words)


async def http_error(request: Request, exc: Exception) -> Response:
    """An address no page answers (404), or another refusal of Starlette's: the view's own error page."""
    code = getattr(exc, "status_code", 500)
    if code == 404:
        message = t("no such page: {path}", path=request.url.path)
    else:
        message = t("the request cannot be answered (HTTP {code})", code=code)
    if _wants_json(request):
        return Response(json.dumps({"error": str(message)}, ensure_ascii=False) + "\n", status_code=code, media_type="application/json; charset=utf-8")
    return page(request, "error.html", status_code=code, message=message, title=t("error"))


TEMPLATES = _templates()
ROUTES = [
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


def create_app(config: Any, *, schema: Any, token: str | None = None, lang: str | None = None) -> Starlette:
    """The web view over the ledger `config` names; with `token`, every request must carry it.

    `schema` (ledger.schema.StoreSchema, from the composition root) is what the verification page expects of the store.
    `lang` is the published report's language (its dates): by default as `ledger publish` would
    choose it, from LEDGER_LANG or ledger.yaml's `language:`, so the page is the CLI's report byte for byte.
    """
    app = Starlette(routes=ROUTES, exception_handlers={LedgerError: ledger_error, HTTPException: http_error})
    view = LedgerView(config, schema=schema, report_lang=lang or _configured_lang(config))
    app.state.view = view
    guarded: Any = app
    if token:
        guarded = TokenRequired(guarded, token, view.lang)
    return ReadOnlyMethods(guarded, view.lang)  # type: ignore[return-value]
