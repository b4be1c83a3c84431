"""Answers and bot texts → Telegram HTML (always escaped) and inline keyboards."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, TextLink, as_line, as_list
from aiogram.utils.keyboard import InlineKeyboardBuilder

from knowledge import (
    ALMATY,
    MAX_QUESTION_CHARS,
    Answer,
    Aspect,
    Fact,
    Figure,
    Match,
    NearMissKind,
    NewFact,
    Notice,
    OutboxCounts,
    Problem,
    Stats,
    UnansweredGroup,
    agree_with_number,
    figure_period,
    format_date_ru,
)

from .callbacks import (
    ChartCallback,
    ExampleCallback,
    FeedbackCallback,
    PickCallback,
    SubscribeCallback,
    SuggestionCallback,
    TopicCallback,
    TopicPageCallback,
    topic_check,
)
from .messages import (
    AS_OF,
    BACK_LABEL,
    CHART_BUTTON,
    DATED_BY_ARTICLE,
    DAYS,
    DIGEST_HEADER,
    DOWN_LABEL,
    EARLIER,
    EMPTY_QUESTION,
    EXAMPLE_QUESTIONS,
    LATEST_HEADER,
    MONTHS_NOMINATIVE,
    MORE_FACTS,
    MORE_LABEL,
    NEAR_MISS_PERIOD,
    NEAR_MISS_PLACE,
    NEAR_MISS_YEAR,
    NEWS_FOOTER,
    NEWS_HEADER_MANY,
    NEWS_HEADER_ONE,
    NO_SPEAKER,
    NO_TOPICS,
    NO_UNANSWERED,
    NOT_FOUND,
    OFFER_SUGGESTIONS,
    SMALL_TALK,
    SOURCE,
    SPEAKER,
    STATS_ANSWERED,
    STATS_NO_SUBSCRIBERS,
    STATS_OUTBOX,
    STATS_QUESTIONS,
    STATS_SUBSCRIBERS,
    STATS_TITLE,
    STATS_TOPICS,
    STATS_UNANSWERED,
    STATS_VOTES,
    SUBSCRIBED_MARK,
    TIMES,
    TOO_LONG,
    TOPIC_PAGE_AFTER,
    TOPIC_PAGE_BEFORE,
    TOPICS_HEADER,
    TRY_OTHERWISE,
    UNANSWERED_LINE,
    UNANSWERED_NOTE,
    UNANSWERED_TITLE,
    UNDATED,
    UNMENTIONED,
    UNTITLED,
    UP_LABEL,
    WAS_BECAME,
)

MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one message
MAX_BUTTON_CHARS = 60  # longer button labels get cut with "…" (the full question is kept)
MAX_TITLE_CHARS = 200
MAX_EARLIER_LINES = 5
MAX_DIGEST_QUOTE_CHARS = 300
DAYS_OLD = 365  # a figure from an article older than this says when it was true


def render_answer(
    answer: Answer, *, examples: Sequence[int] = (0, 1, 2), today: dt.date | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The bot's reply to a question: (HTML text, inline keyboard or None), ≤ 4096 characters.

    `examples` are the EXAMPLE_QUESTIONS offered after a greeting or «что ты умеешь?»;
    with `today` (the bot passes Almaty's), a figure from an article over a year old says
    when it was true.
    """
    if answer.problem in SMALL_TALK:
        text = SMALL_TALK[answer.problem]
        if answer.problem == Problem.THANKS:
            return Text(text).as_html(), None
        return Text(text).as_html(), examples_keyboard(examples)
    if answer.problem == Problem.EMPTY:
        return Text(EMPTY_QUESTION.format(example=EXAMPLE_QUESTIONS[0])).as_html(), None
    if answer.problem == Problem.TOO_LONG:
        return Text(TOO_LONG.format(limit=MAX_QUESTION_CHARS)).as_html(), None
    if not answer.found:
        return _render_not_found(answer)
    if answer.digest:
        return _render_digest(answer), None
    quote = balance_quotes(answer.quote or "")
    return _fit(lambda part: _render_found(answer, part, today), quote), None


def almaty_today() -> dt.date:
    """Today in Almaty: what «over a year old» is counted from."""
    return dt.datetime.now(ALMATY).date()


def _render_digest(answer: Answer) -> str:
    """Several facts, newest first: figure, sentence, date — one line each."""
    lines = [fact_line(match.fact, match.figure) for match in answer.digest]
    return fit_lines(Bold(LATEST_HEADER if answer.latest else DIGEST_HEADER), lines)


