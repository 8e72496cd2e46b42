"""Finding earlier problems like a new one (屡查屡犯): character bigrams weighted by IDF.

Offline, no segmenter and no heavy library (start-up time is a feature): a text
is cut into runs of letters and digits at punctuation, each run into character
bigrams (a lone character is its own term). The store keeps, beside the
problems and in the same transaction (`write_similarity_index`, registered by
`composition`), each problem's indexed text, its postings (term → problem;
none for the stock words of titles, which find nothing) and each term's
document frequency, so a query reads only the postings of its
own terms, then scores a short list of candidates exactly.

The index holds the text as entered (NFKC, lower case): what ledger.yaml says
(synonyms, stock words, threshold) applies when a query is scored, so changing
it never makes the stored index disagree with its replay.

Score: the geometric mean of the cosine and the overlap of the two texts' term
sets, each term weighted by idf × (STOCK_WEIGHT if the term belongs to a stock
phrase of titles). It is in 0..1, symmetric, and 1 for the same text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence
from ledger.messages import t

# What a title says of nearly every problem (关于…的问题, 不到位, 落实 …): kept, but weighted down.
STOCK_PHRASES = (
    "关于", "的问题", "问题", "不到位", "不规范", "不严格", "不够", "不力", "不足", "不深", "不实", "不细",
    "不健全", "不完善", "不扎实", "不及时", "不彻底", "不全面", "不充分", "有差距", "存在", "落实", "方面",
    "工作", "情况", "有效", "进一步", "加强", "执行", "现象", "较多", "较为", "仍然", "一些", "部分", "个别",
)
STOCK_WEIGHT = 0.2

# Synonyms every ledger knows; ledger.yaml's similar.synonyms adds to them. The first is the form compared.
BUILT_IN_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("公务用车", "公车"),
    ("组织生活", "三会一课"),
    ("重大事项集体决策", "三重一大"),
    ("党风廉政建设", "党风廉政"),
    ("中央八项规定精神", "八项规定精神", "八项规定"),
    ("津贴补贴", "补贴津贴"),
    ("形式主义官僚主义", "四风"),
)

DEFAULT_THRESHOLD = 0.25
# Text indexed per problem: the title and the start of the description (bounds the postings written).
DESCRIPTION_CHARS = 200
# Candidates scored exactly per query.
CANDIDATES = 60


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


_RUN = re.compile(r"[^\W_]+")  # letters and digits (CJK included); punctuation and spaces part runs


def _runs(text: str) -> list[str]:
    return _RUN.findall(text)


def term(a: str, b: str = "") -> int:
    """A term as an integer (postings stay small): a character, or two packed in one number."""
    return ord(a) if not b else ord(a) * 0x110000 + ord(b)


def terms(text: str) -> set[int]:
    """The distinct terms of an already normalised text."""
    out: set[int] = set()
    for run in _RUN.findall(text):
        if len(run) == 1:
            out.add(ord(run))
        else:
            codes = [ord(c) * 0x110000 for c in run[:-1]]
            out.update(map(int.__add__, codes, map(ord, run[1:])))
    return out


def term_text(value: int) -> str:
    return chr(value) if value < 0x110000 else chr(value // 0x110000) + chr(value % 0x110000)


def indexed_text(view: dict[str, Any]) -> str:
    """What of a problem is indexed: its title and the start of its description, normalised."""
    description = (view.get("description") or "")[:DESCRIPTION_CHARS]
    return normalise(f"{view.get('title') or ''}\n{description}".strip())


STOCK_TERMS = frozenset(t for phrase in STOCK_PHRASES for t in terms(normalise(phrase)))


@dataclass(frozen=True)
class Matching:
    """What ledger.yaml says about matching (similar.*)."""

    threshold: float = DEFAULT_THRESHOLD
    synonyms: tuple[tuple[str, ...], ...] = BUILT_IN_SYNONYMS
    stock: frozenset[int] = STOCK_TERMS
    # Each variant (longest first) → the form compared.
    _canonical: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @classmethod
    def from_config(cls, config: Any) -> "Matching":
        section = config.section("similar") if config is not None else {}
        groups = [tuple(normalise(w) for w in g) for g in (*BUILT_IN_SYNONYMS, *(section.get("synonyms") or []))]
        stock = STOCK_TERMS | frozenset(t for w in section.get("stock_words") or [] for t in terms(normalise(w)))
        return cls(threshold=float(section.get("threshold", DEFAULT_THRESHOLD)), synonyms=tuple(groups), stock=stock)

    def __post_init__(self) -> None:
        pairs = [(normalise(v), normalise(g[0])) for g in self.synonyms for v in g[1:]]
        pairs.sort(key=lambda p: -len(p[0]))
        object.__setattr__(self, "_canonical", tuple(pairs))

    def canonical(self, text: str) -> str:
        """The text with every synonym written in its group's first form."""
        for variant, form in self._canonical:
            if variant in text:
                text = text.replace(variant, form)
        return text

    def variants(self, text: str) -> list[str]:
        """The text in every form its synonyms allow (to find candidates written the other way)."""
        out = [text]
        for group in self.synonyms:
            present = [w for w in group if w in text]
            if present:
                out += [text.replace(present[0], w) for w in group if w != present[0]]
        return out

    def weight(self, t: int, df: int, documents: int) -> float:
        idf = math.log((documents + 1) / (df + 1)) + 1.0
        return idf * (STOCK_WEIGHT if t in self.stock else 1.0)


