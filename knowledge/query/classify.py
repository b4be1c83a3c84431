"""What kind of answer a question wants, as pure functions of its tokens.

`question_kind` reads data/question_types.txt and then the rules that keep a content word
from being taken for a question word («Какой бюджет …?» asks which thing, «Почему
сократилось число …?» a reason). No index is needed: the same question always gets the same
kind, whatever the facts.
"""

from __future__ import annotations

from ..text import WEIGHT_GENERIC, Token, analyze, lexicon
from .words import lemma_set, question_phrases, word_list, word_set


def question_kind(question: str, tokens: list[Token]) -> tuple[str | None, frozenset[int]]:
    """The type of answer a question wants (data/question_types.txt), and the positions of
    the words that say so: those words ask *what kind* of answer, not *about what*."""
    lemmas = [t.lemma for t in tokens] + (["%"] if "%" in question else [])
    # The first phrase of the table (in file order) found anywhere, at its first place:
    # only the phrases beginning with one of the question's words are tried.
    by_first = question_phrases()
    found: tuple[int, int, str, int] | None = None
    for i, lemma in enumerate(lemmas):
        for order, kind, seq in by_first.get(lemma, ()):
            if found is not None and (order, i) >= found[:2]:
                break
            if seq == word_list("date_phrase") and (
                tuple(t.word for t in tokens[i : i + 2]) != word_list("date_words")
                or _says_change(tokens)
            ):
                # «какое число туристов» asks a number; only «какого числа» a date, and not
                # «до какого числа сократилось …»: the level something fell or rose to
                continue
            if _relative(question, tokens, i):
                continue  # «Кто был акимом, когда …»: «когда» opens a clause, asks nothing
            if (
                len(seq) == 1
                and seq[0] in word_set("among")
                and i > 0
                and tokens[i - 1].word in word_set("among_prepositions")
            ):
                continue  # «входит в число …», «в числе задач»: among, not how many
            if seq[0] in word_set("tell") and not tokens[i].word.startswith(
                word_list("tell_asking")
            ):
                continue  # «Какое издание рассказало о …?» reports; «расскажи о …» asks
            if tuple(lemmas[i : i + len(seq)]) == seq:
                found = (order, i, kind, len(seq))
                break
    if found is None:
        for which, noun in which_nouns(tokens):
            if (
                noun is not None
                and which.word not in word_set("which_how")
                and names_a_role(noun)
                and not analyze(noun.word).plural
            ):
                # «Какой аким встречался с консулами?»: which person held the role («Какие
                # депутаты …?» asks which body, not whose names)
                return "who", frozenset({which.position})
        return None, frozenset()
    _, i, kind, n = found
    counted_at = _counted_after_how_many(tokens)
    if kind == "money" and counted_at is not None and counted_at < i:
        # «Сколько автобусов направят на маршруты?», «сколько мешков ушло на дамбу?»: what
        # «сколько» counts comes first; the verb of spending says nothing of a sum.
        return "count", frozenset({counted_at})
    # «Насколько велик вклад …?», «Насколько высока доля …?»: how large a level is, not how
    # much it changed (a comparative, «насколько больше», is no adjective here).
    # «Насколько были изношены сети?»: a short participle, after «быть» too, asks the same.
    how_large = [
        j
        for j, token in enumerate(tokens[:-1])
        if token.lemma in word_set("how_large") and _describes_level(tokens[j + 1 : j + 3])
    ]
    if kind == "change" and n == 1 and i in how_large:
        kind, n = "amount", 2
    elif (
        kind == "change"
        and n == 2
        and i + n < len(tokens)
        and analyze(tokens[i + n].word).plural
        and not _says_change(tokens)
    ):
        # «На сколько участков разделили город?»: into how many, not by how much («на
        # сколько человек выросло …» keeps the change, «на сколько процентов» the share).
        kind = "count"
    settled, positions = settled_kind(tokens, kind, i, n)
    if settled is None or not how_large:
        return settled, positions
    return settled, positions | {j + k for j in how_large for k in (0, 1)}


