"""A benchmark corpus shaped like news: a vocabulary that keeps growing with the corpus.

`python -m knowledge bench --corpus news` (the default) measures on this corpus;
`--corpus seeds` on the old one, the seed sentences recombined (knowledge/dev/seed_corpus.py),
whose vocabulary stops growing at about 2,200 terms so that every posting list grows
linearly with the number of facts.

Words: lemmas of pymorphy3's own dictionary (nouns, adjectives, verbs), drawn with a Zipf
distribution (exponent ZIPF_EXPONENT, ranks after RANK_OFFSET, over a pool of up to
POOL_MOST lemmas in a shuffled order) and inflected to agree (case, number, gender; a noun
after a number takes the form the number asks for). Drawn so, the number of distinct lemmas
grows as Heaps' law says news vocabulary does, V ≈ K·N^β: 2,700 lemmas at 1,000 facts,
14,000 at 10,000 and 54,000 at 100,000 (β ≈ 0.65 overall, 0.53 from 30,000 facts on; the
project's own real articles, 990 sentences, give β ≈ 0.62 and 2,450 lemmas at 900
sentences). `vocabulary_growth` counts them. The head of the ranking is the seed articles'
own nouns, adjectives and verbs, so the commonest content words are those of city news
(«строительство», «район», «проект»).

Sentences: ten shapes of news sentences (SHAPES: templates whose fields `_field` draws), most
with a figure in the formats the seed articles use («1,9 млрд тенге», «405», «8%», «12 км»,
«в 2027 году»), a place (Kazakh cities, Almaty's districts) where a news sentence puts one,
now and then a person and their role.

The same n gives the same corpus (`random.Random`), on any machine with the same pymorphy3
dictionary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from string import Formatter

import pymorphy3

from ..text import analyze, words
from .seed_corpus import (
    CITIES,
    FIGURE_YEARS,
    FIRST_DATE,
    FIRST_NAMES,
    LAST_DATE,
    PLACES,
    SURNAMES,
    SyntheticArticle,
    article_sizes,
    seed_facts,
    write_corpus,
)

ZIPF_EXPONENT = 1.2
# Zipf's law ranks a whole text's words, and its top ranks are the function words and the
# templates' own words (prepositions, «году», «тенге», «составит»): the drawn words' ranks
# start after them. Without the offset the first noun would be one in five nouns drawn.
RANK_OFFSET = 30
POOL_MOST = 100_000  # lemmas in the ranking (of about 180,000 the dictionary has)
POOL_PER_FACT = 4  # a small corpus reads only as many of the dictionary's lemmas as it needs
POOL_LEAST = 4_000
# Tags that make a poor common noun or adjective of news: names, slang, archaic, misspelt…
_SKIP_TAGS = frozenset(
    {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Infr", "Slng", "Arch", "Litr",
     "Erro", "Dist", "Fixd", "Ms-f", "Pltm", "Subx", "Coll", "Vpre", "Impe", "Impx"}
)  # fmt: skip
_POS = ("NOUN", "ADJF", "INFN")
_LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"

# Roles of people quoted, in the nominative: the first word is inflected («заместителя
# акима»), the rest is a genitive already.
ROLES = (
    "аким",
    "заместитель акима",
    "руководитель управления",
    "министр",
    "депутат маслихата",
    "председатель комитета",
    "директор департамента",
)
SAID = ("сообщил", "отметил", "рассказал", "заявил", "подчеркнул")
GROWS = ("вырастет", "увеличится", "сократится", "снизится", "выросла", "увеличилась")
AMOUNTS = ("составит", "составила", "достигнет", "превысит", "составляет")
SOURCES = ("из республиканского бюджета", "из местного бюджета", "за счет инвесторов", "")
SCALES = ("млн", "млрд", "тыс.")
UNITS = ("км", "км", "га", "тыс. кв. м")


class Vocabulary:
    """Lemmas by Zipf rank, inflected on demand (cached: a lemma comes back in its forms)."""

    def __init__(self, n_facts: int, rng: random.Random, head: Sequence[tuple[str, str]]) -> None:
        self._morph = pymorphy3.MorphAnalyzer()
        pool_size = min(POOL_MOST, max(POOL_LEAST, POOL_PER_FACT * n_facts))
        tail = _dictionary_lemmas(self._morph, pool_size, rng)
        known = {lemma for lemma, _ in head}
        ranked = [*head, *(entry for entry in tail if entry[0] not in known)][:pool_size]
        self.by_pos: dict[str, list[str]] = {pos: [] for pos in _POS}
        for lemma, pos in ranked:
            self.by_pos[pos].append(lemma)
        self._cumulative = {
            pos: list(
                accumulate(
                    1.0 / (RANK_OFFSET + rank) ** ZIPF_EXPONENT
                    for rank in range(1, len(lemmas) + 1)
                )
            )
            for pos, lemmas in self.by_pos.items()
        }
        self._rng = rng
        self._parses: dict[tuple[str, str], pymorphy3.analyzer.Parse | None] = {}
        self._forms: dict[tuple[str, str, frozenset[str]], str] = {}

    def draw(self, pos: str) -> str:
        """A lemma of this part of speech: rank r with probability ∝ 1 / (RANK_OFFSET + r)^s."""
        cumulative = self._cumulative[pos]
        at = bisect_left(cumulative, self._rng.random() * cumulative[-1])
        return self.by_pos[pos][min(at, len(cumulative) - 1)]

    def parse(self, lemma: str, pos: str) -> pymorphy3.analyzer.Parse | None:
        key = (lemma, pos)
        if key not in self._parses:
            parses = self._morph.parse(lemma)
            same = (p for p in parses if p.normal_form == lemma and str(p.tag.POS) == pos)
            self._parses[key] = next(same, None)
        return self._parses[key]

    def form(self, lemma: str, pos: str, grammemes: frozenset[str]) -> str:
        """The lemma inflected (the lemma itself when pymorphy3 has no such form)."""
        key = (lemma, pos, grammemes)
        found = self._forms.get(key)
        if found is None:
            parse = self.parse(lemma, pos)
            inflected = parse.inflect(set(grammemes)) if parse is not None else None
            found = inflected.word if inflected is not None else lemma
            self._forms[key] = found
        return found

    def gender(self, noun: str) -> str:
        parse = self.parse(noun, "NOUN")
        gender = parse.tag.gender if parse is not None else None
        return gender if gender in ("masc", "femn", "neut") else "masc"

    def animate(self, noun: str) -> bool:
        parse = self.parse(noun, "NOUN")
        return parse is not None and parse.tag.animacy == "anim"

    # -- phrases ------------------------------------------------------------------------------

    def plural(self, noun: str) -> bool:
        """Has the noun a plural («развитие» has none worth using)?"""
        parse = self.parse(noun, "NOUN")
        return parse is not None and "Sgtm" not in parse.tag

    def noun(self, case: str, plural: bool = False, *, lemma: str | None = None) -> str:
        noun = lemma or self.draw("NOUN")
        plural = plural and self.plural(noun)
        return self.form(noun, "NOUN", frozenset({case, "plur" if plural else "sing"}))

    def phrase(self, case: str, plural: bool = False) -> str:
        """An adjective and a noun, agreeing: «новых комплексов»."""
        noun = self.draw("NOUN")
        plural = plural and self.plural(noun)
        number = {"plur"} if plural else {"sing", self.gender(noun)}
        if case == "accs":
            number.add("anim" if self.animate(noun) else "inan")
        adjective = self.form(self.draw("ADJF"), "ADJF", frozenset({case, *number}))
        return f"{adjective} {self.noun(case, plural, lemma=noun)}"

    def counted(self, value: int) -> str:
        """«21 школа», «3 школы», «120 школ»: a noun in the form a number asks for."""
        noun = self.draw("NOUN")
        last, last_two = value % 10, value % 100
        if last == 1 and last_two != 11:
            grammemes = {"nomn", "sing"}
        elif 2 <= last <= 4 and not 12 <= last_two <= 14:
            grammemes = {"gent", "sing"}
        else:
            grammemes = {"gent", "plur"}
        return f"{value} {self.form(noun, 'NOUN', frozenset(grammemes))}"

    def verb(self, *, past: bool) -> str:
        """A verb in the third person plural: «строят», «увеличат», «обсуждали»."""
        verb = self.draw("INFN")
        parse = self.parse(verb, "INFN")
        tense = {"VERB", "plur", "past"} if past else {"VERB", "plur", "3per"}
        inflected = parse.inflect(tense) if parse is not None else None
        return inflected.word if inflected is not None else verb


def _dictionary_lemmas(
    morph: pymorphy3.MorphAnalyzer, most: int, rng: random.Random
) -> list[tuple[str, str]]:
    """Up to `most` (lemma, part of speech) of the dictionary, in a shuffled order: read by
    two-letter beginnings in a shuffled order (a small corpus reads a few of them only)."""
    dictionary = morph.dictionary
    beginnings = [a + b for a in _LETTERS for b in _LETTERS]
    rng.shuffle(beginnings)
    pos_of: dict[int, tuple[str, frozenset[str]]] = {}
    found: list[tuple[str, str]] = []
    for beginning in beginnings:
        for word, (paradigm, number) in dictionary.words.iteritems(beginning):
            if number:
                continue  # not the dictionary form
            if paradigm not in pos_of:
                tag = dictionary.build_tag_info(paradigm, 0)
                pos_of[paradigm] = (str(tag.POS), frozenset(tag.grammemes))
            pos, grammemes = pos_of[paradigm]
            if (
                pos in _POS
                and 4 <= len(word) <= 16
                and word.isalpha()
                and not (grammemes & _SKIP_TAGS)
            ):
                found.append((word, pos))
        if len(found) >= most:
            break
    rng.shuffle(found)
    return found


@cache
def _seed_head(seeds: Path) -> tuple[tuple[str, str], ...]:
    """The seed articles' nouns, adjectives and verbs, commonest first: the top of the ranking."""
    morph = pymorphy3.MorphAnalyzer()
    counts: dict[tuple[str, str], int] = {}
    for fact in seed_facts(seeds):
        for word in fact.text.lower().split():
            word = word.strip('.,:;!?()«»"–-')
            if not word.isalpha() or len(word) < 4:
                continue
            if not morph.word_is_known(word):
                continue
            parse = morph.parse(word)[0]
            pos = "INFN" if parse.tag.POS == "VERB" else parse.tag.POS
            if pos in _POS and not (set(parse.tag.grammemes) & _SKIP_TAGS):
                key = (parse.normal_form, pos)
                counts[key] = counts.get(key, 0) + 1
    return tuple(sorted(counts, key=lambda key: (-counts[key], key)))