def score(a: set[int], b: set[int], weight: Any) -> tuple[float, list[int]]:
    """(cosine of the weighted term sets, the shared terms heaviest first); `weight(term)` gives a term's weight."""
    if not a or not b:
        return 0.0, []
    shared = a & b
    if not shared:
        return 0.0, []
    wa = sum(weight(t) ** 2 for t in a)
    wb = sum(weight(t) ** 2 for t in b)
    if wa <= 0 or wb <= 0:
        return 0.0, []
    together = sum(weight(t) ** 2 for t in shared)
    # The geometric mean of the cosine and the overlap (shared weight over the smaller text's): a
    # problem fed back again usually says the old finding plus new detail, which the cosine alone
    # punishes. Both are symmetric and in 0..1, and 1 for the same text; so is their mean.
    cosine = together / math.sqrt(wa * wb)
    overlap = together / min(wa, wb)
    value = math.sqrt(cosine * overlap)
    return min(1.0, max(0.0, value)), sorted(shared, key=lambda t: (-weight(t), t))


def shared_words(text_a: str, text_b: str, shared: Sequence[int], limit: int = 4, stock: frozenset[int] = frozenset()) -> list[str]:
    """The shared terms grown into the longest common stretches they belong to, for "why" (stock words left out)."""
    wanted = {term_text(t) for t in shared if t not in stock}
    found: list[str] = []
    for run in _runs(text_a):
        i = 0
        while i < len(run) - 1:
            if run[i : i + 2] in wanted and run[i : i + 2] in text_b:
                j = i + 2
                while j < len(run) and run[i : j + 1] in text_b:
                    j += 1
                piece = run[i:j]
                if piece not in found and not any(piece in f for f in found):
                    found.append(piece)
                i = j
            else:
                i += 1
    found.sort(key=len, reverse=True)
    return found[:limit]


# -- the stored index -----------------------------------------------------------

DOCS = "ledger_similar_docs"
# The number of problems indexed, kept in the frequencies table under a term no text has
# (counting the documents at every query would read the whole table).
DOCUMENTS = -1
POSTINGS = "ledger_similar_terms"
FREQUENCIES = "ledger_similar_df"

SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {DOCS} (problem TEXT PRIMARY KEY, text TEXT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {FREQUENCIES} (term INTEGER PRIMARY KEY, df INTEGER NOT NULL)",
]
# The postings: one row per term and write, `problem` holding the problems of that write whose text
# has the term, in id order, apart by SEPARATOR (an import of 50,000 titles writes ~50,000 rows, not
# ~540,000); read by term through the index. A problem is listed at most once per term. (Schema 7 kept
# one row per term and problem, clustered by term; its rows read the same; `ledger init` rewrites them.)
SQLITE_SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {POSTINGS} (term INTEGER NOT NULL, problem TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {POSTINGS}_by_term ON {POSTINGS} (term)",
]
PG_SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {POSTINGS} (term BIGINT NOT NULL, problem TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {POSTINGS}_by_term ON {POSTINGS} (term)",
]
INDEX_TABLES = (DOCS, POSTINGS, FREQUENCIES)
# Problem ids never hold a space (ledger.values.INSPECTION_CODE).
SEPARATOR = " "
# Problems listed in one row at most (an import writes ~500 problems at a time; a rebuild all at once):
# a correction rewrites the rows its problem leaves, which stay small.
PER_ROW = 500

CHUNK = 500


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sql(statement: str, style: str) -> str:
    return statement if style == "?" else statement.replace("?", style)


def write_index(cursor: Any, views: Iterable[tuple[str, dict[str, Any]]], style: str = "?") -> None:
    """Index the problems among `views` whose text changed (or is new), inside the caller's transaction."""
    wanted: dict[str, str] = {}
    for kind, view in views:
        if kind == "problem":
            wanted[view["id"]] = indexed_text(view)
    if not wanted:
        return
    stored: dict[str, str] = {}
    ids = list(wanted)
    for chunk in _chunks(ids):
        cursor.execute(_sql(f"SELECT problem, text FROM {DOCS} WHERE problem IN ({', '.join('?' for _ in chunk)})", style), list(chunk))
        stored.update((r[0], r[1]) for r in cursor.fetchall())
    changed = [i for i in ids if stored.get(i) != wanted[i]]
    if not changed:
        return
    from collections import Counter

    added: dict[int, list[str]] = {}
    removed: dict[int, set[str]] = {}
    counts: Counter[int] = Counter()
    fresh = sum(1 for problem in changed if problem not in stored)
    if fresh:
        counts[DOCUMENTS] = fresh
    # Set operations and Counter.update do the per-term work in C: an import indexes ~11 terms per
    # title, 50,000 titles at a time.
    for problem in sorted(changed):
        new = terms(wanted[problem])
        if problem in stored:
            old = terms(stored[problem])
            gained, lost = new - old, old - new
            counts.subtract(lost)
            for term in lost - STOCK_TERMS:
                removed.setdefault(term, set()).add(problem)
        else:
            gained = new
        counts.update(gained)
        for term in gained - STOCK_TERMS:
            if term in added:
                added[term].append(problem)
            else:
                added[term] = [problem]
    if removed:
        _remove_postings(cursor, removed, style)
    if added:
        # In term order: the index on term is filled leaf by leaf, not at random.
        rows: list[tuple[int, str]] = []
        for term in sorted(added):
            listed = added[term]
            rows.extend((term, SEPARATOR.join(listed[i : i + PER_ROW])) for i in range(0, len(listed), PER_ROW))
        cursor.executemany(_sql(f"INSERT INTO {POSTINGS} (term, problem) VALUES (?, ?)", style), rows)
    changes = [(t, n) for t, n in counts.items() if n]
    if changes:
        cursor.executemany(
            _sql(f"INSERT INTO {FREQUENCIES} (term, df) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET df = {FREQUENCIES}.df + excluded.df", style),
            changes,
        )
        if any(n < 0 for _, n in changes):
            cursor.execute(f"DELETE FROM {FREQUENCIES} WHERE df <= 0")
    cursor.executemany(
        _sql(f"INSERT INTO {DOCS} (problem, text) VALUES (?, ?) ON CONFLICT (problem) DO UPDATE SET text = excluded.text", style),
        [(p, wanted[p]) for p in changed],
    )


def _remove_postings(cursor: Any, removed: dict[int, set[str]], style: str) -> None:
    """Take problems out of their terms' rows (a correction changed their text): each row holding one is written again without it."""
    for chunk in _chunks(sorted(removed)):
        cursor.execute(_sql(f"SELECT term, problem FROM {POSTINGS} WHERE term IN ({', '.join('?' for _ in chunk)})", style), list(chunk))
        for term, listed in cursor.fetchall():
            problems = listed.split(SEPARATOR)
            kept = [p for p in problems if p not in removed[int(term)]]
            if len(kept) == len(problems):
                continue
            cursor.execute(_sql(f"DELETE FROM {POSTINGS} WHERE term = ? AND problem = ?", style), (term, listed))
            if kept:
                cursor.execute(_sql(f"INSERT INTO {POSTINGS} (term, problem) VALUES (?, ?)", style), (term, SEPARATOR.join(kept)))


