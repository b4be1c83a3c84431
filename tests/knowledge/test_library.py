import datetime as dt
from pathlib import Path

import pytest

from knowledge import FactIndex
from knowledge.library import ArticleRefused, Library

VELO = "---\ndate: 2026-02-01\n---\n\nВ 2026 году в Алматы построят 120 км велодорожек.\n"


async def test_swap_listeners_see_each_new_index_once(
    library: Library, articles_dir: Path
) -> None:
    swapped: list[FactIndex] = []
    library.swap_listeners.append(swapped.append)
    first = library.index

    unchanged = await library.reload()
    assert not unchanged.changed_anything
    assert swapped == [] and library.index is first

    (articles_dir / "010_velo.txt").write_text(VELO, encoding="utf-8")
    changed = await library.reload()
    assert changed.changed_anything
    assert swapped == [library.index]
    assert library.index is not first
    assert library.index.generation == first.generation + 1


VELO_TITLED = VELO.replace("---\n\n", "title: Велодорожки\n---\n\n", 1)


async def test_add_article_checks_saves_and_reloads(library: Library, articles_dir: Path) -> None:
    now = dt.datetime(2026, 2, 1, 10, 30, tzinfo=dt.UTC)
    added = await library.add_article(VELO_TITLED.encode(), now=now)
    assert added.file_name.startswith("add_20260201_103000_")
    assert (articles_dir / added.file_name).read_text(encoding="utf-8") == VELO_TITLED
    assert (added.article.title, added.report.added) == ("Велодорожки", (added.file_name,))
    assert library.ask("Сколько км велодорожек построят в 2026 году?").found


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("В 2026 году — 120 км.\n", "нет заголовка: статья должна начинаться со строки ---"),
        ("---\ntitle: X\n---\n\nText.\n", "в заголовке нет даты (строка date: ГГГГ-ММ-ДД)"),
        (VELO, "такая статья уже загружена (010_velo.txt)"),  # the same bytes
        (VELO.replace("date: 2026-02-01", "date: 2026-02-02"), "повторяет 010_velo.txt: все "
         "предложения уже есть там"),  # the same sentences
    ],
)  # fmt: skip
async def test_add_article_refuses_what_a_reload_would_skip_and_saves_nothing(
    library: Library, articles_dir: Path, raw: str, reason: str
) -> None:
    (articles_dir / "010_velo.txt").write_text(VELO, encoding="utf-8")
    await library.reload()
    before = sorted(p.name for p in articles_dir.iterdir())
    with pytest.raises(ArticleRefused) as refused:
        await library.add_article(raw.encode())
    assert str(refused.value) == reason
    assert sorted(p.name for p in articles_dir.iterdir()) == before


def test_fact_and_explain(seed_index: FactIndex) -> None:
    fact = seed_index.facts[5]
    assert seed_index.fact(fact.id) is fact
    assert seed_index.fact("no-such-article.txt#0") is None
    question = "Сколько туристов приехало в Алматы в 2025 году?"
    best = seed_index.rank(question, limit=1, threshold=False)[0]
    assert seed_index.explain(question, best.fact) == best  # as ranked
    unrelated = next(f for f in seed_index.facts if f.amounts and f.id != best.fact.id)
    assert seed_index.rank("Сколько велодорожек?", limit=50, threshold=False) == []
    far = seed_index.explain("Сколько велодорожек?", unrelated)  # ranked nowhere
    assert (far.fact, far.score, far.figure) == (unrelated, 0.0, unrelated.amounts[0])