def fact_line(fact: Fact, figure: Figure | None, marker: str = "• ") -> Text:
    """«• <b>1,9 млн человек</b> — sentence (9 января 2026)»."""
    shown = [Bold(figure.label), " — "] if figure is not None else []
    when = format_date_ru(fact.article_date)
    return Text(marker, *shown, shorten(fact.text, MAX_DIGEST_QUOTE_CHARS), f" ({when})")


def main_figure(fact: Fact) -> Figure | None:
    """The figure that stands for a fact in lists: its first amount, if it has one."""
    amounts = fact.amounts
    return amounts[0] if amounts else None


def _render_not_found(answer: Answer) -> tuple[str, InlineKeyboardMarkup | None]:
    why = (Text(UNMENTIONED.format(name=answer.unmentioned)),) if answer.unmentioned else ()
    if not answer.suggestions:
        text = as_list(Text(NOT_FOUND, " ", TRY_OTHERWISE), *why)
        return text.as_html(), None
    text = as_list(NOT_FOUND, *why, OFFER_SUGGESTIONS)
    return text.as_html(), suggestions_keyboard(answer.suggestions)


def _render_found(answer: Answer, quote: str, today: dt.date | None) -> Text:
    lines: list[Text] = []
    if answer.aspect is Aspect.SPEAKER:
        said = Text(SPEAKER, Bold(answer.speaker)) if answer.speaker else Text(NO_SPEAKER)
        lines += [said, Text("«", quote, "»")]
    elif answer.aspect is Aspect.SOURCE:
        pass  # the source line below is the answer
    elif answer.dated_by_article and answer.source is not None:
        lines.append(Bold(format_date_ru(answer.source.date)))
        lines.append(Text(DATED_BY_ARTICLE))
        lines.append(Text("«", quote, "»"))
    elif answer.figure is not None:
        lines.append(_figure_line(answer, today))
        if quote:
            lines.append(Text("«", quote, "»"))
    else:
        # No figure: the quote is the answer, with only the asked part («кто?»: the name)
        # picked out.
        lines.append(Text("«", *_picked_out(quote, answer.asked_part), "»"))
    for earlier in answer.earlier[:MAX_EARLIER_LINES]:
        year = earlier.figure.year or next(iter(earlier.fact.years), None)
        when = f" ({year})" if year else ""
        lines.append(Text(EARLIER, earlier.figure.label, when))
    if answer.source is not None:
        lines.append(
            as_line(
                SOURCE,
                source_title(answer.source.title, answer.source.url),
                ", ",
                format_date_ru(answer.source.date),
                end="",
            )
        )
    return as_list(*lines)


def _figure_line(answer: Answer, today: dt.date | None) -> Text:
    """«<b>1,9 млн человек — за девять месяцев 2025 года</b>», with what a near-miss lacks
    before it and a note on an undated or old article after it."""
    figure = answer.figure
    assert figure is not None
    period = figure_period(figure, answer.matches[0].fact) if answer.matches else None
    bold = Bold(f"{figure.label} — {period}" if period else figure.label)
    parts: list[Any] = [bold]
    miss = answer.near_miss
    if miss is not None:
        if miss.kind is NearMissKind.PERIOD:
            lead = NEAR_MISS_PERIOD.format(asked=miss.asked, available=miss.available)
            parts = [lead, Bold(figure.label)]
        elif miss.kind is NearMissKind.YEAR:
            parts = [NEAR_MISS_YEAR.format(asked=miss.asked, available=miss.available), bold]
        else:
            parts = [NEAR_MISS_PLACE.format(name=miss.asked), bold]
    date = answer.source.date if answer.source is not None else today
    if date is None:
        parts.append(f" ({UNDATED})")
    elif today is not None and (today - date).days > DAYS_OLD:
        parts.append(f" ({AS_OF.format(month=MONTHS_NOMINATIVE[date.month - 1], year=date.year)})")
    return Text(*parts)


def _picked_out(quote: str, part: str | None) -> list[Any]:
    """The quote with `part` in bold where it stands (or the quote as it is)."""
    if not part or part not in quote:
        return [quote]
    start = quote.index(part)
    return [quote[:start], Bold(part), quote[start + len(part) :]]


# Quote marks inside a quote: an opening one, a closing one, and «"» that may be either.
_OPENING_QUOTES = "«„“"
_CLOSING_QUOTES = "»”"


