"""Russian text → terms: normalisation, tokens, lemmas (pymorphy3), synonyms and lexicons.

Everything language-specific that is a list (stop words, synonyms, Kazakh and English words,
transliteration) lives in data files under `knowledge/data/`, not in code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources

import pymorphy3

# ъ and ь are folded together: «обьем», «субьект» are how people type them.
# Kazakh letters folded to the Russian ones they sound closest to, so «Қазақстан» meets
# «Казахстан» halfway (the rest is the lexicon's job) and Kazakh words can be looked up.
_FOLD = str.maketrans(
    {
        "ё": "е",
        "қ": "к",
        "ғ": "г",
        "ң": "н",
        "ү": "у",
        "ұ": "у",
        "һ": "х",
        "і": "и",
        "ә": "а",
        "ө": "о",
        "«": '"',
        "»": '"',
        "\u00a0": " ",
    }
)

# A word: letters/digits, joined by inner hyphens, slashes or dots-in-numbers («24/7», «1,9»
# is two tokens on purpose: figures are parsed elsewhere).
_WORD = re.compile(r"[0-9a-zа-я]+(?:[-/][0-9a-zа-я]+)*")

# Parts of speech that carry no subject matter (pymorphy3 tags).
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED", "NUMR", "APRO"})
VERB_POS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
_ENTITY_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn"})

# How much a word of each class says about what a question is about.
WEIGHT_CONTENT = 1.0  # nouns, adjectives, unknown words, Latin, numbers
WEIGHT_VERB = 0.45  # «приехало», «выделили»: mostly the glue of a question
WEIGHT_ADVERB = 0.3
WEIGHT_GENERIC = 0.25  # words of the domain that occur everywhere: «Алматы», «город»

STEM_MIN = 7  # lemmas at least this long also match on their first STEM_LEN letters
STEM_LEN = 6
COMPOUND_NAMED_REST = 6  # see `Lexicon.split_compound`
COMPOUND_REST_MIN = 4  # «госпрограмма» → «программа»; «медведь» is not «мед» + «ведь» (a particle)
SHORT_STEM_LEN = 5  # a looser stem («участвовать» ~ «участие»), a weaker match


# str.translate looks every character up in a dict; a `replace` per letter that occurs is
# several times faster on Cyrillic text (no output letter is itself folded again).
_FOLD_PAIRS = tuple((chr(code), str(plain)) for code, plain in _FOLD.items())


# Characters that only break search and storage: zero-width space, non-joiner and joiner, word
# joiner, BOM (zero-width no-break space), soft hyphen; and NUL, which PostgreSQL refuses.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text from outside (questions, uploads, anything stored): invisible characters and NUL
    removed, a lone UTF-16 surrogate (no valid text has one; SQLite cannot encode it) made
    U+FFFD; a pair of halves that belong together becomes the character they make."""
    text = _INVISIBLE_RE.sub("", text)
    if _SURROGATE_RE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def normalize(text: str) -> str:
    """Lower case, ё→е, Kazakh letters folded, typographic quotes and spaces made plain."""
    text = text.lower()
    for letter, plain in _FOLD_PAIRS:
        if letter in text:
            text = text.replace(letter, plain)
    return text


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


_SOFT_FOR_HARD = re.compile(r"(?<=[бвдзнстф])ь(?=[еёюя])")
_ADJECTIVE_ENDINGS = ("ое", "ее", "ой", "ый", "ий", "ая", "яя")


@dataclass(frozen=True)
class WordInfo:
    lemma: str
    readings: frozenset[str]  # every plausible lemma, for phrase look-ups
    pos: str  # pymorphy3 part of speech, "NUMB", "LATN" or "UNKN"
    entity: bool  # some reading is a place, a person's name or an organisation
    person: bool  # some reading is a first name, surname or patronymic
    place: bool = False  # some reading is a place name
    past: bool = False  # «встречался», «была»: the likeliest reading is a past-tense verb
    plural: bool = False  # «стран», «консулов»: the likeliest reading is a plural noun


