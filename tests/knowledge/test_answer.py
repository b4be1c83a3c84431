import datetime as dt

import pytest

from knowledge import Article, FactIndex, ask, extract_facts, format_date_ru
from knowledge.answer import MAX_QUESTION_CHARS, Problem


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (dt.date(2026, 1, 9), "9 января 2026"),
        (dt.date(2025, 9, 12), "12 сентября 2025"),
        (dt.date(2024, 12, 31), "31 декабря 2024"),
        (None, "дата публикации не указана"),
    ],
)
def test_format_date_ru(date, text):
    assert format_date_ru(date) == text


def test_found_answer_has_figure_quote_and_source(seed_index):
    answer = ask(seed_index, "Сколько туристов приехало в Алматы в 2025 году?")
    assert answer.found
    assert answer.figure.text == "1,9 млн человек"
    assert answer.quote.startswith("За девять месяцев 2025 года количество туристов")
    assert "1,9 млн человек" in answer.quote  # quoted as written
    assert answer.source.article_id == "001_9e8737218ffa3194.txt"
    assert answer.source.date == dt.date(2026, 1, 9)


def test_change_answer_mentions_the_older_figure(seed_index):
    answer = ask(seed_index, "Как изменилось число получателей адресной помощи?")
    assert answer.figure.text == "10 тыс."
    assert [(e.figure.text, e.figure.year) for e in answer.earlier] == [("21 тыс. человек", 2023)]


def test_not_found_suggests_answerable_questions(seed_index):
    answer = ask(seed_index, "Какая погода завтра в Алматы?")
    assert not answer.found
    assert answer.figure is None and answer.quote is None
    assert 2 <= len(answer.suggestions) <= 3


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Сколько туристов приехало в Караганду?", "Караганда"),
        ("сколько туристов приехало в караганду?", "Караганда"),  # whatever the case
        ("Какую долю рынка занимает Актобе?", "Актобе"),
        ("Какая погода будет завтра?", None),  # nothing named: just not in the articles
    ],
)
def test_a_place_no_article_mentions_is_named(seed_index, question, named):
    """Named in a near-miss («„Караганда“ в статьях не упоминается; вот что есть: …») or,
    when there is nothing to offer instead, in the «нет ответа» reply."""
    answer = ask(seed_index, question)
    said = answer.near_miss.asked if answer.near_miss is not None else answer.unmentioned
    assert said == named
    assert answer.found == (answer.near_miss is not None)


def test_empty_and_overlong_questions_are_not_matched(seed_index, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("matching must not run")

    monkeypatch.setattr(seed_index, "match", fail)
    assert ask(seed_index, "   \n").problem == Problem.EMPTY
    assert ask(seed_index, "туризм " * MAX_QUESTION_CHARS).problem == Problem.TOO_LONG


def _article(name: str, date: dt.date | None, text: str) -> Article:
    return Article(name, name, date, None, (text,), name)


def test_the_newest_article_wins_and_the_older_figure_is_mentioned():
    older = _article(
        "a.txt", dt.date(2024, 3, 1), "Число туристов в Алматы составило 1,5 млн человек."
    )
    newer = _article(
        "b.txt", dt.date(2025, 3, 1), "Число туристов в Алматы составило 1,9 млн человек."
    )
    undated = _article("c.txt", None, "Число туристов в Алматы составило 1,2 млн человек.")
    index = FactIndex.build(f for a in (older, undated, newer) for f in extract_facts(a))
    answer = ask(index, "Сколько туристов в Алматы?")
    assert answer.source.article_id == "b.txt"
    assert answer.figure.text == "1,9 млн человек"
    assert {e.figure.text for e in answer.earlier} == {"1,5 млн человек", "1,2 млн человек"}


@pytest.mark.parametrize("question", ["туризм", "Что известно про туризм?", "расскажи про туризм"])
def test_a_topic_question_gets_a_digest_newest_first(seed_index, question):
    answer = ask(seed_index, question)
    assert answer.found
    assert 3 <= len(answer.digest) <= 5
    dates = [m.fact.article_date for m in answer.digest]
    assert dates == sorted(dates, reverse=True)
    assert "1,9 млн человек" in [m.figure.text for m in answer.digest if m.figure]


def test_a_period_question_gets_the_facts_about_that_year(seed_index):
    answer = ask(seed_index, "Какие планы до 2030 года?")
    assert {m.fact.id for m in answer.digest} == {
        "000_76f55cd445ededdb.txt#5",
        "004_e37ac366897bb94f.txt#2",
    }


@pytest.mark.parametrize(
    "question",
    [
        "туристы 2025",
        "Сколько туристов приехало в 2025 году?",
        "горный кластер",
        # two words, but a question word: one thing is asked, not a topic
        "какие консулы выступили",
        "кто такой Досаев",
    ],
)
def test_specific_questions_get_one_fact_not_a_digest(seed_index, question):
    answer = ask(seed_index, question)
    assert answer.found and answer.digest == ()


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("какие хабы есть в Алматы", "Farabi Hub"),  # not «4 трлн тенге» of the same sentence
        ("какие консулы выступили", "генеральные консулы КНР"),
        ("Что такое One-Stop Shop?", "одного окна"),
        ("Какой центр цифровой медицины работает в Алматы?", "Almaty Digital Medical Center"),
        # the sentence's 26,2% stands far from what was called for
        ("К чему призвал участников встречи глава города?", "всестороннему взаимодействию"),
        # whether something is planned: the sentence, not its «490 га»
        ("будет ли скоростной транспорт", "скоростного общественного транспорта"),
        # a reason is asked: the sentence gives it, its «10 тыс.» is not it
        ("Что стало причиной сокращения числа получателей АСП?", "цифровых инструментов"),
        # a bare topic: the sentence's «4 трлн тенге» is about the IT market, not the centre
        ("цифровая медицина", "Центр цифровой медицины"),
    ],
)
def test_a_question_for_things_shows_the_sentence_without_a_figure(seed_index, question, quoted):
    answer = ask(seed_index, question)
    assert answer.figure is None
    assert quoted in answer.quote