def write_similarity_index(cursor: Any, stored_events: Sequence[Any], positions: Sequence[int], kwargs: dict[str, Any], style: str) -> None:
    """The store's in-transaction hook (see `composition`)."""
    with _made_by_init():
        write_index(cursor, kwargs.get("views", ()), style)


@contextmanager
def _made_by_init() -> Iterator[None]:
    """A store of schema 5 or earlier lacks these tables until `ledger init` upgrades it: say so, not 'no such table'."""
    try:
        yield
    except Exception as e:
        if "no such table" in str(e) or type(e).__name__ == "UndefinedTable":
            from ledger.errors import StoreError

            raise StoreError(t("the store was made by an earlier version of the ledger: run `ledger init` to upgrade it")) from None
        raise


def has_index(cursor: Any, style: str = "?") -> bool:
    """Whether the store has the index (a store made before it: `ledger init` adds and fills it)."""
    from ledger.schema import has_table

    return has_table(cursor, DOCS, postgres=style != "?")


# -- checking the index against the problems (replay) ------------------------------


# What check_index reads, per store: each problem's title and description taken out of its JSON view by the
# database (not decoded in Python: 1.7 s of 4.5 at 100k problems), beside the indexed text stored for it.
# (The postings are read as stored: a row lists the problems of one write.)
_INDEXED = {
    "?": f"SELECT p.id, json_extract(p.data, '$.title'), json_extract(p.data, '$.description'), d.text "
         f"FROM ledger_problems p LEFT JOIN {DOCS} d ON d.problem = p.id",
    "%s": f"SELECT p.id, p.data::json->>'title', p.data::json->>'description', d.text "
          f"FROM ledger_problems p LEFT JOIN {DOCS} d ON d.problem = p.id",
}
def check_index(cursor: Any, style: str = "?") -> str | None:
    """The stored index equals one rebuilt from the (already checked) problem rows; else what differs.

    Every problem's indexed text (title and the start of its description, normalised) against the stored
    one; its postings (its terms but the stock ones) against the stored postings; each term's document
    frequency against a count over every problem's terms."""
    from collections import Counter

    try:
        cursor.execute(_INDEXED[style])
        rows = cursor.fetchall()
    except Exception:  # a view the database cannot read as JSON (the row checks name it): read it here
        return _check_index_decoding(cursor, style)
    expected: dict[str, frozenset[int]] = {}
    frequencies_expected: Counter[int] = Counter()
    for problem, title, description, stored_text in sorted(rows, key=lambda r: r[0]):
        text = normalise(f"{title or ''}\n{(description or '')[:DESCRIPTION_CHARS]}".strip())
        if stored_text is None:
            return t("{table}: {key} is missing from the stored similarity index", table=DOCS, key=problem)
        if stored_text != text:
            return t("{table}: {key} text differs: stored {a!r}, replay {b!r}", table=DOCS, key=problem, a=stored_text, b=text)
        found = terms(text)
        frequencies_expected.update(found)
        expected[problem] = frozenset(found - STOCK_TERMS)
    cursor.execute(f"SELECT problem FROM {DOCS} ORDER BY problem")
    for (problem,) in cursor.fetchall():
        if problem not in expected:
            return t("{table}: {key} is in the stored similarity index but no problem has that id", table=DOCS, key=problem)
    cursor.execute(f"SELECT term, problem FROM {POSTINGS}")
    posted: dict[str, list[int]] = {}
    for term, listed in cursor.fetchall():
        for problem in listed.split(SEPARATOR):
            posted.setdefault(problem, []).append(int(term))
    for problem in sorted(set(expected) | set(posted)):
        listed_under = posted.get(problem, [])
        seen = frozenset(listed_under)
        if len(seen) != len(listed_under):  # counted twice by every query
            twice = next(term for term in listed_under if listed_under.count(term) > 1)
            return t("{table}: term {term!r} lists {key} twice", table=POSTINGS, term=term_text(twice), key=problem)
        want = expected.get(problem, frozenset())
        if seen != want:
            extra, missing = sorted(seen - want), sorted(want - seen)
            if extra:
                return t("{table}: term {term!r} lists {key}, whose text does not hold it", table=POSTINGS, term=term_text(extra[0]), key=problem)
            return t("{table}: term {term!r} is missing {key}", table=POSTINGS, term=term_text(missing[0]), key=problem)
    return _check_frequencies(cursor, frequencies_expected, len(expected))