@lru_cache(maxsize=300_000)
def analyze(word: str) -> WordInfo:
    """Lemma and class of one normalised word (cached: words repeat a lot)."""
    if word.isdigit():
        return WordInfo(word, frozenset({word}), "NUMB", False, False)
    # «обьем», «субьект»: ь typed for ъ is among the most common misspellings.
    if "ь" in word and not _morph().word_is_known(word):
        hard = _SOFT_FOR_HARD.sub("ъ", word)
        if hard != word and _morph().word_is_known(hard):
            word = hard
    parses = _morph().parse(word)
    best = parses[0]
    tags: set[str] = set()
    for parse in parses[:4]:
        if parse is best or parse.score >= 0.05:
            tags |= set(str(parse.tag).replace(" ", ",").split(","))
    pos = str(best.tag.POS or str(best.tag).split(",")[0])
    if "Apro" in best.tag:  # «какой», «каков», «весь»: pronoun-like adjectives
        pos = "APRO"
    elif "Anum" in best.tag:  # «первые три квартала», «второй этап»: ordinal numbers
        pos = "ANUM"
    lemma = best.normal_form
    # «малого», «среднего»: pymorphy3 prefers the nouns «малое», «среднее» for some forms and
    # the adjectives for others; one lemma for all forms needs the adjective reading.
    if best.tag.POS == "NOUN" and lemma.endswith(_ADJECTIVE_ENDINGS):
        adjective = next((p for p in parses if p.tag.POS == "ADJF" and p.score >= 0.05), None)
        if adjective is not None:
            lemma, pos = adjective.normal_form, "ADJF"
    readings = {p.normal_form.replace("ё", "е") for p in parses[:4] if p.score >= 0.05}
    return WordInfo(
        lemma=lemma.replace("ё", "е"),
        readings=frozenset(readings | {lemma.replace("ё", "е")}),
        pos=pos,
        entity=bool(tags & _ENTITY_TAGS),
        person=bool(tags & {"Name", "Surn", "Patr"}),
        place="Geox" in tags,
        past=best.tag.POS == "VERB" and best.tag.tense == "past",
        plural=best.tag.POS == "NOUN" and best.tag.number == "plur",
    )


@lru_cache(maxsize=100_000)
def is_known_word(word: str) -> bool:
    """Is the word in the Russian dictionary (not merely guessed by pymorphy3)?"""
    return bool(_morph().word_is_known(word))


def words(text: str, *, parts: bool = True) -> list[tuple[str, int]]:
    """Normalised words of `text` with their offsets; hyphenated words also give their parts.

    Normalisation keeps the length of the text, so offsets point into the original.
    """
    normal = normalize(text)
    found = [(m.group(), m.start()) for m in _WORD.finditer(normal)]
    if not parts or "-" not in normal:
        return found
    out: list[tuple[str, int]] = []
    for raw, start in found:
        out.append((raw, start))
        if "-" in raw and not raw.replace("-", "").isdigit():
            offset = start
            for part in raw.split("-"):
                if part:
                    out.append((part, offset))
                offset += len(part) + 1
    return out


def stem(lemma: str) -> str | None:
    """A crude derivational stem: «образование»/«образовательный» → «образо»."""
    if len(lemma) >= STEM_MIN and lemma.isalpha():
        return lemma[:STEM_LEN]
    return None


def short_stem(lemma: str) -> str | None:
    """A looser stem for longer words: «участвовать»/«участие» → «участ»."""
    if len(lemma) >= STEM_MIN and lemma.isalpha():
        return lemma[:SHORT_STEM_LEN]
    return None


def data_lines(name: str) -> list[str]:
    """The lines of data file `knowledge/data/<name>`, «#» comments and blank lines left out."""
    text = resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Token:
    word: str  # normalised surface form
    lemma: str
    readings: frozenset[str]  # every plausible lemma
    weight: float  # how much it says about the subject; 0 for function words
    entity: bool
    person: bool
    position: int
    start: int  # offset in the original text


