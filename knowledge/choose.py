"""Which figure of a sentence answers the question, and the checks on the sentence itself.

A figure is judged by its kind against the question's (`fits`), by how close it stands to
the question's words, by year and unit agreement, and by a few rules on what it counts or
measures; the best one answers. Among equally good facts the newest article wins.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .facts import TIME_KINDS, Fact
from .figures import Figure
from .match import Note
from .query import Cue, Question, Unit
from .query.focus import flow_of
from .query.spelling import LATIN
from .query.words import lemma_set, word_list
from .text import WEIGHT_GENERIC, Lexicon, analyze, lexicon, words

if TYPE_CHECKING:
    from .postings import Details

STATED_FIGURE = 1.0  # a figure the question itself states is not its answer (see choose_figure)
# «К чему призвал участников встречи глава города?»: a question that names no figure shows
# one only when it stands this close (in words) to what the question asks about.
FIGURE_NEAR = 6
MEASURED_SPAN = 4  # «350 км горных троп»: the counted word stands this close after a length
MEASURED_ANCHOR = 3.0  # how much more the amount asked about («каков охват») draws the figure
MEASURES_OTHER = 0.3  # the fit of a figure that counts or measures something else
SAME_THING = 0.8  # facts within this share of the best score may compete on recency
# «руководителя представительства Министерства иностранных дел … в городе Алматы Исламбек
# Раимов»: a name this many words after its role still holds it.
HOLDER_SPAN = 12
YEAR_FIGURE = 0.6  # a figure of a year the question asks about
NEWER_FIGURE = 0.3  # «с 21 тыс. … до 10 тыс.»: the newer figure is the answer
OLDER_FIGURE = 0.6  # «… раньше», «до перехода на …»: the older one

# A fully scored candidate: final score, fact number, figure, (position in the scores, notes,
# matched labels) for its explanation, matched units.
Ranked = tuple[
    float, int, Figure | None, tuple[int, tuple[Note, ...], tuple[str, ...]], frozenset[int]
]


@cache
def _also_said() -> re.Pattern[str]:
    """«… также …», «кроме того, …»: a sentence adding to what was said before."""
    said = "|".join(re.escape(w) for w in word_list("also_said"))
    return re.compile(rf"(?<!\w)(?:{said})(?!\w)", re.IGNORECASE)


def adds_to_before(text: str) -> bool:
    """Does the sentence add one more thing to what was said before it?"""
    return _also_said().search(text) is not None


def fits(kind: str | None, figure: Figure) -> float:
    """How well a figure of this kind answers a question of that kind (0 … 1)."""
    return kind_fits(kind, figure.kind, figure.comparison)


@cache
def kind_fits(kind: str | None, figure_kind: str, comparison: str | None) -> float:
    if kind is None or kind in ("define", "who", "where"):
        if figure_kind in TIME_KINDS:
            return 0.3
        # Without «на сколько» a question asks for the level, not the change.
        return 0.4 if comparison == "change" else 0.6
    if kind == "when":
        # «Когда достроят?» — «в течение двух лет» says when, less exactly than a date
        return 1.0 if figure_kind in TIME_KINDS else 0.6 if figure_kind == "duration" else 0.0
    if kind == "duration":
        # «На какой срок …?» — «на 2026–2028 годы» names the span by its years
        return 1.0 if figure_kind == "duration" else 0.6 if figure_kind in TIME_KINDS else 0.1
    if figure_kind in TIME_KINDS:
        return 0.0
    if figure_kind == "duration":
        return 0.2  # «Сколько школ …?» is not answered by «за два года»
    if kind == "percent":
        return 1.0 if figure_kind == "percent" else 0.0
    if kind == "change":
        if comparison == "change":
            return 1.0
        return 0.6 if comparison in ("from", "to") else 0.2
    if kind == "money":
        return 1.0 if figure_kind == "money" else 0.2
    if kind in ("area", "length"):
        return 1.0 if figure_kind == kind else 0.1
    if figure_kind == "percent":
        # «Сколько … занято» may be answered by a share, never by a change («на 8%»).
        return 0.2 if comparison == "change" else 0.5
    if kind == "amount":
        # «Сколько выделяют?»: how much of whatever the fact measures.
        return 0.9 if figure_kind in ("count", "number", "money", "length", "area") else 0.15
    # "count": how many of something
    return {"count": 1.0, "number": 0.8, "money": 0.3, "length": 0.6, "area": 0.6}.get(
        figure_kind, 0.15
    )


def _flow_before(text: str, figure: Figure) -> str | None:
    """Which way the sum goes, by the few words before it («принося экономике … более 300
    млрд»)."""
    before = words(text[: figure.start], parts=False)[-MEASURED_SPAN:]
    return flow_of(r for word, _ in before for r in analyze(word).readings)


def _people_after(text: str, figure: Figure) -> bool:
    """Is the figure a share of people: a word for people among the few after it?"""
    after = words(text[figure.end :], parts=False)[:MEASURED_SPAN]
    return any(analyze(word).readings & lemma_set("people.txt", "roles.txt") for word, _ in after)


def _counts_things(q: Question) -> bool:
    """«Сколько стран …», «сколько консулов …»: things counted one by one, which a share
    does not answer. Not so a share of people («сколько людей занято …», data/people.txt)
    or of a whole («сколько рынка …»: the singular)."""
    labels = [q.units[u].label for u in q.focus]
    infos = [analyze(w) for w in labels]
    return any(i.pos == "NOUN" and i.plural for i in infos) and not any(
        i.readings & lemma_set("people.txt", "roles.txt") for i in infos
    )


# «Почему …?», «Что стало причиной …?»: a reason is asked, which no figure is.


def wants_figure(fact: Fact, q: Question) -> bool:
    """Does the question want one of the fact's figures (and so where its words stand)?"""
    return (
        bool(fact.figures)
        and q.kind not in ("who", "where", "define")
        and Cue.WHICH_THING not in q.cues
    )