# --- sentences ---------------------------------------------------------------------------------


def _money(rng: random.Random) -> str:
    scale = rng.choice(SCALES)
    if rng.random() < 0.5:
        return f"{rng.randint(1, 99)},{rng.randint(1, 9)} {scale} тенге"
    return f"{rng.randint(2, 999)} {scale} тенге"


def _genitive(word: str) -> str:
    """The genitive of a masculine noun or name ending in a consonant or «ь», which is what
    ROLES' first words, FIRST_NAMES and SURNAMES are: «аким» → «акима», «заместитель» →
    «заместителя», «Абенов» → «Абенова»."""
    return word[:-1] + "я" if word.endswith("ь") else word + "а"


def _person(rng: random.Random) -> tuple[str, str]:
    """(nominative, genitive) of a name: «Нурлан Абенов», «Нурлана Абенова»."""
    first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    return f"{first} {surname}", f"{_genitive(first)} {_genitive(surname)}"


def _role(rng: random.Random) -> tuple[str, str]:
    """(nominative, genitive) of a role: «заместитель акима», «заместителя акима»."""
    role = rng.choice(ROLES)
    head, *rest = role.split()
    return role, " ".join([_genitive(head), *rest])


Place = tuple[str, str, str]  # nominative, genitive, locative: bench.CITIES, bench.PLACES
_CASES = {"nomn": 0, "gent": 1, "loct": 2}  # pymorphy3's names, as for nouns
_CHOICES = {"said": SAID, "grows": GROWS, "amount": AMOUNTS, "source": SOURCES, "unit": UNITS}