class Lexicon:
    """Stop words, domain-generic words and synonym groups, read from `knowledge/data/`."""

    def __init__(self) -> None:
        self.stop = frozenset(normalize(w) for w in data_lines("stopwords.txt"))
        self.generic = frozenset(normalize(w) for w in data_lines("generic.txt"))
        self.not_names = frozenset(normalize(w) for w in data_lines("not_names.txt"))
        # month lemma («январь», «январский») → its number
        self.months = {
            normalize(word): number
            for number, line in enumerate(data_lines("calendar.txt"), start=1)
            for word in line.split()
        }
        self.calendar = frozenset(self.months)
        self.roles = frozenset(normalize(w) for w in data_lines("roles.txt"))
        self.prepositions: dict[str, list[tuple[str, ...]]] = {}
        for line in data_lines("prepositions.txt"):
            preposition = tuple(normalize(line).split())
            self.prepositions.setdefault(preposition[0], []).append(preposition)
        # Longest beginning first: «техно» before «тех».
        pairs = [tuple(line.split()) for line in data_lines("compounds.txt")]
        self.compounds = tuple(sorted(((b, a) for b, a in pairs), key=lambda p: -len(p[0])))
        # A cheap first look: every beginning has at least three letters.
        if any(len(b) < 3 for b, _ in self.compounds):
            raise ValueError("compounds.txt: a beginning shorter than three letters")
        self._compound_starts = frozenset(b[:3] for b, _ in self.compounds)
        # Every Russian word the lexicon itself knows, for reading Russian typed in Latin.
        self.known_words: set[str] = set(self.stop) | set(self.generic)
        # Synonym groups: each line is one group of phrases separated by «|». A phrase is
        # matched as a sequence of lemmas (function words skipped) in facts and questions
        # alike, and both sides then carry the group's term, so either wording finds the other.
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for number, line in enumerate(data_lines("synonyms.txt")):
            group = f"={number}"
            for phrase in line.split("|"):
                self.known_words.update(w for w, _ in words(phrase))
                lemmas = tuple(t.lemma for t in self.tokens(phrase) if t.weight > 0)
                if lemmas:
                    self.phrases.setdefault(lemmas[0], []).append((lemmas, group))
        for candidates in self.phrases.values():
            candidates.sort(key=lambda c: -len(c[0]))  # longest phrase first

    def tokens(self, text: str) -> list[Token]:
        """Tokens of `text` with lemma and weight (function and stop words weigh 0)."""
        out = []
        for position, (word, start) in enumerate(words(text)):
            info = analyze(word)
            out.append(
                Token(
                    word=word,
                    lemma=info.lemma,
                    readings=info.readings,
                    weight=self.weight(word, info),
                    entity=info.entity,
                    person=info.person and info.lemma not in self.not_names,
                    position=position,
                    start=start,
                )
            )
        self._weigh_prepositions(out)
        return out

    def _weigh_prepositions(self, tokens: list[Token]) -> None:
        """«в связи с», «в рамках»: the noun of a several-word preposition weighs as an adverb."""
        words_ = [t.word for t in tokens]
        for first, word in enumerate(words_):
            for phrase in self.prepositions.get(word, ()):
                if tuple(words_[first : first + len(phrase)]) == phrase:
                    for position in range(first, first + len(phrase)):
                        token = tokens[position]
                        if token.weight > WEIGHT_ADVERB:
                            tokens[position] = replace(token, weight=WEIGHT_ADVERB)

    def weight(self, word: str, info: WordInfo) -> float:
        """How much a word says about the subject (see the WEIGHT_* constants)."""
        if word in self.stop or info.lemma in self.stop or info.pos in _FUNCTION_POS:
            return 0.0
        if info.lemma in self.generic or word in self.generic:
            return WEIGHT_GENERIC
        if info.pos in VERB_POS:
            if not is_known_word(word) and any(
                lemmas == (info.lemma,) for lemmas, _ in self.phrases.get(info.lemma, ())
            ):
                return WEIGHT_CONTENT  # «айти»: a word of the synonym table that pymorphy3
                # only guesses, from an ending like a verb's («идти»)
            return WEIGHT_VERB
        if info.pos in ("ADVB", "ANUM", "COMP") or info.lemma in self.calendar:  # how, which, when
            return WEIGHT_ADVERB
        return WEIGHT_CONTENT

    def split_compound(self, word: str) -> tuple[str, str] | None:
        """«инвестпроектов» → («инвестиционный», «проектов»): a stump compound (data/compounds.txt)
        as the adjective and the noun it is made of; None for any other word."""
        if word[:3] not in self._compound_starts:
            return None
        for beginning, adjective in self.compounds:
            rest = word[len(beginning) :]
            if (
                word.startswith(beginning)
                and len(rest) >= COMPOUND_REST_MIN
                and is_known_word(rest)
                and analyze(rest).pos == "NOUN"
            ):
                # «Горохов», «Обломов»: a name, not a compound — unless the rest is a long
                # word of its own («медобъектов»: pymorphy3 guesses a surname from «-ов»)
                if analyze(word).entity and len(rest) < COMPOUND_NAMED_REST:
                    return None
                return adjective, rest
        return None

    def word_groups(self, lemma: str) -> frozenset[str]:
        """The synonym groups that list this lemma as a phrase of its own."""
        return frozenset(g for lemmas, g in self.phrases.get(lemma, ()) if lemmas == (lemma,))

    def groups(self, tokens: list[Token]) -> list[tuple[str, int, int]]:
        """Synonym-group terms found in `tokens`: (term, first position, last position)."""
        return self.groups_of([(t.readings, t.position) for t in tokens if t.weight > 0])

    def phrases_from(self, readings: frozenset[str]) -> list[tuple[tuple[str, ...], str]]:
        """Synonym phrases a word with these readings may begin, longest first."""
        candidates = [c for r in readings for c in self.phrases.get(r, ())]
        candidates.sort(key=lambda c: -len(c[0]))
        return candidates

    def groups_of(
        self,
        content: Sequence[tuple[frozenset[str], int]],
        starts: Sequence[Sequence[tuple[tuple[str, ...], str]]] | None = None,
    ) -> list[tuple[str, int, int]]:
        """`groups` over the content words only, as (readings, position); `starts`, if
        given, holds `phrases_from` of each (the indexer computes it once per word)."""
        found: list[tuple[str, int, int]] = []
        for i, (readings, _) in enumerate(content):
            candidates = starts[i] if starts is not None else self.phrases_from(readings)
            if not candidates:
                continue
            seen: set[str] = set()
            # A word may belong to several groups («работать»: employment and «functioning»).
            for lemmas, group in candidates:
                window = content[i : i + len(lemmas)]
                if (
                    group not in seen
                    and len(window) == len(lemmas)
                    and all(lemma in w[0] for lemma, w in zip(lemmas, window, strict=True))
                ):
                    seen.add(group)
                    found.append((group, window[0][1], window[-1][1]))
        return found