def choose_figure(
    fact: Fact,
    q: Question,
    matched: dict[int, Unit],
    rarity: list[float],
    details: Details | None,
) -> tuple[Figure | None, float]:
    """The figure in the fact that answers the question, and how well it fits its type.

    Each candidate is judged by its kind against the question type, by how close it
    stands to the question's words in the sentence (rarer words count more), by year
    agreement and by its unit («туристов» in the question, «иностранных туристов» in
    the figure).
    """
    if details is None or not wants_figure(fact, q):
        return None, 0.0
    anchors: list[tuple[list[int], float]] = []
    for unit_number, unit in matched.items():
        positions = [p for term, _ in unit.alternatives for p in details.positions.get(term, ())]
        if positions:
            weight = unit.weight * rarity[unit_number]
            if unit_number in q.measured:
                weight *= MEASURED_ANCHOR  # «Каков охват …?»: the figure by «охват»
            anchors.append((positions, weight))
    anchor_mass = sum(w for _, w in anchors) or 1.0
    # «Сколько троп …?» may be answered in kilometres of them («350 км горных троп»), but
    # only by a length or area followed by what is counted.
    counted_at = [
        p
        for unit_number in q.focus
        if unit_number in matched
        for term, _ in q.units[unit_number].alternatives
        for p in details.positions.get(term, ())
    ]
    best: tuple[float, Figure | None, float] = (0.0, None, 0.0)
    # A date answers «когда»; other questions get an amount when the sentence has one.
    skip_times = q.kind not in ("when", "duration") and bool(fact.amounts)
    for figure, position in zip(fact.figures, details.figure_positions, strict=True):
        fit = fits(q.kind, figure)
        if fit <= 0 or (skip_times and figure.kind in TIME_KINDS):
            continue
        if q.kind == "count" and figure.kind == "percent" and q.focus and _counts_things(q):
            fit = min(fit, MEASURES_OTHER)  # «сколько стран …?» is not answered by a share
        elif (
            figure.kind == "percent"
            and (
                (q.kind == "count" and q.lemmas & lemma_set("people.txt"))
                or (q.kind == "percent" and Cue.PEOPLE in q.cues)
            )
            and not _people_after(fact.text, figure)
        ):
            # «Сколько человек участвовало …?», «Какая часть работающих алматинцев …?»: a
            # share of people («до 90% трудоспособного населения»), not of something else
            # («26,2% … доходов бюджета», «около 18% от общего числа субъектов»)
            fit = min(fit, MEASURES_OTHER)
        elif (
            figure.kind == "money"
            and q.flow is not None
            and _flow_before(fact.text, figure) not in (None, q.flow)
        ):
            # «Сколько вложат в горный кластер?» is not what it will bring in («принося
            # экономике города более 300 млрд тенге»)
            fit = min(fit, MEASURES_OTHER)
        elif q.kind == "count" and q.focus and not counted_at:
            # What is counted stands only in the sentence before («… с консулами. Глава
            # города отметил … 26,2%»): this sentence's figures count something else.
            fit = min(fit, MEASURES_OTHER)
        elif (
            q.kind == "count"
            and figure.kind in ("length", "area")
            and counted_at
            and not any(0 < p - position <= MEASURED_SPAN for p in counted_at)
        ):
            fit = min(fit, MEASURES_OTHER)
        closeness = sum(
            w / (1 + min(abs(position - p) for p in positions)) for positions, w in anchors
        )
        value = fit + closeness / anchor_mass
        if q.years and figure.year in q.years:
            value += YEAR_FIGURE
        if figure.value in q.stated:
            value -= STATED_FIGURE
        if figure.comparison == "to" and not q.years and Cue.EARLIER not in q.cues:
            value += NEWER_FIGURE  # «с 21 тыс. … до 10 тыс.»: the newer figure is the answer
        if figure.comparison == "from" and Cue.EARLIER in q.cues:
            value += OLDER_FIGURE  # «… раньше», «до перехода на …»: the older one
        if (
            q.kind is None
            and anchors
            and min(abs(position - p) for positions, _ in anchors for p in positions) > FIGURE_NEAR
        ):
            continue  # a figure of another part of the sentence (see FIGURE_NEAR)
        if value > best[0]:
            best = (value, figure, fit)
    return best[1], best[2]


