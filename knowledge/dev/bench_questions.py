"""The questions of `python -m knowledge bench`: paraphrased from the corpus' own sentences
(a question word by the figure, a few words near it), some with typos, some that must be
abstained on (weather, metro, recipes…), in the eval's mix (EVAL_MIX) or a half, a quarter, a
quarter."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..facts import TIME_KINDS, Fact
from ..text import data_lines
from .seed_corpus import FIGURE_YEARS, PLACES

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

_WORD_RE = re.compile(r"[\w-]+")
_LATIN_PUNCT = str.maketrans("", "", '"«»()')


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
_QUESTION_STOP = frozenset(data_lines("bench_question_stopwords.txt"))


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