@cache
def lexicon() -> Lexicon:
    """The shared lexicon (read once)."""
    return Lexicon()


# -- questions typed in Latin letters, in Kazakh or in English ---------------------------

_RU_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ь": "",
        "ъ": "",
        "ы": "y",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)
# How people spell Russian in Latin letters varies («shch», «sch», «kh», «x», «'»): both the
# user's word and the Russian vocabulary are reduced to one plain spelling to meet.
_LATIN_SPELLINGS = (
    ("shch", "sh"),
    ("sch", "sh"),
    ("kh", "h"),
    ("x", "ks"),
    ("w", "v"),
    ("'", ""),
    ("yo", "e"),
    ("je", "e"),
    ("ju", "yu"),
    ("ja", "ya"),
    ("q", "k"),
)
_LATIN_ENDING = re.compile(r"(?:yy|yi|iy|ii|ij|yj)$")
_LATIN_WORD = re.compile(r"^[a-z0-9'/-]+$")
_LETTERS = re.compile(r"[a-zа-я]")
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]")


def latin_key(word: str) -> str:
    """One plain Latin spelling for a word in Latin or Cyrillic letters."""
    key = normalize(word).translate(_RU_TO_LATIN)
    for spelling, plain in _LATIN_SPELLINGS:
        key = key.replace(spelling, plain)
    key = re.sub(r"c(?!h)", "ts", key)
    return _LATIN_ENDING.sub("y", key)