def test_a_sentence_that_only_announces_is_quoted_with_the_next_one(seed_index):
    answer = ask(seed_index, "Какие экологические вопросы подняты в Послании?")
    assert answer.figure is None
    assert answer.quote == (
        "Важной темой Послания стали вопросы экологии. Речь идет о внедрении единых "
        "экологических стандартов, экономии воды и создании цифровой платформы для "
        "управления водными ресурсами."
    )


def test_a_figure_answer_quotes_one_sentence(seed_index):
    answer = ask(seed_index, "Сколько туристов приехало в Алматы в 2025 году?")
    assert answer.quote is not None and answer.quote.startswith("За девять месяцев")
    assert answer.quote.endswith("82,4 млрд тенге.")


def test_when_a_sentence_names_no_date_the_article_date_answers(seed_index):
    answer = ask(seed_index, "Когда аким встречался с активом города?")
    assert answer.found and answer.dated_by_article
    assert answer.figure is None
    assert answer.source.date == dt.date(2025, 9, 12)
    assert answer.quote.startswith("Аким Алматы Дархан Сатыбалды встретился с активом")


@pytest.mark.parametrize(
    "question",
    [
        "Когда аким Досаев встречался с консулами?",  # the article has no date
        "Когда подписали Послание народу Казахстана?",  # the sentence reports another event
        "Когда аким встретится с активом?",  # not yet happened: publication says nothing
    ],
)
def test_the_article_date_answers_only_a_past_event_the_sentence_reports(seed_index, question):
    assert not ask(seed_index, question).found


def test_a_date_in_the_sentence_wins_over_the_article_date(seed_index):
    answer = ask(seed_index, "Когда открылся фронт-офис для инвесторов?")
    assert (answer.figure.text, answer.dated_by_article) == ("в июне 2024 года", False)


def test_the_sentence_before_is_quoted_when_it_names_the_thing_asked(seed_index):
    # The sentence on the new stage of modernisation has «интервью» but not the newspaper:
    # the one before it names «газете Turkistan».
    answer = ask(seed_index, "В интервью какой газете говорилось о новом этапе модернизации?")
    assert answer.quote.startswith("Аким Алматы Дархан Сатыбалды провел совщание")
    assert answer.quote.endswith("ориентация на реальные изменения в жизни граждан.")
    assert "Turkistan" in answer.quote


def test_preceding_and_following_stay_in_one_article(seed_index):
    first = seed_index.facts[0]
    assert seed_index.preceding(first) is None
    second = seed_index.following(first)
    assert second is not None and seed_index.preceding(second) == first


def test_which_amount_is_a_figure_question(seed_index):
    assert ask(seed_index, "что с образованием").figure.text == "более 432 млрд тенге"
    # «какой» + a noun naming an amount (data/quantities.txt) wants the figure
    answer = ask(seed_index, "Какой охват социальной поддержки в 2025 году?")
    assert answer.figure.text == "порядка 330 тыс. человек"
    answer = ask(seed_index, "Какие средства выделят на образование в 2026 году?")
    assert answer.figure.text == "более 432 млрд тенге"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Привет!", Problem.GREETING),
        ("Сәлем", Problem.GREETING),
        ("Спасибо большое!!", Problem.THANKS),
        ("что ты умеешь?", Problem.ABOUT),
    ],
)
def test_small_talk_is_no_question(seed_index, message, kind):
    answer = ask(seed_index, message)
    assert (answer.found, answer.problem, answer.suggestions) == (False, kind, ())


def test_a_greeting_before_a_question_does_not_stop_it(seed_index):
    answer = ask(seed_index, "Здравствуйте, сколько туристов приехало в Алматы в 2025 году?")
    assert answer.figure.text == "1,9 млн человек"