def _check_frequencies(cursor: Any, documents: Any, count: int) -> str | None:
    """The stored document frequencies (and the count of problems indexed) against `documents`, term → problems holding it."""
    cursor.execute(f"SELECT term, df FROM {FREQUENCIES}")
    frequencies = {int(r[0]): int(r[1]) for r in cursor.fetchall()}
    counted = frequencies.pop(DOCUMENTS, 0)
    if counted != count:
        return t("{table}: the count of problems indexed differs: stored {a}, replay {b}", table=FREQUENCIES, a=counted, b=count)
    if frequencies != documents:
        for term in sorted(set(documents) | set(frequencies)):
            want = documents.get(term, 0)
            if frequencies.get(term, 0) != want:
                return t("{table}: term {term!r} document frequency differs: stored {a}, replay {b}", table=FREQUENCIES, term=term_text(term), a=frequencies.get(term, 0), b=want)
    return None


def _check_index_decoding(cursor: Any, style: str = "?") -> str | None:
    """check_index, decoding each view in Python (a view the database's JSON functions refuse)."""
    import json

    from collections import Counter

    cursor.execute("SELECT id, data FROM ledger_problems ORDER BY id")
    expected: dict[str, str] = {}
    for problem, data in cursor.fetchall():
        try:
            view = json.loads(data)
        except ValueError:
            return t("{table}: {key} data is not JSON", table="ledger_problems", key=problem)
        expected[problem] = indexed_text(view if isinstance(view, dict) else {})
    cursor.execute(f"SELECT problem, text FROM {DOCS} ORDER BY problem")
    stored = {r[0]: r[1] for r in cursor.fetchall()}
    for problem in sorted(set(expected) | set(stored)):
        if problem not in stored:
            return t("{table}: {key} is missing from the stored similarity index", table=DOCS, key=problem)
        if problem not in expected:
            return t("{table}: {key} is in the stored similarity index but no problem has that id", table=DOCS, key=problem)
        if stored[problem] != expected[problem]:
            return t("{table}: {key} text differs: stored {a!r}, replay {b!r}", table=DOCS, key=problem, a=stored[problem], b=expected[problem])
    documents: Counter[int] = Counter()
    postings: dict[int, set[str]] = {}
    for problem, text in expected.items():
        for term in terms(text):
            documents[term] += 1
            if term not in STOCK_TERMS:
                postings.setdefault(term, set()).add(problem)
    cursor.execute(f"SELECT term, problem FROM {POSTINGS}")
    seen: dict[int, set[str]] = {}
    for term, listed in cursor.fetchall():
        found = seen.setdefault(int(term), set())
        for problem in listed.split(SEPARATOR):
            if problem in found:  # counted twice by every query
                return t("{table}: term {term!r} lists {key} twice", table=POSTINGS, term=term_text(int(term)), key=problem)
            found.add(problem)
    for term in sorted(set(postings) | set(seen)):
        extra = seen.get(term, set()) - postings.get(term, set())
        missing = postings.get(term, set()) - seen.get(term, set())
        if extra:
            return t("{table}: term {term!r} lists {key}, whose text does not hold it", table=POSTINGS, term=term_text(term), key=sorted(extra)[0])
        if missing:
            return t("{table}: term {term!r} is missing {key}", table=POSTINGS, term=term_text(term), key=sorted(missing)[0])
    return _check_frequencies(cursor, documents, len(expected))