_VOWEL_Y = frozenset({"iy", "ay", "oy", "ey", "uy"})
_LATIN_VOWELS = "aeiouy"
_LATIN_TO_RU = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "ё"),
    ("ye", "е"),
    ("iy", "ий"),
    ("yi", "ый"),
    ("yy", "ый"),
    ("ay", "ай"),
    ("oy", "ой"),
    ("ey", "ей"),
    ("uy", "уй"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "ы"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "ц"),
    ("j", "й"),
    ("w", "в"),
    ("x", "кс"),
    ("q", "к"),
    ("'", "ь"),
)


def cyrillic_from_latin(word: str) -> str:
    """A plain transliteration of Russian typed in Latin letters: «priehalo» → «приехало»."""
    out = []
    i = 0
    while i < len(word):
        for latin, cyrillic in _LATIN_TO_RU:
            if word.startswith(latin, i):
                after = word[i + 2 : i + 3]
                if latin in _VOWEL_Y and after and after in _LATIN_VOWELS:
                    continue  # «kakaya»: «a» then «ya», not «ay» then «a»
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(word[i])
            i += 1
    return "".join(out)


def _phrase_table(name: str) -> list[tuple[tuple[str, ...], str]]:
    table = []
    for line in data_lines(name):
        source, _, target = line.partition("=")
        key = tuple(normalize(source).split())
        if key and target.strip():
            table.append((key, target.strip()))
    table.sort(key=lambda entry: (-len(entry[0]), -len(" ".join(entry[0]))))
    return table