def settled_kind(
    tokens: list[Token], kind: str, at: int, size: int
) -> tuple[str | None, frozenset[int]]:
    """The kind the table's phrase (`size` words at `at`) says, unless the question asks a
    reason or which things."""
    if any(t.lemma in word_set("why") for t in tokens):
        return None, frozenset()  # «Почему сократилось число …?»: a reason, not a number
    if (
        any(t.word in word_set("how") for t in tokens)
        and any(t.lemma in word_set("describe") for t in tokens)
        and (tokens[at].lemma in word_set("describe") or analyze(tokens[at].word).pos == "NOUN")
    ):
        # «Как охарактеризовали динамику …?», «Как оценили проект?»: a description is
        # asked; «динамика», «оценить» only look like a change or a sum.
        return None, frozenset()
    if (kind in TOPIC_KINDS or (kind == "count" and analyze(tokens[at].word).pos == "NOUN")) and (
        _asks_which_thing(tokens, question_phrases())
        or _asks_what_was_done(tokens, at)
        or _asks_what_was_discussed(tokens, at)
        or _asks_what_for(tokens)
    ):
        # «Какие вопросы финансирования обсуждались?», «Что потребовали усилить в части
        # бюджета?», «Какое финансирование обсуждали?»: the question asks which things, or
        # what was done or said, and «финансирование» is what they are about, not a sum.
        return None, frozenset()
    return kind, frozenset(range(at, at + size))


def _counted_after_how_many(tokens: list[Token]) -> int | None:
    """The position of «сколько» when a plural noun naming things (not a unit of measure,
    not a word of a sum) follows it, adjectives aside: «сколько новых автобусов»."""
    phrases = question_phrases()
    for i, token in enumerate(tokens):
        if token.lemma not in word_set("how_many"):
            continue
        for following in tokens[i + 1 :]:
            info = analyze(following.word)
            if info.pos in ADJECTIVES:
                continue
            if (
                info.pos == "NOUN"
                and info.plural  # «сколько автобусов»; «сколько горный кластер принесёт»
                and following.weight > WEIGHT_GENERIC
                and following.lemma not in lemma_set("measures.txt")
                and not any(kind == "money" for _, kind, _ in phrases.get(following.lemma, ()))
            ):
                return i
            return None
    return None


def _describes_level(following: list[Token]) -> bool:
    """An adjective or a short participle, perhaps after a form of «быть»."""
    if len(following) > 1 and following[0].lemma in word_set("be"):
        following = following[1:]
    return analyze(following[0].word).pos in ("ADJF", "ADJS", "PRTS")


def _relative(question: str, tokens: list[Token], i: int) -> bool:
    """Does the word at `i` open a clause about the noun before the comma before it («центр,
    где …», «акимом, когда …»)? After «Скажите, …» it still asks."""
    if i == 0 or i >= len(tokens) or not question[: tokens[i].start].rstrip().endswith(","):
        return False
    if analyze(tokens[i].word).pos == "NOUN":
        # «Каков, согласно статье, объем …?»: a noun opens no clause, unless «который»
        # follows it («…рынка, долю которого …»)
        return i + 1 < len(tokens) and tokens[i + 1].lemma in word_set("which_clause")
    return analyze(tokens[i - 1].word).pos in ("NOUN", "ADJF", "PRTF")


def _says_change(tokens: list[Token]) -> bool:
    """A verb or noun of growth or decline (the synonym groups of «вырасти», «снизиться»)."""
    lx = lexicon()
    changes = frozenset().union(*(lx.word_groups(lemma) for lemma in word_list("change")))
    return any(changes & lx.word_groups(t.lemma) for t in tokens)


# Kinds that a topic noun alone can set («бюджет», «площадь»; a count by «население»,
# «число», not by «сколько»): a «какой» + another noun question about that topic asks
# which things, not how much («От каких настроений хотят отучить население?»).
TOPIC_KINDS = frozenset({"money", "area", "length"})