def _field(name: str, spec: str, v: Vocabulary, rng: random.Random, place: Place) -> str:
    """A template's field `{name:spec}`, drawn: `year`; `place:nomn|gent|loct`; `role:nomn|gent`;
    `person:nomn|gent`; `verb:past|present|any`; `noun:CASE[:plur]`; `phrase:CASE[:plur][:cap]`
    (an adjective and a noun); `counted:LOW-HIGH` (a number and a noun in the form it asks
    for); `number:LOW-HIGH`; `money`; else a word of _CHOICES[name]."""
    args = spec.split(":")
    match name:
        case "year":
            return str(rng.randint(*FIGURE_YEARS))
        case "place":
            return place[_CASES[args[0]]]
        case "role":
            return _role(rng)[_CASES[args[0]]]
        case "person":
            return _person(rng)[_CASES[args[0]]]
        case "verb":
            past = rng.random() < 0.5 if args[0] == "any" else args[0] == "past"
            return v.verb(past=past)
        case "noun":
            return v.noun(args[0], "plur" in args)
        case "phrase":
            phrase = v.phrase(args[0], "plur" in args)
            return phrase.capitalize() if "cap" in args else phrase
        case "counted" | "number":
            low, high = map(int, args[0].split("-"))
            value = rng.randint(low, high)
            return v.counted(value) if name == "counted" else str(value)
        case "money":
            return _money(rng)
        case _:
            return rng.choice(_CHOICES[name])


