"""The `seeds` corpus of `python -m knowledge bench --corpus seeds` (and of `python -m bot
bench --facts N`): the seed articles' sentences recombined with new figures in the same
formats («1,9 млн», «405 тыс.», «8%»), new years (2019–2030), other topics, places (Kazakh
cities, Almaty's districts) and people; deterministic (`random.Random(N)`). Its vocabulary
stops growing at about 2,200 terms, so every posting list grows linearly with N (the corpus
of the numbers before issue 19, kept to compare). The places, names and dates are shared
with the news-shaped corpus (knowledge/dev/news_corpus.py).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..articles import read_articles
from ..facts import TIME_KINDS, Fact, extract_facts

FIRST_DATE = dt.date(2019, 1, 1)
LAST_DATE = dt.date(2026, 12, 31)
FIGURE_YEARS = (2019, 2030)

# (nominative, genitive, locative): «Астана», «аким Астаны», «в Астане».
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Алматы", "Алматы", "Алматы"),
    ("Астана", "Астаны", "Астане"),
    ("Шымкент", "Шымкента", "Шымкенте"),
    ("Караганда", "Караганды", "Караганде"),
    ("Актобе", "Актобе", "Актобе"),
    ("Тараз", "Тараза", "Таразе"),
    ("Павлодар", "Павлодара", "Павлодаре"),
    ("Усть-Каменогорск", "Усть-Каменогорска", "Усть-Каменогорске"),
    ("Семей", "Семея", "Семее"),
    ("Атырау", "Атырау", "Атырау"),
    ("Костанай", "Костаная", "Костанае"),
    ("Кызылорда", "Кызылорды", "Кызылорде"),
    ("Уральск", "Уральска", "Уральске"),
    ("Петропавловск", "Петропавловска", "Петропавловске"),
    ("Актау", "Актау", "Актау"),
    ("Темиртау", "Темиртау", "Темиртау"),
    ("Туркестан", "Туркестана", "Туркестане"),
    ("Кокшетау", "Кокшетау", "Кокшетау"),
    ("Талдыкорган", "Талдыкоргана", "Талдыкоргане"),
    ("Экибастуз", "Экибастуза", "Экибастузе"),
    ("Рудный", "Рудного", "Рудном"),
)
DISTRICTS = (
    "Алмалинский",
    "Ауэзовский",
    "Бостандыкский",
    "Жетысуский",
    "Медеуский",
    "Наурызбайский",
    "Турксибский",
    "Алатауский",
)
PLACES: tuple[tuple[str, str, str], ...] = CITIES + tuple(
    (f"{d} район", f"{d[:-2]}ого района", f"{d[:-2]}ом районе") for d in DISTRICTS
)
FIRST_NAMES = (
    "Нурлан", "Ерлан", "Асхат", "Бауыржан", "Марат", "Серик", "Арман", "Данияр", "Ерболат",
    "Дархан", "Талгат", "Кайрат", "Болат", "Ержан", "Тимур", "Азамат",
)  # fmt: skip
SURNAMES = (
    "Абенов", "Сейткалиев", "Жумабаев", "Касымов", "Нургалиев", "Ахметов", "Досаев",
    "Мухамедиев", "Оспанов", "Искаков", "Тулегенов", "Бекмуханов", "Кенжебаев", "Садыков",
)  # fmt: skip
# Interchangeable words in the same grammatical form: each article picks one of each group.
TOPIC_GROUPS: tuple[tuple[str, ...], ...] = (
    ("туристов", "студентов", "пациентов", "пассажиров", "посетителей", "школьников",
     "предпринимателей", "новоселов", "спортсменов", "зрителей", "волонтеров"),
    ("туризма", "транспорта", "спорта", "строительства", "здравоохранения", "энергетики",
     "культуры", "цифровизации", "экологии", "жилищного строительства"),
    ("туристских услуг", "медицинских услуг", "транспортных услуг", "коммунальных услуг",
     "образовательных услуг", "банковских услуг", "государственных услуг"),
    ("горных троп", "велодорожек", "тротуаров", "дорог", "тепловых сетей",
     "водопроводных сетей", "арыков", "ливневой канализации", "пешеходных зон"),
    ("IT-услуг", "логистических услуг", "финансовых услуг", "строительных услуг"),
    ("туристской инфраструктуры", "транспортной инфраструктуры", "инженерной инфраструктуры",
     "социальной инфраструктуры", "спортивной инфраструктуры"),
    ("Алматинский горный кластер", "новый индустриальный парк", "городской технопарк",
     "логистический хаб", "новый спортивный комплекс", "международный выставочный центр"),
    ("системы образования", "системы здравоохранения", "общественного транспорта",
     "коммунального хозяйства", "зеленого хозяйства", "системы водоснабжения"),
    ("социальной поддержки", "жилищной поддержки", "поддержки бизнеса",
     "поддержки молодежи"),
    ("цифровой трансформации", "зеленой экономики", "водной безопасности",
     "развития транспорта", "энергосбережения"),
    ("туристический", "инвестиционный", "логистический", "образовательный", "медицинский"),
)  # fmt: skip
TITLES = (
    "Аким {gen} провел совещание по развитию {topic}",
    "В {loc} обсудили планы развития {topic}",
    "{nom}: итоги развития {topic} за {year} год",
    "Планы {gen} до {year} года",
    "Как изменится {nom} к {year} году",
    "В {loc} подвели итоги работы в сфере {topic}",
)

_YEAR_RE = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")
_NUMBER_SPLIT_RE = re.compile(r"(\d+(?:[ \u00a0]\d{3})*(?:,\d+)?)")  # numbers: odd pieces
_NAME_RE = re.compile(r"(Дархан|Ерболат)(а?) (Сатыбалды|Досаев)(а?)")
_CITY_RE = re.compile(r"(?<![\w-])(в |во )?Алматы(?![\w-])")

# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticArticle:
    name: str  # file name
    date: dt.date
    title: str
    paragraphs: tuple[tuple[str, ...], ...]  # sentences per paragraph

    @property
    def sentences(self) -> int:
        return sum(len(p) for p in self.paragraphs)

    def render(self) -> str:
        """The article file: front matter, then paragraphs separated by blank lines."""
        body = "\n\n".join(" ".join(p) for p in self.paragraphs)
        return f"---\ndate: {self.date.isoformat()}\ntitle: {self.title}\n---\n\n{body}\n"


@cache
def seed_facts(seeds: Path) -> tuple[Fact, ...]:
    articles, _ = read_articles(seeds)
    return tuple(fact for article in articles for fact in extract_facts(article))


def _new_number(rng: random.Random, text: str, percent: bool) -> str:
    """A new number written like `text`: as many digits, as many decimals, «,» for them."""
    whole, _, decimals = text.replace("\u00a0", " ").partition(",")
    digits = len(whole.replace(" ", ""))
    if percent and digits <= 2:
        value = rng.randint(1, 99)
    else:
        value = rng.randint(10 ** (digits - 1) if digits > 1 else 1, 10**digits - 1)
    out = str(value)
    if " " in whole:  # «1 200» stays grouped
        out = f"{value:,}".replace(",", " ")
    if decimals:
        out += (
            "," + "".join(str(rng.randint(0, 9)) for _ in decimals[:-1]) + str(rng.randint(1, 9))
        )
    return out


def _recombine(fact: Fact, rng: random.Random, choice: dict[str, Any]) -> str:
    """One seed sentence with new figures and years and the article's place, people, topics."""
    text = fact.text
    # Figures, last first so the offsets stay right: new amounts in the same format.
    for figure in sorted(fact.figures, key=lambda f: -f.start):
        if figure.kind in TIME_KINDS or text[figure.start : figure.end] != figure.text:
            continue
        percent = figure.kind == "percent"
        renewed = "".join(
            _new_number(rng, piece, percent) if number % 2 else piece
            for number, piece in enumerate(_NUMBER_SPLIT_RE.split(figure.text))
        )
        text = text[: figure.start] + renewed + text[figure.end :]
    text = _YEAR_RE.sub(lambda _: str(rng.randint(*FIGURE_YEARS)), text)
    nom, gen, loc = choice["place"]

    def place(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + loc
        after = text[match.end() : match.end() + 2]
        before = text[max(0, match.start() - 4) : match.start()]
        at_start = not text[: match.start()].strip(' "«')
        if at_start or after[:1] in (",", "") or after.startswith(" –") or before == "что ":
            return nom
        return gen

    text = _CITY_RE.sub(place, text)
    first, surname = choice["person"]
    text = _NAME_RE.sub(
        lambda m: (
            f"{first}{m.group(2)} {surname}{m.group(4)}"
            if surname[-2:] in ("ов", "ев")
            else f"{first}{m.group(2)} {surname}"
        ),
        text,
    )
    # One pass, longest words first: «общественного транспорта» is not then «…энергетики».
    picked = dict(zip(range(len(TOPIC_GROUPS)), choice["topics"], strict=True))
    return _topic_re().sub(lambda m: picked[_TOPIC_GROUP_OF[m.group(0)]], text)


_TOPIC_GROUP_OF = {word: number for number, group in enumerate(TOPIC_GROUPS) for word in group}


@cache
def _topic_re() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(_TOPIC_GROUP_OF, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def article_sizes(rng: random.Random, n_facts: int) -> Iterator[int]:
    """Sentences per synthetic article, 8–12, adding up to `n_facts` (drawn lazily: the
    caller's other draws for an article come between two sizes)."""
    left = n_facts
    while left > 0:
        size = min(left, rng.randint(8, 12))
        left -= size
        yield size


def make_corpus(n_facts: int, seeds: Path) -> list[SyntheticArticle]:
    """About `n_facts` sentences in articles of 8–12 sentences; the same for the same n."""
    rng = random.Random(n_facts)
    templates = seed_facts(seeds)
    if not templates:
        raise ValueError(f"no sentences in {seeds}")
    days = (LAST_DATE - FIRST_DATE).days
    articles: list[SyntheticArticle] = []
    for size in article_sizes(rng, n_facts):
        choice = {
            "place": rng.choice(PLACES),
            "person": (rng.choice(FIRST_NAMES), rng.choice(SURNAMES)),
            "topics": [rng.choice(group) for group in TOPIC_GROUPS],
        }
        # Sentences of one article are different seed sentences (when there are enough).
        picks = (
            rng.sample(templates, size)
            if size <= len(templates)
            else [rng.choice(templates) for _ in range(size)]
        )
        sentences = [_recombine(template, rng, choice) for template in picks]
        paragraphs: list[tuple[str, ...]] = []
        while sentences:
            take = rng.randint(1, 4)
            paragraphs.append(tuple(sentences[:take]))
            sentences = sentences[take:]
        date = FIRST_DATE + dt.timedelta(days=rng.randint(0, days))
        nom, gen, loc = choice["place"]
        title = rng.choice(TITLES).format(
            nom=nom, gen=gen, loc=loc, topic=choice["topics"][1], year=rng.randint(*FIGURE_YEARS)
        )
        number = len(articles)
        articles.append(
            SyntheticArticle(f"{number:06d}_synthetic.md", date, title, tuple(paragraphs))
        )
    return articles


def write_corpus(articles: Sequence[SyntheticArticle], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (directory / article.name).write_text(article.render(), encoding="utf-8")