def balance_quotes(quote: str) -> str:
    """The quote with its own quote marks as inner ones, „…“, every one paired: a quotation
    that began in the sentence before («…3,6 трлн тенге", – сообщил аким») gets its opening
    mark, one that goes on after it its closing mark."""
    out: list[str] = []
    open_count = 0
    missing_openings = 0
    for position, char in enumerate(quote):
        if char == '"':
            before = quote[position - 1] if position else " "
            opening = before.isspace() or before in "([" + _OPENING_QUOTES
            char = "«" if opening else "»"
        if char in _OPENING_QUOTES:
            open_count += 1
            out.append("„")
        elif char in _CLOSING_QUOTES:
            if open_count:
                open_count -= 1
            else:
                missing_openings += 1
            out.append("“")
        else:
            out.append(char)
    return "„" * missing_openings + "".join(out) + "“" * open_count


def source_title(title: str, url: str | None) -> Text:
    """The article title, linked when it has a web address."""
    title = shorten(title.strip() or UNTITLED, MAX_TITLE_CHARS)
    if url and re.match(r"^https?://[^\s<>\"']+$", url):
        # aiogram puts the URL into href="…" verbatim: escape & for the HTML we send.
        return TextLink(title, url=html.escape(url, quote=True))
    return Text(title)


def _fit(build: Callable[[str], Text], quote: str) -> str:
    """Render with the longest prefix of `quote` that keeps the message within the limit."""
    text = build(quote).as_html()
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    low, high = 0, len(quote)  # invariant: quote[:low] + "…" fits
    while low < high:
        middle = (low + high + 1) // 2
        if len(build(quote[:middle].rstrip() + "…").as_html()) <= MAX_MESSAGE_CHARS:
            low = middle
        else:
            high = middle - 1
    return build(quote[:low].rstrip() + "…").as_html()