REBUILD = [f"DELETE FROM {table}" for table in INDEX_TABLES]


def renew_postings(cursor: Any, style: str = "?") -> int:
    """A store of schema 6 or 7 (one posting per row, clustered by term): the postings table made again in
    this schema's form and the index rebuilt (`ledger init`); problems indexed."""
    cursor.execute(f"DROP TABLE IF EXISTS {POSTINGS}")
    for statement in SQLITE_SCHEMA if style == "?" else PG_SCHEMA:
        cursor.execute(statement)
    return rebuild_index(cursor, style)


def rebuild_index(cursor: Any, style: str = "?") -> int:
    """Fill the index afresh from ledger_problems (`ledger init` on a store made before it); problems indexed."""
    import json

    for statement in REBUILD:
        cursor.execute(statement)
    # A batch of views at a time, by id: the whole register at once held 0.76 GB at 115,000 problems.
    indexed, after = 0, ""
    while True:
        cursor.execute(_sql("SELECT id, data FROM ledger_problems WHERE id > ? ORDER BY id LIMIT ?", style), (after, REBUILD_BATCH))
        rows = cursor.fetchall()
        if not rows:
            return indexed
        views = [("problem", json.loads(r[1])) for r in rows]
        write_index(cursor, views, style)
        write_links(cursor, views, style)
        indexed += len(views)
        after = rows[-1][0]


REBUILD_BATCH = 20_000


# -- querying --------------------------------------------------------------------


@dataclass
class Candidate:
    id: str
    score: float
    shared: list[str]


def _frequencies(cursor: Any, wanted: Iterable[int], style: str) -> dict[int, int]:
    found: dict[int, int] = {}
    items = sorted(set(wanted))
    for chunk in _chunks(items):
        cursor.execute(_sql(f"SELECT term, df FROM {FREQUENCIES} WHERE term IN ({', '.join('?' for _ in chunk)})", style), list(chunk))
        found.update((int(r[0]), int(r[1])) for r in cursor.fetchall())
    return found


# Query terms whose postings are read to find candidates: the rarest, at most LOOKED_TERMS of them,
# and after the FEWEST_TERMS rarest only while the postings read stay under POSTINGS_READ.
LOOKED_TERMS = 16
FEWEST_TERMS = 3
POSTINGS_READ = 10000
# Candidates summed in SQL, before the scope (earlier inspections, one organisation) is applied.
GATHERED = 200


def find_similar(
    cursor: Any,
    text: str,
    matching: Matching,
    *,
    style: str = "?",
    exclude: Any = None,
    keep: Any = None,
    candidates: int = CANDIDATES,
    limit: int | None = None,
) -> list[Candidate]:
    """Problems whose indexed text is like `text`, best first, at or above the threshold (at most `limit`).

    `exclude(id)` drops a problem before it is scored (itself, rejected ones);
    `keep(ids)` returns those of the ids in scope.
    """
    query = normalise(text)
    forms = matching.variants(query)
    query_terms = set().union(*(terms(f) for f in forms))
    if not query_terms:
        return []
    df = _frequencies(cursor, query_terms | {DOCUMENTS}, style)
    documents = df.pop(DOCUMENTS, 0)
    if not documents:
        return []
    # The rarest terms find a recurrence (it shares its distinctive words); common ones only add rows
    # to sum: read the rarest first, the next only while the postings read stay within a budget.
    looked: list[tuple[int, float]] = []
    read = 0
    for n, t in sorted((df[t], t) for t in query_terms if df.get(t, 0) > 0 and t not in matching.stock):
        if len(looked) >= LOOKED_TERMS or (len(looked) >= FEWEST_TERMS and read + n > POSTINGS_READ):
            break
        looked.append((t, matching.weight(t, n, documents)))
        read += n
    if not looked:
        return []
    # The weights are summed here, not in SQL: a row lists the problems of one write.
    weights_looked = dict(looked)
    cursor.execute(_sql(f"SELECT term, problem FROM {POSTINGS} WHERE term IN ({', '.join('?' for _ in looked)})", style), list(weights_looked))
    sums: dict[str, float] = {}
    get = sums.get
    for term, listed in cursor.fetchall():
        w = weights_looked[int(term)]
        for p in listed.split(SEPARATOR):
            sums[p] = get(p, 0.0) + w
    import heapq

    found = heapq.nsmallest(GATHERED, sums, key=lambda p: (-sums[p], p))
    found = [p for p in found if exclude is None or not exclude(p)]
    if keep is not None and found:
        allowed = keep(found)
        found = [p for p in found if p in allowed]
    found = found[:candidates]
    if not found:
        return []
    cursor.execute(_sql(f"SELECT problem, text FROM {DOCS} WHERE problem IN ({', '.join('?' for _ in found)})", style), found)
    texts = {r[0]: matching.canonical(r[1]) for r in cursor.fetchall()}
    mine = matching.canonical(query)
    mine_terms = terms(mine)
    their_terms = {p: terms(t) for p, t in texts.items()}
    needed = set(mine_terms).union(*their_terms.values())
    df.update(_frequencies(cursor, needed - set(df), style))
    weights = {t: matching.weight(t, df.get(t, 0), documents) for t in needed}
    weight = weights.__getitem__

    scored = []
    for problem, theirs in their_terms.items():
        value, shared = score(mine_terms, theirs, weight)
        if value >= matching.threshold:
            scored.append((-round(value, 4), problem, shared))
    scored.sort(key=lambda c: c[:2])
    # "Why" only for those shown.
    return [Candidate(p, -v, shared_words(mine, texts[p], shared, stock=matching.stock)) for v, p, shared in scored[:limit]]


