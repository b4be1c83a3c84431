"""knowledge.subscriptions and knowledge.series: what a reload announces, to whom, once;
questions about change over time and their series (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import FactStore, Notice, Subscriptions, change_question, series_for
from knowledge.library import Library
from knowledge.series import short_period

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "tests" / "bot" / "articles"


def digest(notice: Notice) -> str:
    """A notice as one line: chat, topics, facts (figure, «было» figure)."""
    facts = "; ".join(
        f"{item.figure.label if item.figure else '-'}"
        + (f" (было {item.before.figure.label})" if item.before else "")
        for item in notice.facts
    )
    return f"{notice.chat_id} {'+'.join(notice.topics)}: {facts}"


@pytest.fixture
async def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    articles = Path(shutil.copytree(ROOT / "seeds", tmp_path / "articles"))
    url = f"sqlite+aiosqlite:///{tmp_path / 'subs.db'}"
    store = await FactStore.open(url)
    library = await Library.open(store, articles)
    subscriptions = Subscriptions(url)
    yield articles, library, subscriptions
    await subscriptions.close()
    await store.close()


@pytest.mark.parametrize(
    ("change", "expected_new", "expected"),
    [
        ("add", 2, ["1 туризм: 2,1 млн человек (было 1,9 млн человек)",
                    "2 соцподдержка+туризм: 12 тыс. человек (было 10 тыс. человек); "
                    "2,1 млн человек (было 1,9 млн человек)"]),
        ("nothing", None, []),
        ("remove", 0, []),
    ],
)  # fmt: skip
async def test_announce_what_a_reload_adds(
    world, change: str, expected_new: int | None, expected: list[str]
) -> None:  # type: ignore[no-untyped-def]
    articles, library, subscriptions = world
    first = await subscriptions.announce(library.index, digest)
    assert first is not None and (first.new_facts, first.messages) == (0, 0)  # not news
    await subscriptions.subscribe(1, ["туризм"])
    await subscriptions.subscribe(2, ["туризм", "соцподдержка"])
    await subscriptions.subscribe(3, ["образование"])
    if change == "add":
        shutil.copy(ARTICLES / "news_2026.txt", articles / "news_2026.txt")
    elif change == "remove":
        (articles / "004_e37ac366897bb94f.txt").unlink()
    await library.reload()
    result = await subscriptions.announce(library.index, digest)
    if expected_new is None:
        assert result is None  # no new generation: nothing to announce
    else:
        assert result is not None
        assert (result.new_facts, result.messages) == (expected_new, len(expected))
    texts = []
    while True:
        async with subscriptions.claim(chat_interval=1.0) as claim:
            if claim is None:
                break
            texts.append(claim.item.text)
            await claim.sent()
    assert texts == expected
    # Announcing the same generation again (another replica) queues nothing.
    assert await subscriptions.announce(library.index, digest) is None


async def test_toggle_counts_and_unsubscribe_all(world) -> None:  # type: ignore[no-untyped-def]
    _, _, subscriptions = world
    assert [await subscriptions.toggle(7, t) for t in ("туризм", "МСП", "туризм")] == [
        True,
        True,
        False,
    ]
    await subscriptions.subscribe(8, ["МСП"])
    assert await subscriptions.counts() == {"МСП": 2}
    assert await subscriptions.topics_of(7) == ("МСП",)
    assert await subscriptions.unsubscribe_all(7) == 1
    assert await subscriptions.topics_of(7) == ()


@pytest.mark.parametrize(
    ("question", "core"),
    [
        ("Как менялось число туристов?", "число туристов"),
        ("Динамика бюджета на образование", "бюджета на образование"),
        ("туристы по годам", "туристы"),
        ("Как росло число туристов", "число туристов"),
        ("Как изменилось число получателей?", None),
        ("Сколько туристов приехало в 2025 году?", None),
    ],
)
def test_change_question(question: str, core: str | None) -> None:
    assert change_question(question) == core


@pytest.mark.parametrize(
    ("unit", "short"),
    [
        ("9 месяцев", "9 мес."),
        ("1 квартал", "1 кв."),
        ("1 полугодие", "1 полуг."),
        ("январь-сентябрь", "янв.–сент."),
    ],
)
def test_short_period(unit: str, short: str) -> None:
    assert short_period(unit) == short


@pytest.mark.parametrize(
    ("question", "points"),
    [
        (
            "Как менялось число туристов?",
            [("2023", "1,5 млн человек", False), ("2024", "1,7 млн человек", False),
             ("9 мес. 2025", "1,9 млн человек", True)],
        ),
        (
            "Динамика числа получателей адресной помощи",
            [("2023", "21 тыс. человек", False), ("2025", "10 тыс. человек", False)],
        ),
        (
            "Как менялся объем туристских услуг?",
            [("2023", "60 млрд тенге", False), ("9 мес. 2025", "82,4 млрд тенге", True)],
        ),
        ("Как менялась доля МСП в экономике?", None),  # one figure only
    ],
)  # fmt: skip
async def test_series_from_test_articles(
    world, question: str, points: list[tuple[str, str, bool]] | None
) -> None:  # type: ignore[no-untyped-def]
    articles, library, _ = world
    for name in ("tourism_2023.txt", "tourism_2024.txt"):
        shutil.copy(ARTICLES / name, articles / name)
    await library.reload()
    answer, series = series_for(library.index, question)
    assert answer.found
    if points is None:
        assert series is None
        return
    assert series is not None
    assert [(p.period, p.label, p.partial) for p in series.points] == points