def _asks_which_thing(
    tokens: list[Token], by_first: dict[str, tuple[tuple[int, str, tuple[str, ...]], ...]]
) -> bool:
    """«Какие вопросы …», «какие ценные бумаги …»: «какой» before a noun (adjectives between
    allowed) that names no kind of figure and no amount."""
    for which, noun in which_nouns(tokens):
        if which.word not in word_set("which_how") and noun is not None:
            info = analyze(noun.word)
            return info.pos == "NOUN" and noun.lemma not in by_first and names_a_thing(noun)
    return False


def _asks_what_was_done(tokens: list[Token], topic: int) -> bool:
    """«Что потребовали усилить в части бюджета?»: a question opening with «что» that has a
    verb asks a thing or an action, when a noun (`topic`, its position), not a verb such as
    «потратили», made it look like a question for a sum."""
    if (
        not tokens
        or tokens[0].word not in word_set("what_opening")
        or analyze(tokens[topic].word).pos != "NOUN"
    ):
        return False
    return any(analyze(t.word).pos in VERBS for t in tokens[1:])


def _asks_what_for(tokens: list[Token]) -> bool:
    """«На что направлены инициативы?», «Над чем ужесточить контроль, чтобы деньги …?»: a
    question opening with a preposition and «что» asks a thing, even about money."""
    return (
        len(tokens) > 1
        and analyze(tokens[0].word).pos == "PREP"
        and tokens[1].word in word_set("what_forms")
    )


def _asks_what_was_discussed(tokens: list[Token], topic: int) -> bool:
    """«Какое финансирование обсуждали?»: a noun (`topic`, its position) and a verb of
    discussing (the synonym group of «обсудить»): what was said about it is asked."""
    if analyze(tokens[topic].word).pos != "NOUN" or any(
        t.lemma in word_set("how_much") for t in tokens
    ):
        return False
    discussing = frozenset().union(*(lexicon().word_groups(w) for w in word_list("discuss")))
    return any(discussing & lexicon().word_groups(t.lemma) for t in tokens)


VERBS = frozenset({"VERB", "INFN", "PRTS"})  # «что поручено …»: a short participle too


def which_nouns(tokens: list[Token]) -> list[tuple[Token, Token | None]]:
    """Each «какой» with the word it asks about: the first after it that is no adjective
    («какие экологические задачи» → «задачи»), or None when none follows."""
    pairs: list[tuple[Token, Token | None]] = []
    for i, token in enumerate(tokens):
        if token.lemma in word_set("which"):
            following = (t for t in tokens[i + 1 :] if analyze(t.word).pos not in ADJECTIVES)
            pairs.append((token, next(following, None)))
    return pairs


def names_a_thing(token: Token) -> bool:
    """A noun (an unknown word counts: «хаб») that names no amount («охват», «вклад»:
    data/quantities.txt)."""
    info = analyze(token.word)
    return info.pos in ("NOUN", "UNKN", "LATN") and not info.readings & lemma_set("quantities.txt")


def names_a_role(token: Token) -> bool:
    """«аким», «консул», «руководитель»: a noun for whoever holds a post (data/roles.txt and
    the akim's synonym group)."""
    lx = lexicon()
    return token.lemma in lemma_set("roles.txt") or bool(
        lx.word_groups(token.lemma) & frozenset().union(*map(lx.word_groups, word_list("akim")))
    )


def asks_which_things(tokens: list[Token]) -> bool:
    """«Какие хабы …», «какой центр …»: «какой» before a noun asks which things — unless
    the noun names an amount («какой охват», «какой вклад»)."""
    for which, noun in which_nouns(tokens):
        if which.word not in word_set("which_how") and noun is not None:
            return names_a_thing(noun)
    return False


ADJECTIVES = ("ADJF", "PRTF")
