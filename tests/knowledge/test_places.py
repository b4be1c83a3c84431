"""places: which cities a text names, and that a question about one city is not answered
from an article about another."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from knowledge import FactIndex
from knowledge.articles import Article
from knowledge.facts import extract_facts
from knowledge.places import agree, places_in

ALMATY, ASTANA, SHYMKENT = 1 << 0, 1 << 1, 1 << 2
SEMEY = 1 << 12


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("Сколько туристов приехало в Алматы?", ALMATY),
        ("Какой длины будет линия LRT в Астане?", ASTANA),
        ("В южной столице открыли парк", ALMATY),  # not Astana, «столица» alone is no name
        ("Какие мировые столицы взяты за образец?", 0),
        ("Из Шымкента в Астану пустят поезд", ASTANA | SHYMKENT),
        ("Нур-Султан переименовали", ASTANA),
        ("В городе построят школу", 0),
        ("в Карагандинской области", 1 << 3),  # a region's adjective: its centre
        ("карагандинцы жалуются на смог", 1 << 3),
        ("Алматинский горный кластер", 0),  # the city's cluster, the region's name: neither
        # «семей» is also «семья»: the city only where it is written as a name
        ("Жильё получили 214 многодетных семей", 0),
        ("Сколько семей получили квартиры в Кызылорде?", 1 << 10),
        ("Туристов в Семее стало больше", SEMEY),
        ("Семей принял 40 тысяч туристов", SEMEY),
        ("скок туристов в семее", SEMEY),  # a lowercase question still names it
    ],
)
def test_places_in(text: str, mask: int) -> None:
    assert places_in(text) == mask


@pytest.mark.parametrize(
    ("question", "fact", "expected"),
    [(ALMATY, SHYMKENT, False), (ALMATY, ALMATY | SHYMKENT, True), (0, SHYMKENT, True),
     (ASTANA, 0, True)],
)  # fmt: skip
def test_agree(question: int, fact: int, expected: bool) -> None:
    assert agree(question, np.array([fact], dtype=np.int64)).tolist() == [expected]


def _article(name: str, title: str, *paragraphs: str) -> Article:
    return Article(name, title, dt.date(2025, 5, 1), None, paragraphs, name)


INDEX = FactIndex.build(
    [
        *extract_facts(
            _article(
                "shymkent.txt",
                "В Шымкенте построят канатную дорогу",
                "Шымкент получит новую канатную дорогу.",
                "Её длина составит 4,5 км.",
            )
        ),
        *extract_facts(
            _article("astana.txt", "Новости Астаны", "В Астане открыли 12 новых школ.")
        ),
    ]
)


def test_a_question_naming_no_city_asks_about_the_home_city() -> None:
    # the bot is Almaty's: «Сколько школ открыли?» is not answered from Astana's article
    assert INDEX.match("Сколько новых школ открыли?") == []
    assert INDEX.parse_question("Сколько новых школ открыли?").places == ALMATY


def test_a_question_about_one_city_is_not_answered_from_another_citys_article() -> None:
    assert INDEX.match("Сколько школ открыли в Шымкенте?") == []
    assert [m.fact.article_id for m in INDEX.match("Сколько школ открыли в Астане?")] == [
        "astana.txt"
    ]