# -- confirmed links (屡查屡犯, 同类问题), for counting -------------------------------------
# One row per link, from the later problem's view: `summary` and `publish` count them without reading views.

LINKS = "ledger_problem_links"
LINKS_SCHEMA = [f"CREATE TABLE IF NOT EXISTS {LINKS} (new TEXT NOT NULL, old TEXT NOT NULL, link TEXT NOT NULL, PRIMARY KEY (new, old))"]


def link_rows(view: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(view["id"], k["problem"], k["as"]) for k in view.get("links", ()) if k["direction"] == "earlier"]


def write_links(cursor: Any, views: Iterable[tuple[str, dict[str, Any]]], style: str = "?") -> None:
    rows = [row for kind, view in views if kind == "problem" for row in link_rows(view)]
    if rows:  # a link is never undone: rows are only added
        cursor.executemany(_sql(f"INSERT INTO {LINKS} (new, old, link) VALUES (?, ?, ?) ON CONFLICT (new, old) DO NOTHING", style), rows)


def write_problem_links(cursor: Any, stored_events: Sequence[Any], positions: Sequence[int], kwargs: dict[str, Any], style: str) -> None:
    """The store's in-transaction hook (see `composition`)."""
    with _made_by_init():
        write_links(cursor, kwargs.get("views", ()), style)


def has_links(cursor: Any, style: str = "?") -> bool:
    from ledger.schema import has_table

    return has_table(cursor, LINKS, postgres=style != "?")


def check_links(cursor: Any, style: str = "?") -> str | None:
    """The stored links equal those of the (already checked) problem views."""
    import json

    cursor.execute("SELECT data FROM ledger_problems WHERE data LIKE '%\"links\":[%'")
    expected = {(r[0], r[1]): r[2] for d in cursor.fetchall() for r in link_rows(json.loads(d[0]))}
    cursor.execute(f"SELECT new, old, link FROM {LINKS}")
    stored = {(r[0], r[1]): r[2] for r in cursor.fetchall()}
    for key in sorted(set(expected) | set(stored)):
        if key not in stored:
            return t("{table}: {key} is missing from the stored derived tables", table=LINKS, key=key[0] + "→" + key[1])
        if key not in expected:
            return t("{table}: {key} is in the stored links but no event links them", table=LINKS, key=key[0] + "→" + key[1])
        if stored[key] != expected[key]:
            return t("{table}: {key} link differs: stored {a!r}, replay {b!r}", table=LINKS, key=key[0] + "→" + key[1], a=stored[key], b=expected[key])
    return None