@dataclass(frozen=True)
class Shape:
    """A shape of news sentence: a template whose fields (`_field`) are drawn left to right,
    those named in `first` before all the others (the order the corpus has always been drawn
    in: another order would give every corpus other sentences); `weight`: how often the
    shape is chosen."""

    template: str
    weight: int
    first: tuple[str, ...] = ()

    def write(self, v: Vocabulary, rng: random.Random, place: Place) -> str:
        """A sentence of this shape."""
        fields = [
            (text, name, spec or "") for text, name, spec, _ in Formatter().parse(self.template)
        ]
        drawn = {
            name: _field(name, spec, v, rng, place)
            for _, name, spec in fields
            if name in self.first
        }
        parts: list[str] = []
        for text, name, spec in fields:
            parts.append(text)
            if name is not None:
                parts.append(drawn[name] if name in drawn else _field(name, spec, v, rng, place))
        # An empty field (no source of the money) leaves no double space.
        return "".join(parts).replace("  ", " ")


# Figures in most sentences, as in the seed articles.
SHAPES = (
    Shape("В {year} году в {place:loct} {verb:any} {counted:2-400} {phrase:gent}.", 3),
    Shape("{phrase:nomn:cap} {noun:gent} {place:gent} {amount} {money}.", 3),
    Shape(
        "По словам {role:gent} {person:gent}, {noun:nomn} {phrase:gent:plur} {grows} "
        "на {number:2-60}%.",
        2,
    ),
    Shape("На {phrase:accs} {noun:gent:plur} {source} {verb:any} {money}.", 2, ("source",)),
    Shape(
        "До {year} года в {place:loct} {verb:present} {number:2-300} {unit} {phrase:gent:plur}.",
        2,
        ("unit",),
    ),
    Shape("Доля {phrase:gent:plur} в {noun:loct} {place:gent} {amount} {number:2-95}%.", 1),
    Shape(
        "{phrase:nomn:plur:cap} {verb:present} {phrase:accs} {noun:gent}, {said} {role:nomn} "
        "{place:gent} {person:nomn}.",
        2,
        ("role", "person"),
    ),
    Shape("За {year} год {noun:accs} {phrase:gent} {verb:past} {number:2-999} тыс. человек.", 1),
    Shape(
        "{phrase:nomn:plur:cap} {verb:any} {phrase:accs} и {phrase:accs} {noun:gent} "
        "в {place:loct}.",
        2,
    ),
    Shape(
        "В планах {noun:gent:plur} {phrase:nomn} {noun:gent} и {phrase:nomn} {noun:gent:plur}.", 1
    ),
)
TITLES = (
    "В {loc} {verb} {phrase}",
    "{nom}: {phrase}",
    "Как изменится {nom} к {year} году",
    "{phrase_cap} {gen}",
)