def prefer_newest(results: list[Ranked], dates: np.ndarray) -> list[Ranked]:
    """Among facts that answer the same thing equally well, the newest comes first."""
    if len(results) < 2:
        return results
    top_score, top_matched = results[0][0], results[0][4]
    same = [r for r in results if r[0] >= SAME_THING * top_score and r[4] == top_matched]
    if len(same) < 2:
        return results
    newest = max(same, key=lambda r: (int(dates[r[1]]), r[0]))
    if newest is results[0]:
        return results
    return [newest] + [r for r in results if r is not newest]


def places_named(text: str, q: Question, lx: Lexicon) -> int:
    """Places the fact names that the question does not (words found everywhere, such
    as «Алматы», left out)."""
    places: set[str] = set()
    for word, _ in words(text, parts=False):
        info = analyze(word)
        if info.place and info.lemma not in q.lemmas and lx.weight(word, info) > WEIGHT_GENERIC:
            places.add(info.lemma)
    return len(places)


def names_holder(text: str, q: Question, details: Details) -> bool:
    """Does a person's name follow the role asked about, before the next comma («акима
    Алматы Ерболата Досаева с …»)? Of several mentions of the role, the one nearest the
    question's other words is the one asked about. True when the role is not named."""
    positions = details.positions
    roles = sorted(
        p for u in q.asked for term, _ in q.units[u].alternatives for p in positions.get(term, ())
    )
    if not roles:
        return True
    others = [
        [p for term, _ in unit.alternatives for p in positions.get(term, ())]
        for u, unit in enumerate(q.units)
        if u not in q.asked and not unit.generic
    ]
    others = [o for o in others if o]
    if others:
        roles = [min(roles, key=lambda r: sum(min(abs(r - p) for p in o) for o in others))]
    found = words(text)
    for role in roles:
        after = found[role][1] + len(found[role][0])
        stop = text.find(",", after)
        for word, start in found[role + 1 : role + 1 + HOLDER_SPAN]:
            if stop != -1 and start > stop:
                break
            if analyze(word).person and text[start : start + 1].isupper():
                return True
    return False


def names_in_latin(text: str, q: Question) -> bool:
    """Does the fact name something in Latin letters that the question does not?"""
    if not LATIN.search(text.lower()):
        return False
    asked = q.text.lower()
    return any(LATIN.search(word) and word not in asked for word, _ in words(text, parts=False))


def names(q: Question, units: tuple[int, ...], details: Details) -> bool:
    """Does the sentence itself (not the one before it) carry every one of these units?"""
    positions = details.positions
    return all(any(term in positions for term, _ in q.units[u].alternatives) for u in units)


@lru_cache(maxsize=20_000)
def unit_lemmas(unit: str) -> frozenset[str]:
    return frozenset(t.lemma for t in lexicon().tokens(unit) if t.weight > 0)