def fit_lines(
    header: Text | str,
    lines: Sequence[Text | str],
    footer: Text | str | None = None,
) -> str:
    """A header, as many lines as fit in one message (then «… и ещё N»), and a footer."""
    tail = [footer] if footer is not None else []
    for count in range(len(lines), -1, -1):
        parts = [header, *lines[:count]]
        if count < len(lines):
            parts.append(MORE_FACTS.format(n=len(lines) - count))
        text = as_list(*parts, *tail).as_html()
        if len(text) <= MAX_MESSAGE_CHARS:
            return text
    # Header and footer alone are too long: plain text, cut so that escaping still fits.
    plain = html_to_text(as_list(header, *tail).as_html())
    return Text(shorten(plain, MAX_MESSAGE_CHARS // 5)).as_html()


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with "…", at a word boundary when there is one in
    the second half («количеств…» never: «количество…» or «…»)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if text[limit - 1] != " " and space > limit // 2:
        cut = cut[:space]  # the word at the cut goes on: leave it out whole
    return cut.rstrip(" ,;:–—-") + "…"


def suggestions_keyboard(questions: Sequence[str]) -> InlineKeyboardMarkup:
    """One button per suggested question; callback data is its index."""
    builder = InlineKeyboardBuilder()
    for index, question in enumerate(questions):
        builder.button(
            text=shorten(question, MAX_BUTTON_CHARS), callback_data=SuggestionCallback(index=index)
        )
    builder.adjust(1)
    return builder.as_markup()


def examples_keyboard(indices: Sequence[int]) -> InlineKeyboardMarkup:
    """Buttons for EXAMPLE_QUESTIONS[i], i in `indices`."""
    builder = InlineKeyboardBuilder()
    for index in indices:
        builder.button(
            text=shorten(EXAMPLE_QUESTIONS[index], MAX_BUTTON_CHARS),
            callback_data=ExampleCallback(index=index),
        )
    builder.adjust(1)
    return builder.as_markup()


def plural(count: int, word: str | tuple[str, ...]) -> str:
    """«1 статья», «3 статьи», «5 статей» (pymorphy3 puts `word` in the form; a tuple of
    forms is read as its first, the word itself)."""
    noun = word if isinstance(word, str) else word[0]
    return f"{count} {agree_with_number(noun, count)}"


_TAG = re.compile(r"<[^>]*>")


def html_to_text(text_html: str) -> str:
    """What a person reads: tags dropped, entities unescaped (our HTML escapes < > &)."""
    return html.unescape(_TAG.sub("", text_html))


def button_labels(markup: object) -> list[str]:
    """Labels of the keyboard's buttons, row by row."""
    if isinstance(markup, InlineKeyboardMarkup):
        return [button.text for row in markup.inline_keyboard for button in row]
    if isinstance(markup, ReplyKeyboardMarkup):
        return [button.text for row in markup.keyboard for button in row]
    return []


def numbered_buttons(markup: object) -> list[str]:
    """Buttons as options to type: ["[1] Сколько туристов…", …]."""
    return [f"[{number}] {label}" for number, label in enumerate(button_labels(markup), 1)]


def plain_reply(text_html: str, markup: object = None) -> str:
    """A reply as a person reads it, buttons as numbered options under it."""
    return "\n".join([html_to_text(text_html), *numbered_buttons(markup)])


# --- feedback, "did you mean", alternatives ------------------------------------------------


def feedback_keyboard(record_id: int) -> InlineKeyboardMarkup:
    """👍 and 👎 in one row; the callback data carries the answer's journal record id."""
    builder = InlineKeyboardBuilder()
    builder.button(text=UP_LABEL, callback_data=FeedbackCallback(id=record_id, up=True))
    builder.button(text=DOWN_LABEL, callback_data=FeedbackCallback(id=record_id, up=False))
    return builder.as_markup()


def fact_label(fact: Fact, figure: Figure | None) -> str:
    """A fact on a button or as a title: «20,6% — Доля Алматы…», or the sentence's start."""
    if figure is not None:
        return shorten(f"{figure.label} — {fact.text}", MAX_BUTTON_CHARS)
    return shorten(fact.text, MAX_BUTTON_CHARS)


def render_choices(
    header: str, record_id: int, choices: Sequence[tuple[int, Match]]
) -> tuple[str, InlineKeyboardMarkup]:
    """A numbered list of facts and one button per fact (index into the record's fact ids)."""
    lines = [
        fact_line(match.fact, match.figure, marker=f"{number}. ")
        for number, (_, match) in enumerate(choices, 1)
    ]
    builder = InlineKeyboardBuilder()
    for number, (index, match) in enumerate(choices, 1):
        builder.button(
            text=f"{number}. {shorten(fact_label(match.fact, match.figure), 56)}",
            callback_data=PickCallback(id=record_id, index=index),
        )
    builder.adjust(1)
    return fit_lines(Text(header), lines), builder.as_markup()


# --- topics ----------------------------------------------------------------------------------

TOPIC_PAGE_SIZE = 5


def render_topics(topics: Sequence[tuple[str, int]]) -> tuple[str, InlineKeyboardMarkup | None]:
    """/topics: the topic names with their fact counts, as buttons."""
    if not topics:
        return Text(NO_TOPICS).as_html(), None
    builder = InlineKeyboardBuilder()
    for index, (name, count) in enumerate(topics):
        builder.button(
            text=shorten(f"{name} ({count})", MAX_BUTTON_CHARS),
            callback_data=TopicCallback(index=index, check=topic_check(name)),
        )
    builder.adjust(1)
    return Text(TOPICS_HEADER).as_html(), builder.as_markup()


def topic_pages(count: int) -> int:
    return max(1, -(-count // TOPIC_PAGE_SIZE))


def render_topic_page(
    index: int, name: str, facts: Sequence[Fact], page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a topic's facts (newest first), with «назад» / «ещё» buttons."""
    start = page * TOPIC_PAGE_SIZE
    shown = facts[start : start + TOPIC_PAGE_SIZE]
    first, last = start + 1, start + len(shown)
    header = Text(
        TOPIC_PAGE_BEFORE,
        Bold(name),
        TOPIC_PAGE_AFTER.format(first=first, last=last, total=len(facts)),
    )
    text = fit_lines(header, [fact_line(fact, main_figure(fact)) for fact in shown])
    builder = InlineKeyboardBuilder()
    check = topic_check(name)
    if page > 0:
        back = TopicPageCallback(index=index, check=check, page=page - 1)
        builder.button(text=BACK_LABEL, callback_data=back)
    if start + TOPIC_PAGE_SIZE < len(facts):
        more = TopicPageCallback(index=index, check=check, page=page + 1)
        builder.button(text=MORE_LABEL, callback_data=more)
    return text, builder.as_markup() if any(True for _ in builder.buttons) else None


# --- admin reports ---------------------------------------------------------------------------


def render_unanswered(groups: Sequence[UnansweredGroup], days: int) -> str:
    """/unanswered: similar questions grouped, the most frequent first."""
    if not groups:
        return Text(NO_UNANSWERED.format(days=plural(days, DAYS))).as_html()
    header = Text(Bold(UNANSWERED_TITLE.format(days=plural(days, DAYS))), UNANSWERED_NOTE)
    lines = [
        Text(
            "• «",
            shorten(group.text, MAX_DIGEST_QUOTE_CHARS),
            UNANSWERED_LINE.format(times=plural(group.count, TIMES), last=_local_date(group)),
        )
        for group in groups
    ]
    return fit_lines(header, lines)


def _local_date(group: UnansweredGroup) -> str:
    return format_date_ru(group.last.astimezone(ALMATY).date())


def render_stats(stats: Stats, extra: Sequence[Text | str] = ()) -> str:
    """/stats: questions today and in a week, the share answered, topics, unanswered, votes;
    `extra` lines after them (subscribers)."""
    lines: list[Text | str] = [
        STATS_QUESTIONS.format(today=stats.today, week=stats.week),
        STATS_ANSWERED.format(
            answered=stats.answered, week=stats.week, share=round(100 * stats.answered_share)
        ),
    ]
    if stats.topics:
        topics = ", ".join(f"{name} — {count}" for name, count in stats.topics)
        lines.append(STATS_TOPICS.format(topics=topics))
    if stats.unanswered:
        lines.append(STATS_UNANSWERED)
        lines.extend(
            Text("• «", shorten(group.text, 200), f"» — {group.count}")
            for group in stats.unanswered
        )
    total = stats.up + stats.down
    share = f" ({round(100 * stats.up / total)}% 👍)" if total else ""
    lines.append(STATS_VOTES.format(up=stats.up, down=stats.down, share=share))
    lines.extend(extra)
    return fit_lines(Bold(STATS_TITLE), lines)


# --- subscriptions and charts (issue 17; strings in messages.py) ---------------------------


def render_notice(notice: Notice) -> str:
    """The one message a subscriber gets after a reload: the new facts on their topics,
    newest first, each as figure · quote · source, and «было → стало» where a fact updates
    a figure they had."""
    topics = "», «".join(notice.topics)
    header = (NEWS_HEADER_ONE if len(notice.topics) == 1 else NEWS_HEADER_MANY).format(
        topics=topics
    )
    lines: list[Text | str] = [news_line(item) for item in notice.facts]
    return fit_lines(Bold(header), lines, Text(NEWS_FOOTER))


def news_line(item: NewFact) -> Text:
    """«• <b>12 тыс. получателей</b> · «sentence» · title, 1 марта 2026» and, when the fact
    updates an older figure, «было → стало: 10 тыс. → 12 тыс. получателей, 2026»."""
    fact = item.fact
    parts: list[Any] = ["• "]
    if item.figure is not None:
        parts += [Bold(item.figure.label), " · "]
    parts += [
        "«",
        shorten(fact.text, MAX_DIGEST_QUOTE_CHARS),
        "» · ",
        source_title(fact.article_title, fact.article_url),
        ", ",
        format_date_ru(fact.article_date),
    ]
    if item.before is not None and item.figure is not None:
        parts += ["\n", WAS_BECAME, was_became(item.before.figure, item.figure, fact)]
    return Text(*parts)


def was_became(before: Figure, after: Figure, fact: Fact) -> str:
    """«10 тыс. → 12 тыс. получателей, 2026»: the older figure without the unit they share."""
    old = before.text
    if before.unit and before.unit == after.unit and old.endswith(" " + before.unit):
        old = old[: -len(before.unit) - 1]
    year = after.year or next(iter(fact.years), None)
    return f"{old} → {after.label}" + (f", {year}" if year else "")


def chart_button(record_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=CHART_BUTTON, callback_data=ChartCallback(id=record_id).pack()
    )


def answer_keyboard(record_id: int, *, chart: bool) -> InlineKeyboardMarkup:
    """👍 / 👎 under an answer, and «📈 График» when it has «Ранее» figures to draw."""
    builder = InlineKeyboardBuilder.from_markup(feedback_keyboard(record_id))
    if chart:
        builder.row(chart_button(record_id))
    return builder.as_markup()


def subscribe_keyboard(topics: Sequence[str], mine: Collection[str]) -> InlineKeyboardMarkup:
    """/subscribe: one button per topic, «✅» on those the chat follows."""
    builder = InlineKeyboardBuilder()
    for index, name in enumerate(topics):
        mark = SUBSCRIBED_MARK if name in mine else ""
        builder.button(
            text=shorten(f"{mark}{name}", MAX_BUTTON_CHARS),
            callback_data=SubscribeCallback(index=index, check=topic_check(name)),
        )
    builder.adjust(2)
    return builder.as_markup()


def render_subscription_stats(counts: dict[str, int], outbox: OutboxCounts | None) -> list[str]:
    """/stats lines: subscribers per topic and the state of the broadcast queue."""
    if counts:
        listing = ", ".join(f"{topic} — {n}" for topic, n in counts.items())
        lines = [STATS_SUBSCRIBERS.format(topics=listing)]
    else:
        lines = [STATS_NO_SUBSCRIBERS]
    if outbox is not None:
        lines.append(
            STATS_OUTBOX.format(pending=outbox.pending, sent=outbox.sent, failed=outbox.failed)
        )
    return lines
