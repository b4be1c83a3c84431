"""Near-misses, «что нового» and follow-ups (issue 16), table-driven over the seed articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import FactIndex, extract_facts, read_articles
from knowledge.answer import ask, ask_in_context, context_after
from knowledge.conversation import Aspect, Context, FollowUp, asks_latest, follow_up
from knowledge.dev.evaluate import EvalQuestion, judge
from knowledge.nearmiss import NearMiss, NearMissKind

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
AID = "Сколько получателей адресной социальной помощи?"


@pytest.fixture(scope="module")
def index() -> FactIndex:
    articles, _ = read_articles(SEEDS)
    return FactIndex.build(fact for article in articles for fact in extract_facts(article))


NEAR_MISSES = [
    (
        "Сколько туристов приехало за весь 2025 год?",
        NearMiss(NearMissKind.PERIOD, "весь 2025 год", "за девять месяцев 2025 года"),
        "1,9 млн человек",
    ),
    (
        "за весь 2025 год туристов",
        NearMiss(NearMissKind.PERIOD, "весь 2025 год", "за девять месяцев 2025 года"),
        "1,9 млн человек",
    ),
    (
        "Сколько туристов приехало в Алматы в 2024 году?",
        NearMiss(NearMissKind.YEAR, "2024 год", "2025"),
        "1,9 млн человек",
    ),
    (
        "Сколько туристов приехало в Астане в 2025 году?",
        NearMiss(NearMissKind.PLACE, "Астана"),
        "1,9 млн человек",
    ),
    ("сколько туристов в шымкенте", NearMiss(NearMissKind.PLACE, "Шымкент"), "1,9 млн человек"),
]


@pytest.mark.parametrize(("question", "miss", "figure"), NEAR_MISSES)
def test_near_miss_says_what_there_is(
    index: FactIndex, question: str, miss: NearMiss, figure: str
) -> None:
    answer = ask(index, question)
    assert answer.found
    assert answer.near_miss == miss
    assert answer.figure is not None and answer.figure.text == figure


@pytest.mark.parametrize(
    "question",
    [
        "Какая погода завтра в Алматы?",  # nothing of the kind in the articles
        "Сколько стоит проезд в метро?",
        TOURISTS,  # answered: no near-miss
        "Сколько получателей адресной помощи в 2023 году?",  # answered for that very year
    ],
)
def test_no_near_miss_when_more_than_the_period_is_missing(
    index: FactIndex, question: str
) -> None:
    assert ask(index, question).near_miss is None


def test_the_eval_counts_a_near_miss_as_an_abstention(index: FactIndex) -> None:
    question = "Сколько туристов приехало в Алматы в 2024 году?"
    answer = ask(index, question)
    must_abstain = EvalQuestion("q1", question, "abstain", "tune", found=False)
    assert judge(must_abstain, answer).correct
    answerable = EvalQuestion(
        "q2",
        question,
        "count",
        "tune",
        found=True,
        figure="1,9 млн",
        article="001_9e8737218ffa3194.txt",
        date="2026-01-09",
    )
    verdict = judge(answerable, answer)
    assert (verdict.correct, verdict.reasons) == (False, ("abstained",))


@pytest.mark.parametrize(
    ("message", "latest"),
    [
        ("Что нового в городе?", True),
        ("что нового", True),
        ("последние новости Алматы", True),
        ("Новости", True),
        ("Что нового в бюджете на 2026 год?", False),
        ("Сколько новых школ построят?", False),
    ],
)
def test_what_is_new_is_a_whole_message(message: str, latest: bool) -> None:
    assert asks_latest(message) is latest


def test_what_is_new_lists_the_newest_facts_newest_first(index: FactIndex) -> None:
    answer = ask(index, "Что нового в городе?")
    assert answer.found and answer.latest
    dates = [m.fact.article_date for m in answer.digest]
    assert len(dates) == 5
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    newest = max(f.article_date for f in index.facts if f.article_date is not None)
    assert dates[0] == newest


TOURISTS_CONTEXT = Context(question=TOURISTS, fact_id="001_9e8737218ffa3194.txt#9")
AID_CONTEXT = Context(question=AID)

FOLLOW_UPS = [
    ("а в 2024?", TOURISTS_CONTEXT, FollowUp(question=TOURISTS.replace("2025", "2024"))),
    ("а за 2024 год?", TOURISTS_CONTEXT, FollowUp(question=TOURISTS.replace("2025", "2024"))),
    ("а в 2023?", AID_CONTEXT, FollowUp(question=f"{AID[:-1]} в 2023 году?")),
    (
        "а в Астане?",
        TOURISTS_CONTEXT,
        FollowUp(question="Сколько туристов приехало в Астане в 2025 году?"),
    ),
    ("а в процентах?", AID_CONTEXT, FollowUp(question=f"{AID[:-1]} в процентах?")),
    ("а источник?", TOURISTS_CONTEXT, FollowUp(aspect=Aspect.SOURCE)),
    ("а кто это сказал?", TOURISTS_CONTEXT, FollowUp(aspect=Aspect.SPEAKER)),
    ("подробнее", TOURISTS_CONTEXT, FollowUp(aspect=Aspect.MORE)),
    # Complete questions never inherit the context.
    (AID, TOURISTS_CONTEXT, None),
    ("Сколько км горных троп благоустроят в 2026 году?", TOURISTS_CONTEXT, None),
    ("а в 2024?", None, None),
]


@pytest.mark.parametrize(("message", "context", "expected"), FOLLOW_UPS)
def test_follow_up_is_read_against_the_last_answer(
    message: str, context: Context | None, expected: FollowUp | None
) -> None:
    read = follow_up(message, context)
    if expected is None or expected.aspect is not None:
        assert read == expected
    else:
        assert read is not None and read.question == expected.question


def test_a_pointer_follow_up_asks_about_the_last_subject(index: FactIndex) -> None:
    first = ask(index, AID)
    context = context_after(first, None)
    assert context == Context(question=AID, fact_id=first.matches[0].fact.id)
    money = ask_in_context(index, "а сколько денег на это направили?", context)
    assert money.figure is not None and money.figure.text == "38,8 млрд тенге"
    assert money.follow_up == "а сколько денег на это направили?"


def test_the_speaker_is_read_from_the_sentence(index: FactIndex) -> None:
    first = ask(index, "Сколько проектов планируется реализовать до 2030 года?")
    said = ask_in_context(index, "а кто это сказал?", context_after(first, None))
    assert (said.aspect, said.speaker) == (Aspect.SPEAKER, "аким города")
