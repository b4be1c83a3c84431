"""The pruned candidate pass (knowledge/scoring.py) against the plain one: the same scores,
bit for bit, and the same ranking, on the seeds and on a synthetic corpus full of
near-duplicate sentences (where ties decide)."""

import datetime as dt
import json
import math
import weakref
from pathlib import Path

import numpy as np
import pytest

from knowledge import Article, FactIndex, extract_facts, read_articles
from knowledge import postings as postings_module
from knowledge import retrieve as retrieve_module
from knowledge.dev.bench import make_corpus, make_questions, write_corpus
from knowledge.places import places_in
from knowledge.query import channels
from knowledge.query.parse import MAX_UNITS
from knowledge.scoring import dense, exact
from knowledge.text import WEIGHT_GENERIC, analyze, data_lines, lexicon, words

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory: pytest.TempPathFactory) -> FactIndex:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(make_corpus(3000, SEEDS), folder)
    articles, _ = read_articles(folder)
    return FactIndex.build(fact for article in articles for fact in extract_facts(article))


def _questions(index: FactIndex) -> list[str]:
    eval_questions = [
        json.loads(line)["question"] for line in QUESTIONS.read_text("utf-8").splitlines()
    ]
    return eval_questions + [q.text for q in make_questions(index.facts, 200, 7)]


def _ranked(index: FactIndex, question: str, threshold: bool) -> list[tuple[str, float, str]]:
    return [
        (m.fact.id, m.score, " ".join(m.why))
        for m in index.rank(question, limit=16, threshold=threshold)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["seed_index", "synthetic_index"])
def test_pruned_pass_ranks_as_the_plain_pass(
    which: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    index: FactIndex = request.getfixturevalue(which)
    questions = _questions(index)
    monkeypatch.setattr(retrieve_module, "DENSE_POSTINGS", 10**12)
    index.clear_caches()
    plain = {(q, t): _ranked(index, q, t) for q in questions for t in (True, False)}
    monkeypatch.setattr(retrieve_module, "DENSE_POSTINGS", 0)
    index.clear_caches()
    pruned = {(q, t): _ranked(index, q, t) for q in questions for t in (True, False)}
    index.clear_caches()
    assert pruned == plain


_LISTING: weakref.WeakKeyDictionary[FactIndex, list[int]] = weakref.WeakKeyDictionary()


def _listing_places(index: FactIndex) -> list[int]:
    """Facts naming two places or more that are not found everywhere («Москвы и Парижа»)."""
    if index not in _LISTING:
        lx = lexicon()
        _LISTING[index] = [
            i
            for i, f in enumerate(index.facts)
            if len(
                {
                    analyze(w).lemma
                    for w, _ in words(f.text, parts=False)
                    if analyze(w).place and lx.weight(w, analyze(w)) > WEIGHT_GENERIC
                }
            )
            >= postings_module.PLACES_LISTED
        ]
    return _LISTING[index]


def _plainly(index: FactIndex, question: str) -> tuple[np.ndarray, ...]:
    """Score, coverage, evidence and bits of every fact, as the matcher first computed them:
    over every way of every unit (duplicates included), one numpy pass at a time."""
    n = len(index)
    q = index.parse_question(question)
    units = q.units[:MAX_UNITS]
    rarity = [index.retriever.unit_rarity(u) for u in units]
    total = sum(u.weight * r for u, r in zip(units, rarity, strict=True)) or 1.0
    score = np.zeros(n, dtype=np.float32)
    covered = np.zeros(n, dtype=np.float32)
    evidence = np.zeros(n, dtype=np.float32)
    bits = np.zeros(n, dtype=np.uint64)
    facts = index.facts
    article_end = [
        next((j for j in range(i + 1, n) if facts[j].article_id != f.article_id), n)
        for i, f in enumerate(facts)
    ]
    months = dict(q.months)
    # The facts of each month: an article written in it (when the question names one month
    # only), a date in it, a part of a year.
    in_month: dict[int, list[int]] = {}
    for month in set(months.values()):
        in_month[month] = [
            i
            for i, f in enumerate(facts)
            if (len(q.months) == 1 and f.article_date and f.article_date.month == month)
            or any(g.kind == "month" and g.month == month for g in f.figures)
            or any(g.kind == "period" for g in f.figures)
        ]
    listing = _listing_places(index)
    for number, (unit, unit_rarity) in enumerate(zip(units, rarity, strict=True)):
        bit = np.uint64(1 << number)
        ways = []
        for term, channel in unit.alternatives:
            idf = index.postings.idf.get(term)
            if idf is None:
                continue
            posting = index.postings.posting(term)
            assert posting is not None
            ids, tfn = posting
            ways.append((channel * idf, ids, (channel * idf) * tfn, channel))
            context = (
                index.postings.context_of(term) if not unit.generic and channel >= 0.9 else None
            )
            if context is not None:
                back = [i for i in context.tolist() if _points_back(facts[i].text)]
                if back:
                    strong = channel * channels.CHANNEL_ANAPHORA
                    ways.append((strong * idf, np.array(back), strong * idf, strong))
                weak = channel * channels.CHANNEL_CONTEXT
                ways.append((weak * idf, context, weak * idf, weak))
            if not unit.generic and channel >= 0.9:
                # the rest of each article whose first sentence has the term
                after_lead = [
                    j
                    for i in ids.tolist()
                    if facts[i].position == 0
                    for j in range(i + 1, article_end[i])
                ]
                if 0 < len(after_lead) <= postings_module.LEAD_CONTEXT_MAX:
                    weak = channel * channels.CHANNEL_LEAD
                    ways.append((weak * idf, np.array(after_lead), weak * idf, weak))
        ways.sort(key=lambda way: -way[0])
        if number in months:
            ways.append((0.0, np.array(in_month[months[number]], dtype=np.int64), 0.0, 1.0))
        city = places_in(unit.label)
        if city and not unit.generic:
            # the facts of articles about the city the word names
            about = np.flatnonzero(index.postings.places & city)
            ways.append((0.0, about, 0.0, channels.CHANNEL_PLACE))
        if number in q.place_units:
            ways.append((0.0, np.array(listing, dtype=np.int64), 0.0, channels.CHANNEL_GROUP))
        for _, ids, values, channel in ways:
            fresh = (bits[ids] & bit) == 0
            if not fresh.any():
                continue
            reached = ids[fresh]
            bits[reached] |= bit
            gained = values[fresh] if isinstance(values, np.ndarray) else values
            score[reached] += unit.weight * gained
            covered[reached] += unit.weight * unit_rarity * channel
            if not unit.generic:
                evidence[reached] += unit.weight * channel
    # Each year of the question: coverage only, for facts about it (and, half, for facts
    # without a year of their own in an article of that year).
    for number, year in enumerate(sorted(q.years), start=len(units)):
        bit = np.uint64(1 << number)
        about = np.zeros(n, dtype=bool)
        about[index.postings.year_ids.get(year, [])] = True
        df = int(about.sum())
        year_rarity = retrieve_module.YEAR_WEIGHT * math.log(1 + (n - df + 0.5) / (df + 0.5))
        total += year_rarity
        present = (index.postings.article_year == year) & ~index.postings.has_years & ~about
        for reached, channel in ((np.flatnonzero(about), 1.0), (np.flatnonzero(present), 0.5)):
            bits[reached] |= bit
            covered[reached] += 1.0 * year_rarity * channel
    return score, covered / total, evidence, bits


def _points_back(text: str) -> bool:
    """«Его …», «В нём …»: a word of data/anaphora.txt among the first three."""
    first = [w for w, _ in words(text, parts=False)[:3]]
    return any(w in data_lines("anaphora.txt") for w in first)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["seed_index", "synthetic_index"])
