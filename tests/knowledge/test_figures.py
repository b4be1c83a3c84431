"""find_figures: every figure in the seed articles, plus the tricky cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.articles import read_articles
from knowledge.facts import extract_facts
from knowledge.figures import Figure, find_figures

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# (text, kind, value, unit, comparison, year)
Row = tuple[str, str, float, str | None, str | None, int | None]

# Every sentence of the three seeds that holds a figure, exactly as extract_facts sees it.
SEED_CASES: list[tuple[str, list[Row]]] = [
    (
        "По его словам, на город уже сегодня приходится 53% национального рынка IT-услуг "
        "объемом 4 трлн тенге, здесь действуют Alatau Creative HUB, Farabi Hub и первый в "
        "стране Центр цифровой медицины Almaty Digital Medical Center.",
        [
            ("53%", "percent", 53.0, "%", None, None),
            ("4 трлн тенге", "money", 4_000_000_000_000.0, "тенге", None, None),
        ],
    ),
    (
        "До 2030 года в Алматы планируется реализовать порядка 190 проектов на сумму свыше "
        '3,6 трлн тенге", – сообщил аким города.',
        [
            ("До 2030 года", "year", 2030.0, None, "up_to", 2030),
            ("порядка 190 проектов", "count", 190.0, "проектов", "about", 2030),
            ("свыше 3,6 трлн тенге", "money", 3_600_000_000_000.0, "тенге", "more", 2030),
        ],
    ),
    (
        "Ключевым проектом станет Алматинский горный кластер, который к 2029 году должен "
        "превратиться в крупнейший всесезонный туристический проект Центральной Азии и "
        "ежегодно привлекать около 1 млн иностранных туристов, принося экономике города "
        "более 300 млрд тенге.",
        [
            ("к 2029 году", "year", 2029.0, None, "by_date", 2029),
            (
                "около 1 млн иностранных туристов",
                "count",
                1_000_000.0,
                "иностранных туристов",
                "about",
                2029,
            ),
            ("более 300 млрд тенге", "money", 300_000_000_000.0, "тенге", "more", 2029),
        ],
    ),
    (
        "В городе функционирует порядка 405 тыс. субъектов малого и среднего бизнеса, что "
        "составляет около 18% от общего количества МСП в стране.",
        [
            ("порядка 405 тыс. субъектов", "count", 405_000.0, "субъектов", "about", None),
            ("около 18%", "percent", 18.0, "%", "about", None),
        ],
    ),
    (
        "Вклад малого и среднего бизнеса в экономику города достигает около 60%, при этом в "
        "данном секторе занято до 90% трудоспособного населения.",
        [
            ("около 60%", "percent", 60.0, "%", "about", None),
            ("до 90%", "percent", 90.0, "%", "up_to", None),
        ],
    ),
    (
        "Налоговые поступления от МСП по итогам 2025 года составили 1,2 трлн тенге.",
        [
            ("по итогам 2025 года", "year", 2025.0, None, None, 2025),
            ("1,2 трлн тенге", "money", 1_200_000_000_000.0, "тенге", None, 2025),
        ],
    ),
    (
        "За девять месяцев 2025 года количество туристов увеличилось на 8% и составило "
        "1,9 млн человек, объем оказанных туристских услуг вырос на 17,3%, достигнув "
        "82,4 млрд тенге.",
        [
            ("За девять месяцев 2025 года", "period", 2025.0, "9 месяцев", None, 2025),
            ("на 8%", "percent", 8.0, "%", "change", 2025),
            ("1,9 млн человек", "count", 1_900_000.0, "человек", None, 2025),
            ("на 17,3%", "percent", 17.3, "%", "change", 2025),
            ("82,4 млрд тенге", "money", 82_400_000_000.0, "тенге", None, 2025),
        ],
    ),
    (
        "В 2026 году планируется дальнейшее развитие туристской инфраструктуры, в том числе "
        "предусмотрено благоустройство 350 км горных троп.",
        [
            ("В 2026 году", "year", 2026.0, None, None, 2026),
            ("350 км", "length", 350.0, "км", None, 2026),
        ],
    ),
    (
        "В 2025 году на меры социальной поддержки в городе было направлено 38,8 млрд тенге, "
        "охват составил порядка 330 тыс. человек.",
        [
            ("В 2025 году", "year", 2025.0, None, None, 2025),
            ("38,8 млрд тенге", "money", 38_800_000_000.0, "тенге", None, 2025),
            ("порядка 330 тыс. человек", "count", 330_000.0, "человек", "about", 2025),
        ],
    ),
    (
        "При этом внедрение цифровых инструментов и новых критериев нуждаемости позволило "
        "сократить количество получателей адресной социальной помощи с 21 тыс. человек в "
        "2023 году до 10 тыс. в 2025 году, что отражает переход к более эффективной модели "
        "социальной политики.",
        [
            ("21 тыс. человек", "count", 21_000.0, "человек", "from", 2023),
            ("в 2023 году", "year", 2023.0, None, None, 2023),
            ("10 тыс.", "count", 10_000.0, "человек", "to", 2025),
            ("в 2025 году", "year", 2025.0, None, None, 2025),
        ],
    ),
    (
        "В 2026 году на финансирование системы образования в Алматы предусмотрено более "
        "432 млрд тенге, в том числе на дошкольное, среднее и дополнительное образование, а "
        "также поддержку детей с особыми образовательными потребностями.",
        [
            ("В 2026 году", "year", 2026.0, None, None, 2026),
            ("более 432 млрд тенге", "money", 432_000_000_000.0, "тенге", "more", 2026),
        ],
    ),
    (
        "Глава города отметил, что Алматы – культурный, научный, деловой и финансовый центр "
        "Казахстана, на долю которого приходится пятая часть экономики (20,6% в 2023 году) и "
        "более четверти всех доходов бюджета РК (26,2% в 2023 году), а также призвал "
        "участников встречи к всестороннему взаимодействию в вопросах расширения делового "
        "партнёрства.",
        [
            ("20,6%", "percent", 20.6, "%", None, 2023),
            ("в 2023 году", "year", 2023.0, None, None, 2023),
            ("более четверти", "percent", 25.0, "%", "more", 2023),
            ("26,2%", "percent", 26.2, "%", None, 2023),
            ("в 2023 году", "year", 2023.0, None, None, 2023),
        ],
    ),
    (
        "Город открыт для сотрудничества с инвесторами в реализации крупномасштабных, "
        'инфраструктурных и экологических проектов в рамках "Программы развития Алматы до '
        '2025 года и среднесрочных перспектив до 2030 года", отметили в акимате города.',
        [
            ("до 2025 года", "year", 2025.0, None, "up_to", 2025),
            ("до 2030 года", "year", 2030.0, None, "up_to", 2030),
        ],
    ),
    (
        "Отмечая перспективные направления для инвестиций, Ерболат Досаев рассказал о планах "
        "по созданию системы скоростного общественного транспорта и расширению на 40% "
        "территории индустриальной зоны Алматы, где развиваются крупные инновационные "
        "производства (сегодня общая площадь ИЗА составляет 490 га).",
        [
            ("на 40%", "percent", 40.0, "%", "change", None),
            ("490 га", "area", 490.0, "га", None, None),
        ],
    ),
    (
        "Для поддержки инвесторов в июне 2024 года откроется городской фронт-офис Almaty "
        "Business Development Center, где консультационные услуги предоставляются по "
        'принципу "одного окна" (One-Stop Shop).',
        [("в июне 2024 года", "month", 2024.0, None, None, 2024)],
    ),
]

# Hard cases that are not in the seeds (or are, but deserve a name).
TRICKY_CASES: list[tuple[str, list[Row]]] = [
    # names and words with digits are not figures
    ('Особое внимание уделено внедрению модели "города 24/7" по примеру Нью-Йорка.', []),
    ("После COVID-19 рынок IT-услуг вырос на 12%.", [
        ("на 12%", "percent", 12.0, "%", "change", None),
    ]),
    ("Принцип One-Stop Shop работает в 3-х районах.", []),
    ("Пятая часть экономики приходится на первый квартал.", []),
    ("Школа № 5 откроется 1 сентября.", []),
    ("Встреча прошла 24.02.2026 в 10:00.", []),
    ("Их 5G сети покрывают 90 процентов города.", [
        ("90 процентов", "percent", 90.0, "%", None, None),
    ]),
    ("Программа Алматы 2050 принята.", []),
    ("Сегодня без цифр.", []),
    # thousands separated by spaces and no-break spaces, decimal points
    ("Население выросло до 2 300 000 человек.", [
        ("до 2 300 000 человек", "count", 2_300_000.0, "человек", "up_to", None),
    ]),
    ("Тариф составил 1\u00a0200\u00a0000 тенге.", [
        ("1\u00a0200\u00a0000 тенге", "money", 1_200_000.0, "тенге", None, None),
    ]),
    ("Рост составил 3.6 трлн тенге.", [
        ("3.6 трлн тенге", "money", 3_600_000_000_000.0, "тенге", None, None),
    ]),
    ("Доля составляет 5 %.", [("5 %", "percent", 5.0, "%", None, None)]),
    ("Составило 2000.", [("2000", "number", 2000.0, None, None, None)]),
    # from / to: the second inherits the unit, and each takes the year right after it
    ("Очередь сократилась с 12 тыс. семей в 2022 году до 8 тыс. в 2024 году.", [
        ("12 тыс. семей", "count", 12_000.0, "семей", "from", 2022),
        ("в 2022 году", "year", 2022.0, None, None, 2022),
        ("8 тыс.", "count", 8_000.0, "семей", "to", 2024),
        ("в 2024 году", "year", 2024.0, None, None, 2024),
    ]),
    # a spread is one figure, its value the upper bound; «с … до …» is a change (below)
    ("Тарифы вырастут от 10 до 15% в 2024 году.", [
        ("от 10 до 15%", "percent", 15.0, "%", "range", 2024),
        ("в 2024 году", "year", 2024.0, None, None, 2024),
    ]),
    ("Рост составил 10–15% за год.", [("10–15%", "percent", 15.0, "%", "range", None)]),
    ("Билеты стоят от 3 до 12 тысяч тенге.", [
        ("от 3 до 12 тысяч тенге", "money", 12_000.0, "тенге", "range", None),
    ]),
    ("С 2020 по 2025 год построено 100 школ.", [
        ("С 2020", "year", 2020.0, None, "from", 2020),
        ("2025 год", "year", 2025.0, None, "to", 2025),
        ("100 школ", "count", 100.0, "школ", None, None),
    ]),
    # number words and digits in periods
    ("За три месяца 2024 года открыто 12 школ.", [
        ("За три месяца 2024 года", "period", 2024.0, "3 месяца", None, 2024),
        ("12 школ", "count", 12.0, "школ", None, 2024),
    ]),
    ("За 9 месяцев 2025 г. создано 5 новых рабочих мест.", [
        ("За 9 месяцев 2025 г.", "period", 2025.0, "9 месяцев", None, 2025),
        ("5 новых рабочих мест", "count", 5.0, "новых рабочих мест", None, 2025),
    ]),
    ("В первом полугодии 2025 года инвестиции составили 500 млрд тенге.", [
        ("В первом полугодии 2025 года", "period", 2025.0, "1 полугодие", None, 2025),
        ("500 млрд тенге", "money", 500_000_000_000.0, "тенге", None, 2025),
    ]),
    ("За январь–сентябрь 2025 года ВРП вырос на 6,5%.", [
        ("За январь–сентябрь 2025 года", "period", 2025.0, "январь–сентябрь", None, 2025),
        ("на 6,5%", "percent", 6.5, "%", "change", 2025),
    ]),
    # comparisons and currencies
    ("Стоимость не менее 100 тыс. тенге, а не более 200 тыс.", [
        ("не менее 100 тыс. тенге", "money", 100_000.0, "тенге", "more", None),
        ("не более 200 тыс.", "number", 200_000.0, None, "up_to", None),
    ]),
    ("Расходы увеличились на 100 млн тенге.", [
        ("на 100 млн тенге", "money", 100_000_000.0, "тенге", "change", None),
    ]),
    ("Зал рассчитан на 500 мест.", [("500 мест", "count", 500.0, "мест", None, None)]),
    ("Бюджет составит $5 млн, а менее 2 млрд руб. уйдет на дороги.", [
        ("$5 млн", "money", 5_000_000.0, "долларов", None, None),
        ("менее 2 млрд руб.", "money", 2_000_000_000.0, "рублей", "less", None),
    ]),
    ("Площадь парка почти 12 гектаров, дорожек 3 километра.", [
        ("почти 12 гектаров", "area", 12.0, "га", "about", None),
        ("3 километра", "length", 3.0, "км", None, None),
    ]),
    # with two years and no year phrase right after it, an amount has no year
    ("В 2023 году было 5 школ, а в 2025 году — 10 школ.", [
        ("В 2023 году", "year", 2023.0, None, None, 2023),
        ("5 школ", "count", 5.0, "школ", None, None),
        ("в 2025 году", "year", 2025.0, None, None, 2025),
        ("10 школ", "count", 10.0, "школ", None, None),
    ]),
    ("Проект завершат к 1 сентября 2025 года.", [
        ("к 1 сентября 2025 года", "month", 2025.0, None, "by_date", 2025),
    ]),
]  # fmt: skip


def _rows(figures: list[Figure]) -> list[Row]:
    return [(f.text, f.kind, f.value, f.unit, f.comparison, f.year) for f in figures]


@pytest.mark.parametrize(
    ("sentence", "expected"), SEED_CASES, ids=[f"seed-{i}" for i in range(len(SEED_CASES))]
)
def test_seed_sentence(sentence: str, expected: list[Row]) -> None:
    assert _rows(find_figures(sentence)) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"), TRICKY_CASES, ids=[c[0][:40] for c in TRICKY_CASES]
)
def test_tricky_sentence(sentence: str, expected: list[Row]) -> None:
    assert _rows(find_figures(sentence)) == expected


def test_table_covers_every_seed_sentence_with_figures() -> None:
    articles, skipped = read_articles(SEEDS)
    assert skipped == []
    with_figures = {
        fact.text: _rows(list(fact.figures))
        for article in articles
        for fact in extract_facts(article)
        if fact.figures
    }
    assert with_figures == dict(SEED_CASES)


# Figures in words, multipliers and rates (no article date needed).
WORD_CASES: list[tuple[str, list[Row]]] = [
    ("В городе построят пять новых поликлиник.", [
        ("пять новых поликлиник", "count", 5.0, "новых поликлиник", None, None),
    ]),
    ("На это направят полтора миллиарда тенге.", [
        ("полтора миллиарда тенге", "money", 1_500_000_000.0, "тенге", None, None),
    ]),
    ("Длина трассы — двадцать пять километров.", [
        ("двадцать пять километров", "length", 25.0, "км", None, None),
    ]),
    ("Выбросы сократятся вдвое.", [("вдвое", "number", 2.0, "раз", "change", None)]),
    ("Объём вырос в три раза.", [("в три раза", "number", 3.0, "раз", "change", None)]),
    ("Число туристов выросло в 2 раза.", [("в 2 раза", "number", 2.0, "раз", "change", None)]),
    ("Одна из двух школ уже сдана.", [("двух школ", "count", 2.0, "школ", None, None)]),
    ("Плотность — 2,9 тыс. человек на 1 кв. км.", [
        ("2,9 тыс. человек на 1 кв. км", "count", 2_900.0, "человек на 1 кв. км", None, None),
    ]),
    ("Семьи получат по 50 тыс. тенге на каждого ребёнка.", [
        ("50 тыс. тенге на каждого ребёнка", "money", 50_000.0, "тенге на каждого ребёнка",
         None, None),
    ]),
    ("Построят 8 школ на 4 145 мест.", [
        ("8 школ", "count", 8.0, "школ", None, None),
        ("4 145 мест", "count", 4_145.0, "мест", None, None),
    ]),
    # shares in words are per cent; «первая половина» is part of a period
    ("Почти три четверти сетей изношены.", [
        ("Почти три четверти", "percent", 75.0, "%", "about", None),
    ]),
    ("Долю доведут до половины.", [("до половины", "percent", 50.0, "%", "up_to", None)]),
    ("Треть домов подключат к газу.", [("Треть", "percent", 33.3, "%", None, None)]),
    ("В первой половине дня отключат свет.", []),
    # collective numerals count people
    ("Двое депутатов голосовали против.", [
        ("Двое депутатов", "count", 2.0, "депутатов", None, None),
    ]),
    # a length of time, in digits or words, a spread of number words included
    ("Работы займут 10 лет.", [("10 лет", "duration", 10.0, "лет", None, None)]),
    ("Автобусы поступят в течение трёх-четырёх месяцев.", [
        ("трёх-четырёх месяцев", "duration", 4.0, "месяцев", "range", None),
    ]),
    # «на» before a spread of per cents: a change
    ("Время в пути сократится на 25–30%.", [
        ("на 25–30%", "percent", 30.0, "%", "change", None),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "expected"), WORD_CASES, ids=[c[0][:40] for c in WORD_CASES])
def test_words_multipliers_and_rates(sentence: str, expected: list[Row]) -> None:
    assert _rows(find_figures(sentence)) == expected


# Years named relative to the article's date, which is 2026-05-10 here.
RELATIVE_CASES: list[tuple[str, list[Row]]] = [
    ("В прошлом году город принял 950 тыс. туристов.", [
        ("В прошлом году", "year", 2025.0, None, None, 2025),
        ("950 тыс. туристов", "count", 950_000.0, "туристов", None, 2025),
    ]),
    ("За январь–апрель текущего года собрано 12 млрд тенге.", [
        ("За январь–апрель текущего года", "period", 2026.0, "январь–апрель", None, 2026),
        ("12 млрд тенге", "money", 12_000_000_000.0, "тенге", None, 2026),
    ]),
    ("Школу на 1 200 мест откроют к концу следующего года.", [
        ("1 200 мест", "count", 1_200.0, "мест", None, 2027),
        ("к концу следующего года", "year", 2027.0, None, "by_date", 2027),
    ]),
    ("В июне позапрошлого года открыли 8 школ.", [
        ("В июне позапрошлого года", "month", 2024.0, None, None, 2024),
        ("8 школ", "count", 8.0, "школ", None, 2024),
    ]),
    # a day and month without a year: the article's year
    ("Сцену откроют 14 марта.", [("14 марта", "month", 2026.0, None, None, 2026)]),
    ("С 16 по 29 марта назначены поезда.", [
        ("С 16 по 29 марта", "month", 2026.0, None, "from", 2026),
    ]),
    ("Тариф вырос на 8% по сравнению с прошлым годом.", [
        ("на 8%", "percent", 8.0, "%", "change", None),
    ]),
    # a month alone, after a preposition of time: the article's year
    ("Каток заработает в декабре.", [("в декабре", "month", 2026.0, None, None, 2026)]),
    ("Мост закроют до марта.", [("до марта", "month", 2026.0, None, "up_to", 2026)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "expected"), RELATIVE_CASES, ids=[c[0][:40] for c in RELATIVE_CASES]
)
def test_relative_years_are_read_against_the_article_date(
    sentence: str, expected: list[Row]
) -> None:
    assert _rows(find_figures(sentence, today=dt.date(2026, 5, 10))) == expected


def test_a_relative_year_without_an_article_date_is_no_year() -> None:
    rows = _rows(find_figures("В прошлом году город принял 950 тыс. туристов."))
    assert rows == [("950 тыс. туристов", "count", 950_000.0, "туристов", None, None)]


@pytest.mark.parametrize("sentence", [c[0] for c in SEED_CASES + TRICKY_CASES + WORD_CASES])
def test_offsets_point_at_the_text(sentence: str) -> None:
    for figure in find_figures(sentence):
        assert sentence[figure.start : figure.end] == figure.text


def test_scale_and_month_fields() -> None:
    sentence = SEED_CASES[6][0]
    figures = find_figures(sentence)
    assert [f.scale for f in figures] == [None, None, "млн", None, "млрд"]
    assert figures[0].month is None
    june = find_figures(SEED_CASES[14][0])[0]
    assert (june.month, june.year, june.start, june.end) == (6, 2024, 25, 41)
    subjects = find_figures(SEED_CASES[3][0])[0]
    assert (subjects.scale, subjects.start, subjects.end) == ("тыс.", 23, 49)


def test_figures_are_in_order_and_frozen() -> None:
    figures = find_figures(SEED_CASES[9][0])
    assert [f.start for f in figures] == sorted(f.start for f in figures)
    with pytest.raises(AttributeError):
        figures[0].value = 1.0  # type: ignore[misc]


_PIECES = [
    " ", " ", ",", ".", "%", "-", "–", "/", "(", ")", '"', "\u00a0", "0", "1", "2", "5", "9",
    "19", "2025", "1 200", "3,6", "4.5", "24/7", "тыс.", "млн", "млрд", "трлн", "тенге", "км",
    "га", "$", "в", "до", "с", "на", "к", "за", "около", "более", "году", "года", "г.", "июне",
    "девять", "месяцев", "человек", "новых", "проектов", "Алматы", "вырос", "COVID-19", "№",
]  # fmt: skip


@pytest.mark.slow  # Hypothesis fuzzing
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_consistent_figures(sentence: str) -> None:
    figures = find_figures(sentence)
    starts = [f.start for f in figures]
    assert starts == sorted(starts)
    for figure in figures:
        assert sentence[figure.start : figure.end] == figure.text
        assert figure.text.strip() == figure.text and figure.text
    for before, after in zip(figures, figures[1:], strict=False):
        assert before.end <= after.start


def test_figures_never_overlap():
    # Found by hypothesis: «0$» and «$0» both matched.
    figures = find_figures("0$0")
    assert all(a.end <= b.start for a, b in zip(figures, figures[1:], strict=False))


def test_label_adds_the_unit_a_range_partner_shares():
    figures = find_figures("с 21 тыс. человек в 2023 году до 10 тыс. в 2025 году")
    assert [f.label for f in figures if f.kind == "count"] == [
        "21 тыс. человек",
        "10 тыс. человек",
    ]
