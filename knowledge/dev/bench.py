"""`python -m knowledge bench --facts N [--queries M] [--corpus news|seeds] [--json] [--profile]`:
how citybot scales.

`python -m knowledge bench --pathological [--json]`: peak RSS and time of the hostile inputs of
issue 20 (a 50,000-letter word, 200,000 numbers in one sentence, a 2 MB file of one
sentence), each in a fresh process; exit code 1 if one misses the targets (400 MB, 5 s).

A deterministic synthetic corpus of about N facts, of one of two kinds (`--corpus`):

- `news` (the default, knowledge/dev/news_corpus.py): sentences of news shapes over lemmas
  of pymorphy3's dictionary drawn with a Zipf distribution, so the vocabulary keeps growing
  with N as news vocabulary does (Heaps' law) and a question's words stay rare; questions in
  the eval's mix (EVAL_MIX);
- `seeds` (`random.Random(N)`): the seed articles' sentences recombined with new figures in
  the same formats («1,9 млн», «405 тыс.», «8%»), new years (2019–2030), other topics, places
  (Kazakh cities, Almaty's districts) and people. Its vocabulary stops growing at about 2,200
  terms, so every posting list grows linearly with N (the corpus of the numbers before
  issue 19, kept to compare).

The articles are written as front-matter files into a temporary folder, so the real parser,
extractor and store run on them. Then:

- build: `read_articles` + `FactStore.rebuild` into a temporary SQLite file (`build_s`);
- load: `FactStore.load()` + `FactIndex.build` (`load_s`, also as `index_load_s`), as the bot
  does on start;
- questions: M questions (paraphrased from the corpus' own sentences, some with typos, some
  that must be abstained on: weather, metro, recipes…; `seeds`: a half, a quarter, a quarter)
  through `knowledge.answer.ask`, the bot's full answer path, single-threaded: latency
  percentiles in ms and `qps`; a few warm-up questions first are not timed;
- the same questions through the tantivy and BM25 baselines (knowledge/baselines.py) on
  the same facts (BM25Okapi costs O(facts) per query: at 50,000 facts and more it gets a
  sample of 100 questions).

`--json` prints one JSON object; progress goes to stderr. `--profile` runs citybot's
question loop under pyinstrument (optional; cProfile when it is not installed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..answer import ask
from ..articles import read_articles
from ..facts import TIME_KINDS, Fact, extract_facts
from ..index import FactIndex
from ..store import FactStore

if TYPE_CHECKING:
    from .baselines import BM25Baseline, TantivyBaseline

BM25_SAMPLE_FROM = 50_000  # facts from which BM25 is timed on a sample of questions
BM25_SAMPLE = 100
WARM_UP = ("Сколько туристов?", "Какая погода завтра?", "Когда откроют метро?")
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
ABSTAIN = (
    "Какая погода будет завтра в {loc}?",
    "Когда откроют метро в {loc}?",
    "Какой курс доллара на сегодня?",
    "Кто выиграл чемпионат мира по футболу в {year} году?",
    "Как приготовить бешбармак?",
    "Сколько стоит билет в кино в {loc}?",
    "Во сколько сегодня закат?",
    "Какой прогноз погоды на выходные в {loc}?",
    "Где купить зимнюю резину в {loc}?",
    "Сколько лет Луне?",
    "Как доехать до аэропорта на такси?",
    "Расписание поездов из {gen} в Астану",
    "Какой фильм посмотреть вечером?",
    "Когда начнется снегопад в {loc}?",
    "Сколько стоит проезд в метро?",
    "Кто будет чемпионом по хоккею в {year} году?",
)

_YEAR_RE = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")
_NUMBER_SPLIT_RE = re.compile(r"(\d+(?:[ \u00a0]\d{3})*(?:,\d+)?)")  # numbers: odd pieces
_WORD_RE = re.compile(r"[\w-]+")
_NAME_RE = re.compile(r"(Дархан|Ерболат)(а?) (Сатыбалды|Досаев)(а?)")
_CITY_RE = re.compile(r"(?<![\w-])(в |во )?Алматы(?![\w-])")
_LATIN_PUNCT = str.maketrans("", "", '"«»()')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


# --- the questions -------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuestion:
    text: str
    kind: str  # "answerable" | "typo" | "abstain"
    article_id: str | None = None  # where the sentence it was made from comes from


_PREFIXES = {
    "percent": ("На сколько процентов", "Какой процент", "Какая доля"),
    "money": ("Сколько денег", "Какая сумма", "Сколько тенге"),
    "count": ("Сколько", "Какое количество"),
    "number": ("Сколько",),
    "length": ("Сколько километров", "Какая протяженность"),
    "area": ("Какая площадь",),
    "year": ("Когда", "В каком году"),
    "month": ("Когда",),
    "period": ("Сколько",),
}
_QUESTION_STOP_TEXT = (
    "и в во на с со к о об от по за из для до при что как а но же не это его их был была "
    "было были будет также том этом всех которые который которая которого"
)
_QUESTION_STOP = frozenset(_QUESTION_STOP_TEXT.split())


def _paraphrase(fact: Fact, rng: random.Random) -> str:
    """A question made from a sentence: a question word by its figure, a few of its words
    near the figure (numbers left out), maybe one dropped or two swapped, maybe its year."""
    text = fact.text
    figure = rng.choice(fact.figures) if fact.figures else None
    spans = sorted((f.start, f.end) for f in fact.figures)
    words: list[tuple[int, str]] = []
    for match in _WORD_RE.finditer(text.translate(_LATIN_PUNCT)):
        word = match.group(0)
        inside = any(a <= match.start() < b for a, b in spans)
        if inside or word.lower() in _QUESTION_STOP or any(ch.isdigit() for ch in word):
            continue
        words.append((match.start(), word))
    anchor = figure.start if figure is not None else rng.randint(0, max(len(text) - 1, 0))
    words.sort(key=lambda w: abs(w[0] - anchor))
    window = sorted(words[: rng.randint(4, 7)])
    chosen = [w for _, w in window]
    if len(chosen) > 4 and rng.random() < 0.3:
        del chosen[rng.randrange(len(chosen))]
    if len(chosen) > 2 and rng.random() < 0.3:
        i = rng.randrange(len(chosen) - 1)
        chosen[i], chosen[i + 1] = chosen[i + 1], chosen[i]
    if figure is not None:
        prefix = rng.choice(_PREFIXES.get(figure.kind, ("Сколько",)))
    else:
        prefix = rng.choice(("Что известно:", "Что говорят о том, что", "Правда ли, что"))
    years = fact.years
    asks_when = figure is not None and figure.kind in TIME_KINDS
    tail = f" в {years[0]} году" if years and not asks_when and rng.random() < 0.7 else ""
    first = chosen[0] if chosen else ""
    if first and not (first.isupper() or first[1:2].isupper()):
        chosen[0] = first.lower()
    return f"{prefix} {' '.join(chosen)}{tail}?"


_KEYBOARD_NEIGHBOURS = "йцукенгшщзхъфывапролджэячсмитьбю"


def _typo(question: str, rng: random.Random) -> str:
    """One or two typos in the longer words: a swap, a drop, a double or a wrong letter."""
    words = question.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(long_words, min(len(long_words), rng.randint(1, 2))):
        w = words[i]
        p = rng.randrange(1, len(w) - 1)
        edit = rng.randrange(4)
        if edit == 0:
            w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
        elif edit == 1:
            w = w[:p] + w[p + 1 :]
        elif edit == 2:
            w = w[:p] + w[p] + w[p:]
        else:
            w = w[:p] + rng.choice(_KEYBOARD_NEIGHBOURS) + w[p + 1 :]
        words[i] = w
    return " ".join(words)


# The kinds of question in tests/eval/questions.jsonl: of 960, 162 must be abstained on
# and 107 have typos; the rest are paraphrases (direct, colloquial, Latin, Kazakh, English).
EVAL_MIX = {"abstain": 162, "typo": 107, "answerable": 960 - 162 - 107}


def make_questions(
    facts: Sequence[Fact], count: int, seed: int, *, mix: dict[str, int] | None = None
) -> list[BenchQuestion]:
    """`count` questions: 1/2 paraphrased, 1/4 paraphrased with typos, 1/4 must-abstain;
    or, with `mix`, kinds in those proportions (EVAL_MIX: as in the eval)."""
    rng = random.Random(f"questions/{seed}/{count}")
    out: list[BenchQuestion] = []
    if mix is not None:
        whole = sum(mix.values())
        # Spread evenly: question k is of the kind whose running share falls behind most.
        slots = []
        done = dict.fromkeys(mix, 0)
        for number in range(count):
            kind = max(mix, key=lambda k: mix[k] * (number + 1) / whole - done[k])
            done[kind] += 1
            slots.append({"answerable": 0, "typo": 2, "abstain": 3}[kind])
    for number in range(count):
        slot = number % 4 if mix is None else slots[number]
        if slot == 3 or not facts:
            nom, gen, loc = rng.choice(PLACES)
            text = rng.choice(ABSTAIN).format(
                nom=nom, gen=gen, loc=loc, year=rng.randint(*FIGURE_YEARS)
            )
            out.append(BenchQuestion(text, "abstain"))
            continue
        fact = rng.choice(facts)
        text = _paraphrase(fact, rng)
        if slot == 2:
            out.append(BenchQuestion(_typo(text, rng), "typo", fact.article_id))
        else:
            out.append(BenchQuestion(text, "answerable", fact.article_id))
    return out


# --- measuring -----------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _current_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _percentiles(latencies_ms: Sequence[float]) -> tuple[float, float, float]:
    if not latencies_ms:
        return 0.0, 0.0, 0.0
    p50, p95, p99 = np.percentile(np.asarray(latencies_ms), [50, 95, 99])
    return float(p50), float(p95), float(p99)


def _time_each(function: Callable[[str], Any], questions: Sequence[str]) -> list[float]:
    """Latency of each call in ms."""
    latencies = []
    for question in questions:
        started = time.perf_counter()
        function(question)
        latencies.append((time.perf_counter() - started) * 1000.0)
    return latencies


async def _build_and_load(corpus: Path, database: Path) -> dict[str, Any]:
    store = await FactStore.open(f"sqlite+aiosqlite:///{database}")
    try:
        started = time.perf_counter()
        articles, skipped = read_articles(corpus, today=LAST_DATE)
        await store.rebuild(articles, skipped)
        build_s = time.perf_counter() - started
        # As in the bot, where a rebuild's articles are gone before the store is loaded.
        counted = len(articles)
        del articles
        started = time.perf_counter()
        facts = await store.load()
        store_load_s = time.perf_counter() - started
    finally:
        await store.close()
    return {
        "articles": counted,
        "skipped": len(skipped),
        "build_s": build_s,
        "store_load_s": store_load_s,
        "facts": facts,
    }


def _profile_loop(function: Callable[[str], Any], questions: Sequence[str]) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        log("pyinstrument is not installed: cProfile instead")
        profiler = cProfile.Profile()
        profiler.enable()
        _time_each(function, questions)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        return
    profile = Profiler(interval=0.0005)
    profile.start()
    _time_each(function, questions)
    profile.stop()
    print(profile.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)


def run(
    n_facts: int,
    n_queries: int,
    *,
    seeds: Path,
    corpus: str = "news",
    profile: bool = False,
    baselines: bool = True,
) -> dict[str, Any]:
    """Generate, build, load, ask; the measurements as a flat dict (see the module doc)."""
    from .baselines import BM25Baseline, TantivyBaseline

    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="citybot-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        if corpus == "news":
            _write_news_corpus(n_facts, seeds, root / "articles")
        else:
            articles = make_corpus(n_facts, seeds)
            write_corpus(articles, root / "articles")
            # The generator's own objects are not citybot's: they must not count in its RSS.
            del articles
        log(f"{corpus} corpus in {time.perf_counter() - started:.1f} s")
        built = asyncio.run(_build_and_load(root / "articles", root / "bench.db"))
        facts: list[Fact] = built["facts"]
        db_mb = (root / "bench.db").stat().st_size / 2**20
    log(f"build: {built['articles']} articles, {len(facts)} facts in {built['build_s']:.1f} s")
    FactIndex.build(seed_facts(seeds))  # lexicon and data files: loaded once, not the index
    before = _current_rss_mb()
    started = time.perf_counter()
    index = FactIndex.build(facts)
    index_build_s = time.perf_counter() - started
    after = _current_rss_mb()
    log(f"index: {index_build_s:.1f} s")

    mix = EVAL_MIX if corpus == "news" else None
    questions = make_questions(facts, n_queries, n_facts, mix=mix)
    texts = [q.text for q in questions]
    for warm in WARM_UP:
        ask(index, warm)
    started = time.perf_counter()
    answers = []
    latencies = []
    cpu = []  # the thread's CPU time: what other jobs on a shared machine change least
    for text in texts:
        t0, c0 = time.perf_counter(), time.thread_time()
        answers.append(ask(index, text))
        cpu.append((time.thread_time() - c0) * 1000.0)
        latencies.append((time.perf_counter() - t0) * 1000.0)
    loop_s = time.perf_counter() - started
    p50, p95, p99 = _percentiles(latencies)
    cpu_p50, _, cpu_p99 = _percentiles(cpu)
    log(f"citybot: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms (CPU p50 {cpu_p50:.2f})")
    rss_mb = _peak_rss_mb()
    serving_mb = _current_rss_mb()  # after the questions: what answering keeps resident
    if profile:
        _profile_loop(lambda q: ask(index, q), texts)

    answerable = [(q, a) for q, a in zip(questions, answers, strict=True) if q.kind != "abstain"]
    abstain = [a for q, a in zip(questions, answers, strict=True) if q.kind == "abstain"]
    hits = sum(
        1 for q, a in answerable if a.found and a.source and a.source.article_id == q.article_id
    )
    result.update(
        corpus=corpus,
        facts=len(facts),
        terms=len(index.postings.idf),
        articles=built["articles"],
        build_s=round(built["build_s"], 3),
        articles_per_s=round(built["articles"] / built["build_s"], 1) if built["build_s"] else 0,
        load_s=round(built["store_load_s"] + index_build_s, 3),
        index_load_s=round(built["store_load_s"] + index_build_s, 3),
        store_load_s=round(built["store_load_s"], 3),
        index_build_s=round(index_build_s, 3),
        queries=len(texts),
        p50_ms=round(p50, 3),
        p95_ms=round(p95, 3),
        p99_ms=round(p99, 3),
        mean_ms=round(statistics.fmean(latencies), 3) if latencies else 0.0,
        cpu_p50_ms=round(cpu_p50, 3),
        cpu_p99_ms=round(cpu_p99, 3),
        qps=round(len(texts) / loop_s, 1) if loop_s else 0.0,
        rss_mb=round(rss_mb, 1),
        rss_serving_mb=round(serving_mb, 1) if serving_mb is not None else None,
        index_mb=round(after - before, 1) if after is not None and before is not None else None,
        db_mb=round(db_mb, 1),
        answered_pct=_share(sum(1 for _, a in answerable if a.found), len(answerable)),
        source_article_pct=_share(hits, len(answerable)),
        abstained_pct=_share(sum(1 for a in abstain if not a.found), len(abstain)),
    )
    if not baselines:
        return result

    result["tantivy_build_s"], tantivy_p50 = _time_baseline(TantivyBaseline, facts, texts)
    log(f"tantivy: p50 {tantivy_p50:.3f} ms")
    sample = texts
    if len(facts) >= BM25_SAMPLE_FROM and len(texts) > BM25_SAMPLE:
        sample = random.Random(n_facts).sample(texts, BM25_SAMPLE)
    result["bm25_build_s"], bm25_p50 = _time_baseline(BM25Baseline, facts, sample)
    log(f"bm25: p50 {bm25_p50:.3f} ms over {len(sample)} questions")
    result.update(
        tantivy_p50_ms=round(tantivy_p50, 4),
        bm25_p50_ms=round(bm25_p50, 4),
        bm25_queries=len(sample),
        ratio_vs_tantivy=round(p50 / tantivy_p50, 2) if tantivy_p50 else None,
        rss_with_baselines_mb=round(_peak_rss_mb(), 1),
    )
    return result


def _write_news_corpus(n_facts: int, seeds: Path, directory: Path) -> None:
    """The news-shaped corpus (knowledge/dev/news_corpus.py), written by a process of its
    own: the generator's dictionary and caches are not citybot's peak RSS."""
    import subprocess

    command = [sys.executable, "-m", "knowledge.dev.news_corpus", "--facts", str(n_facts)]
    command += ["--out", str(directory), "--seeds", str(seeds)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _time_baseline(
    cls: type[BM25Baseline] | type[TantivyBaseline], facts: Sequence[Fact], texts: Sequence[str]
) -> tuple[float, float]:
    """Build time in s and p50 question latency in ms of a baseline (freed afterwards)."""
    started = time.perf_counter()
    matcher = cls.build(facts)
    build_s = round(time.perf_counter() - started, 3)
    matcher.match(WARM_UP[0])
    return build_s, _percentiles(_time_each(lambda q: matcher.match(q, limit=3), texts))[0]


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


TABLE = (
    ("corpus", "corpus"),
    ("facts", "facts"),
    ("terms", "terms in the index"),
    ("articles", "articles"),
    ("build_s", "build (parse + extract + store), s"),
    ("articles_per_s", "articles per second"),
    ("load_s", "load (store.load + FactIndex.build), s"),
    ("index_build_s", "  of which FactIndex.build, s"),
    ("queries", "questions"),
    ("p50_ms", "citybot p50, ms"),
    ("p95_ms", "citybot p95, ms"),
    ("p99_ms", "citybot p99, ms"),
    ("qps", "citybot questions per second"),
    ("cpu_p50_ms", "citybot p50 CPU time (thread), ms"),
    ("answered_pct", "answerable questions answered, %"),
    ("source_article_pct", "  answered from their source article, %"),
    ("abstained_pct", "must-abstain questions abstained, %"),
    ("rss_mb", "peak RSS (citybot), MB"),
    ("rss_serving_mb", "  RSS after the questions, MB"),
    ("index_mb", "index memory (RSS growth), MB"),
    ("db_mb", "SQLite file, MB"),
    ("tantivy_p50_ms", "tantivy p50, ms"),
    ("bm25_p50_ms", "BM25 p50, ms"),
    ("bm25_queries", "  BM25 questions timed"),
    ("ratio_vs_tantivy", "citybot p50 / tantivy p50"),
)


def format_table(result: dict[str, Any]) -> str:
    width = max(len(label) for _, label in TABLE)
    return "\n".join(f"{label:<{width}}  {result[key]}" for key, label in TABLE if key in result)


# --- pathological inputs (issue 20) ---------------------------------------------------------

# Each input goes through the real ingestion steps: the file is parsed as a reload would
# (where the sentence cap refuses it), and the step the cap protects is then run on it anyway
# (extraction and the index), to show that step is bounded by itself too.
PATHOLOGICAL = ("word-50000", "numbers-200000", "one-sentence-2mb")
PATHOLOGICAL_TARGETS = {"peak_rss_mb": 400.0, "seconds": 5.0}


def _pathological_text(case: str) -> str:
    if case == "word-50000":
        return "В 2025 году слово " + "ы" * 50_000 + " встретилось в статье."
    if case == "numbers-200000":
        return " ".join(["1"] * 200_000) + "."
    if case == "one-sentence-2mb":
        # 2 MB of ASCII words with no sentence end but the last: one sentence, one paragraph.
        return ("slovo " * 333_300).strip() + "."
    raise ValueError(case)


def run_pathological_case(case: str) -> dict[str, Any]:
    """One input, in this process (run it in a fresh one: peak RSS is the process's)."""
    from ..articles import Article, parse_article

    text = _pathological_text(case)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{case}.txt"
        path.write_text(f"---\ndate: 2026-01-09\ntitle: {case}\n---\n\n{text}\n", "utf-8")
        parsed = parse_article(path, today=LAST_DATE)
    parse_s = time.perf_counter() - started
    outcome = parsed.reason if not isinstance(parsed, Article) else "accepted"
    # Past the cap: the article as it would be without it, extracted and indexed.
    article = Article(case, case, dt.date(2026, 1, 9), None, (text,), "0" * 64)
    facts = extract_facts(article)
    extract_s = time.perf_counter() - started - parse_s
    index = FactIndex.build(facts, generation=1)
    seconds = time.perf_counter() - started
    return {
        "case": case,
        "bytes": len(text.encode()),
        "parse": outcome,
        "parse_s": round(parse_s, 3),
        "facts": len(index.facts),
        "figures": sum(len(f.figures) for f in facts),
        "extract_s": round(extract_s, 3),
        "index_s": round(seconds - parse_s - extract_s, 3),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def run_pathological() -> list[dict[str, Any]]:
    """Every pathological input, each in a fresh process."""
    import subprocess

    results = []
    for case in PATHOLOGICAL:
        log(f"pathological input {case}…")
        done = subprocess.run(
            [sys.executable, "-m", "knowledge.dev.bench", "--pathological-case", case],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout)
        result["within_targets"] = all(
            result[key] <= limit for key, limit in PATHOLOGICAL_TARGETS.items()
        )
        results.append(result)
    return results


def format_pathological(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'input':<18} {'parse (the file as a reload reads it)':<48} "
        f"{'extract s':>9} {'index s':>8} {'total s':>8} {'peak RSS MB':>11}  targets"
    ]
    for r in results:
        lines.append(
            f"{r['case']:<18} {r['parse'][:48]:<48} {r['extract_s']:>9.2f} {r['index_s']:>8.2f} "
            f"{r['seconds']:>8.2f} {r['peak_rss_mb']:>11.1f}  "
            + ("met" if r["within_targets"] else "MISSED")
        )
    lines.append(
        f"targets: each ≤ {PATHOLOGICAL_TARGETS['seconds']:g} s and "
        f"≤ {PATHOLOGICAL_TARGETS['peak_rss_mb']:g} MB peak RSS (a fresh process per input)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["bench"]:
        args_in = args_in[1:]
    if args_in[:1] == ["--pathological-case"]:
        print(json.dumps(run_pathological_case(args_in[1]), ensure_ascii=False))
        return 0
    if "--pathological" in args_in:
        results = run_pathological()
        if "--json" in args_in:
            print(json.dumps(results, ensure_ascii=False))
        else:
            print(format_pathological(results))
        return 0 if all(r["within_targets"] for r in results) else 1
    parser = argparse.ArgumentParser(
        prog="python -m knowledge bench",
        description="Build, load and question latency on a synthetic corpus of N facts.",
    )
    parser.add_argument("--facts", type=int, default=1000, help="corpus size in facts")
    parser.add_argument("--queries", type=int, default=1000, help="questions to time")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--profile", action="store_true", help="profile the question loop")
    parser.add_argument("--seeds", type=Path, default=None, help="the seed articles")
    parser.add_argument(
        "--corpus",
        choices=("news", "seeds"),
        default="news",
        help="news: a vocabulary growing as news vocabulary does (knowledge/dev/news_corpus.py); "
        "seeds: the seed sentences recombined (the corpus of the numbers before issue 19)",
    )
    parser.add_argument(
        "--pathological",
        action="store_true",
        help="peak RSS and time of hostile inputs instead (a 50,000-letter word, 200,000 "
        "numbers in one sentence, a 2 MB file of one sentence), each in a fresh process",
    )
    args = parser.parse_args(args_in)
    if args.facts < 1 or args.queries < 1:
        parser.error("--facts and --queries must be positive")
    from .evaluate import DEFAULT_ARTICLES, _existing

    seeds = args.seeds or _existing(DEFAULT_ARTICLES)
    result = run(args.facts, args.queries, seeds=seeds, corpus=args.corpus, profile=args.profile)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