def test_dense_scores_are_the_first_matchers_bit_for_bit(
    which: str, request: pytest.FixtureRequest
) -> None:
    index: FactIndex = request.getfixturevalue(which)
    for question in _questions(index):
        plan = index.retriever.plan(question)
        if plan is None:
            continue
        got = dense(plan.units, plan.total, len(index))
        score, coverage, evidence, bits = _plainly(index, question)
        assert np.array_equal(got.ids, np.flatnonzero(bits)), question
        for name, plain in (
            ("score", score),
            ("coverage", coverage),
            ("evidence", evidence),
            ("bits", bits),
        ):
            assert np.array_equal(getattr(got, name), plain[got.ids]), (question, name)


def test_exact_scores_are_the_plain_scores_bit_for_bit(synthetic_index: FactIndex) -> None:
    index = synthetic_index
    rng = np.random.default_rng(5)
    for question in _questions(index)[:120]:
        plan = index.retriever.plan(question)
        if plan is None:
            continue
        everything = dense(plan.units, plan.total, len(index))
        if not len(everything.ids):
            continue
        sample = np.sort(
            rng.choice(everything.ids, size=min(50, len(everything.ids)), replace=False)
        )
        at = np.searchsorted(everything.ids, sample)
        where = np.full(len(index), -1, dtype=np.int32)
        some = exact(plan.units, plan.total, sample, where)
        assert (where == -1).all()
        for name in ("score", "coverage", "evidence", "bits"):
            assert np.array_equal(getattr(some, name), getattr(everything, name)[at]), name


YEAR_PLANS = (
    "В 2030 году в Алматы построят 12 новых школ.",
    "К 2030 году протяженность велодорожек достигнет 300 км.",
    "В 2030 году город примет международную выставку.",
    "В 2024 году в городе открыли музей.",
    "В 2025 году туристов было 1,9 млн человек.",
)


@pytest.mark.parametrize(
    ("question", "limit", "expected"),
    [
        # the facts about that year, those with a figure first
        (
            "Какие планы до 2030 года?",
            5,
            [("a.txt#0", "12 новых школ"), ("a.txt#1", "300 км"), ("a.txt#2", None)],
        ),
        ("Какие планы до 2030 года?", 1, [("a.txt#0", "12 новых школ")]),
        ("Что известно про 2024 год?", 5, []),  # one fact is no digest
        ("Какие планы до 2040 года?", 5, []),
    ],
)
def test_digest_of_a_year(
    question: str, limit: int, expected: list[tuple[str, str | None]]
) -> None:
    article = Article("a.txt", "Планы", dt.date(2025, 1, 10), None, YEAR_PLANS, "x")
    index = FactIndex.build(extract_facts(article))
    digest = index.digest(question, limit=limit)
    assert [(m.fact.id, m.figure.text if m.figure else None) for m in digest] == expected