def make_news_corpus(n_facts: int, seeds: Path) -> list[SyntheticArticle]:
    """About `n_facts` sentences in articles of 8–12 sentences; the same for the same n."""
    rng = random.Random(f"news/{n_facts}")
    vocabulary = Vocabulary(n_facts, rng, _seed_head(seeds))
    shapes = [shape for shape in SHAPES for _ in range(shape.weight)]
    days = (LAST_DATE - FIRST_DATE).days
    articles: list[SyntheticArticle] = []
    for size in article_sizes(rng, n_facts):
        # Most articles are about Almaty, as the bot's are; the rest about other places.
        place = CITIES[0] if rng.random() < 0.4 else rng.choice(PLACES)
        sentences = [rng.choice(shapes).write(vocabulary, rng, place) for _ in range(size)]
        paragraphs: list[tuple[str, ...]] = []
        while sentences:
            take = rng.randint(1, 4)
            paragraphs.append(tuple(sentences[:take]))
            sentences = sentences[take:]
        phrase = vocabulary.phrase("accs")
        title = rng.choice(TITLES).format(
            nom=place[0],
            gen=place[1],
            loc=place[2],
            verb=vocabulary.verb(past=False),
            phrase=phrase,
            phrase_cap=vocabulary.phrase("nomn").capitalize(),
            year=rng.randint(*FIGURE_YEARS),
        )
        date = FIRST_DATE + dt.timedelta(days=rng.randint(0, days))
        name = f"{len(articles):06d}_news.md"
        articles.append(SyntheticArticle(name, date, title, tuple(paragraphs)))
    return articles


def vocabulary_growth(
    articles: Sequence[SyntheticArticle], marks: Sequence[int]
) -> tuple[int, ...]:
    """Distinct lemmas (pymorphy3, letters only) in the first `marks[k]` sentences."""
    seen: set[str] = set()
    counts: list[int] = []
    sentences = (s for article in articles for p in article.paragraphs for s in p)
    for number, sentence in enumerate(sentences, 1):
        seen.update(analyze(w).lemma for w, _ in words(sentence, parts=False) if w.isalpha())
        if number in marks:
            counts.append(len(seen))
    return tuple(counts)


def main(argv: list[str] | None = None) -> int:
    """`python -m knowledge.dev.news_corpus --facts N --out DIR [--seeds DIR]`: write the
    corpus (the bench runs this in a process of its own, so that the generator's memory is
    not counted in citybot's peak RSS)."""
    parser = argparse.ArgumentParser(prog="python -m knowledge.dev.news_corpus")
    parser.add_argument("--facts", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.facts < 1:
        parser.error("--facts must be positive")
    corpus = make_news_corpus(args.facts, args.seeds)
    write_corpus(corpus, args.out)
    print(len(corpus), file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
