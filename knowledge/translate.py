"""Questions typed in Latin letters, in Kazakh or in English, read as Russian words.

Russian typed in Latin letters («skolko turistov») is spelled back (`cyrillic_from_latin`,
and `latin_key` to compare spellings); English and Kazakh words and phrases are translated by
the glossaries data/english.txt and data/kazakh.txt (`Translator`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from .text import data_lines, is_known_word, normalize

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


# Kazakh case endings (data/kazakh_endings.txt), longest first where one ends another.
KAZAKH_ENDINGS = tuple(data_lines("kazakh_endings.txt"))


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