def _by_first_letters(
    table: list[tuple[tuple[str, ...], str]],
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, target in table:  # already longest first
        index.setdefault(key[0][:2], []).append((key, target))
    return index


def _english_forms(word: str) -> tuple[str, ...]:
    """The word with the endings a glossary entry also stands for («city» → «cities»)."""
    if len(word) < 3:
        return (word,)
    if len(word) == 3:  # «hub» → «hubs», «tax» → «taxes»; past tenses of short words differ
        return (word, word + "s", word + "es")
    forms: tuple[str, ...] = (word, word + "s", word + "es", word + "d", word + "ed")
    if word.endswith("y"):
        forms += (word[:-1] + "ies", word[:-1] + "ied")
    return forms


def _english_form(word: str, key: str) -> bool:
    return word in _english_forms(key)


# Kazakh voices a stem's last consonant before a suffix that starts with a vowel:
# «нарық» → «нарығы», «кітап» → «кітабы» (and so in the folded spellings: к → г).
_KAZAKH_VOICED = {"к": "г", "қ": "ғ", "п": "б"}


def _kazakh_form(word: str, stem_: str) -> bool:
    if not word.startswith(stem_):
        voiced = _KAZAKH_VOICED.get(stem_[-1:])
        if voiced is None or len(word) <= len(stem_):
            return False
        if not word.startswith(stem_[:-1] + voiced):
            return False
    return len(stem_) >= 4 or len(word) - len(stem_) <= 3


# Kazakh case endings (Kazakh letters folded as `normalize` does): locative, ablative, dative,
# genitive, accusative, instrumental.
KAZAKH_ENDINGS = (
    "дагы", "деги", "тагы", "теги", "нан", "нен", "дан", "ден", "тан", "тен", "нын", "нин",
    "дын", "дин", "тын", "тин", "мен", "бен", "пен", "га", "ге", "ка", "ке", "на", "не",
    "да", "де", "та", "те", "ды", "ди", "ты", "ти",
)  # fmt: skip


class Translator:
    """Rewrites a question typed in English, Kazakh or Latin letters into Russian words."""

    def __init__(self) -> None:
        self.english = _by_first_letters(_phrase_table("english.txt"))
        self.english_forms = {
            form
            for entries in self.english.values()
            for key, _ in entries
            for word in key
            for form in _english_forms(word)
        }
        self.english_stop = frozenset(normalize(w) for w in data_lines("english_stopwords.txt"))
        # English words that Russian typed in Latin letters spells alike («akim», «almaty»)
        # or that are one letter («s» = «с»): no evidence of English.
        self.english_shared = frozenset(
            key[0]
            for entries in self.english.values()
            for key, target in entries
            if len(key) == 1 and latin_key(normalize(target)) == key[0]
        )
        self.kazakh = _by_first_letters(_phrase_table("kazakh.txt"))

    def is_english(self, tokens: list[str]) -> bool:
        """Mostly English words (as opposed to Russian typed in Latin letters)?"""
        latin = [t for t in tokens if _LATIN_WORD.match(t) and not t.isdigit()]
        if not latin or len(latin) < len([t for t in tokens if not t.isdigit()]) / 2:
            return False
        english = sum(
            1
            for t in latin
            if len(t) > 1
            and t not in self.english_shared
            and (t in self.english_stop or t in self.english_forms)
        )
        return english >= max(1, len(latin) / 2)

    @staticmethod
    def _rewrite(
        tokens: list[str],
        table: dict[str, list[tuple[tuple[str, ...], str]]],
        form: Callable[[str, str], bool],
    ) -> list[tuple[str | None, str]]:
        """(replacement or None, the original words) for each phrase or word of `tokens`.

        `table` holds the phrases by the first two letters of their first word, longest
        phrase first.
        """
        out: list[tuple[str | None, str]] = []
        i = 0
        while i < len(tokens):
            for key, target in table.get(tokens[i][:2], ()):
                window = tokens[i : i + len(key)]
                if len(window) == len(key) and all(
                    form(w, k) for w, k in zip(window, key, strict=True)
                ):
                    out.append((target, " ".join(window)))
                    i += len(key)
                    break
            else:
                out.append((None, tokens[i]))
                i += 1
        return out

    def english_to_russian(self, tokens: list[str]) -> list[str]:
        """Russian for the English phrases; English function words dropped."""
        return [
            target if target is not None else word
            for target, word in self._rewrite(tokens, self.english, _english_form)
            if target is not None or word not in self.english_stop
        ]

    def is_kazakh(self, question: str, tokens: list[str]) -> bool:
        """Kazakh letters, or at least two words that only Kazakh explains."""
        if _KAZAKH_LETTERS.search(question.lower()):
            return True
        unknown = [w for w in tokens if _LETTERS.search(w) and not is_known_word(w)]
        found = [t for t, _ in self._rewrite(unknown, self.kazakh, _kazakh_form) if t]
        return len(found) >= 2

    def kazakh_to_russian(self, tokens: list[str]) -> list[str]:
        """Russian for the Kazakh words and phrases; words with no entry unchanged."""
        # «IT-қызметтер»: each part of a hyphenated word on its own; «ШОБ-тан»: a case
        # ending after a hyphen is no word.
        parts = [
            part
            for token in tokens
            for number, part in enumerate(token.split("-"))
            if part and not (number and normalize(part) in KAZAKH_ENDINGS)
        ]
        return [
            target if target is not None else original
            for target, original in self._rewrite(parts, self.kazakh, _kazakh_form)
        ]


@cache
def translator() -> Translator:
    """The shared translator (read once)."""
    return Translator()


@lru_cache(maxsize=4_096)
def agree_with_number(word: str, count: int) -> str:
    """«статья», 5 → «статей»: the noun in the form a count asks for (pymorphy3's
    make_agree_with_number); a word the dictionary cannot inflect is kept."""
    parses = _morph().parse(word)
    # «раз» is also the genitive plural of «раза»: the word as given is a nominative.
    parse = next((p for p in parses if {"NOUN", "nomn", "sing"} in p.tag), parses[0])
    agreed = parse.make_agree_with_number(abs(count))
    return agreed.word if agreed is not None else word
