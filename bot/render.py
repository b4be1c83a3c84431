"""Answers and bot texts → Telegram HTML (always escaped) and inline keyboards."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, TextLink, as_line, as_list

from knowledge import Answer, format_date_ru
from knowledge.answer import MAX_QUESTION_CHARS

from .callbacks import ExampleCallback, SuggestionCallback

MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one message
MAX_BUTTON_CHARS = 60  # longer button labels get cut with "…" (the full question is kept)
MAX_TITLE_CHARS = 200
MAX_EARLIER_LINES = 5
MAX_DIGEST_QUOTE_CHARS = 300

# Candidates for /start and /help; /start shows the first three the library can answer.
# Callback data refers to them by index, so only append to this list.
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Сколько туристов приехало в Алматы в 2025 году?",
    "Сколько в Алматы малых и средних предприятий?",
    "Сколько выделят на образование в 2026 году?",
    "Сколько км горных троп благоустроят в 2026 году?",
    "Какую долю экономики Казахстана дает Алматы?",
)

NOT_FOUND = "В статьях нет ответа на этот вопрос."
DIGEST_HEADER = "Вот что известно по этой теме (сначала новое):"
EMPTY_QUESTION = "Напишите вопрос словами — например: «{example}»"
TOO_LONG = "Вопрос слишком длинный: сформулируйте его короче (до {limit} символов)."


def render_answer(answer: Answer) -> tuple[str, InlineKeyboardMarkup | None]:
    """The bot's reply to a question: (HTML text, inline keyboard or None), ≤ 4096 characters."""
    if answer.problem == "empty":
        return Text(EMPTY_QUESTION.format(example=EXAMPLE_QUESTIONS[0])).as_html(), None
    if answer.problem == "too_long":
        return Text(TOO_LONG.format(limit=MAX_QUESTION_CHARS)).as_html(), None
    if not answer.found:
        return _render_not_found(answer)
    if answer.digest:
        return _render_digest(answer), None
    return _fit(lambda quote: _render_found(answer, quote), answer.quote or ""), None


def _render_digest(answer: Answer) -> str:
    """Several facts, newest first: figure, sentence, date — one line each."""
    lines: list[Text] = []
    for match in answer.digest:
        figure = [Bold(match.figure.label), " — "] if match.figure else []
        when = format_date_ru(match.fact.article_date)
        lines.append(
            Text("• ", *figure, shorten(match.fact.text, MAX_DIGEST_QUOTE_CHARS), f" ({when})")
        )
    return fit_lines(Bold(DIGEST_HEADER), lines)


def _render_not_found(answer: Answer) -> tuple[str, InlineKeyboardMarkup | None]:
    if not answer.suggestions:
        return Text(NOT_FOUND, " Попробуйте спросить иначе или посмотрите /help.").as_html(), None
    text = as_list(NOT_FOUND, "Вот о чём я могу рассказать — нажмите на вопрос:")
    return text.as_html(), suggestions_keyboard(answer.suggestions)


def _render_found(answer: Answer, quote: str) -> Text:
    lines: list[Text] = []
    if answer.figure is not None:
        lines.append(Bold(answer.figure.label))
        if quote:
            lines.append(Text("«", quote, "»"))
    else:
        # No figure to put first: the key sentence itself is the answer.
        lines.append(Bold(quote))
    for earlier in answer.earlier[:MAX_EARLIER_LINES]:
        year = earlier.figure.year or next(iter(earlier.fact.years), None)
        when = f" ({year})" if year else ""
        lines.append(Text("Ранее: ", earlier.figure.label, when))
    if answer.source is not None:
        lines.append(
            as_line(
                "Источник: ",
                source_title(answer.source.title, answer.source.url),
                ", ",
                format_date_ru(answer.source.date),
                end="",
            )
        )
    return as_list(*lines)


def source_title(title: str, url: str | None) -> Text:
    """The article title, linked when it has a web address."""
    title = shorten(title.strip() or "без названия", MAX_TITLE_CHARS)
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
    more: str = "… и ещё {n}",
) -> str:
    """A header, as many lines as fit in one message (then «… и ещё N»), and a footer."""
    tail = [footer] if footer is not None else []
    for count in range(len(lines), -1, -1):
        parts = [header, *lines[:count]]
        if count < len(lines):
            parts.append(more.format(n=len(lines) - count))
        text = as_list(*parts, *tail).as_html()
        if len(text) <= MAX_MESSAGE_CHARS:
            return text
    # Header and footer alone are too long: plain text, cut so that escaping still fits.
    plain = html_to_text(as_list(header, *tail).as_html())
    return Text(shorten(plain, MAX_MESSAGE_CHARS // 5)).as_html()


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def suggestions_keyboard(questions: Sequence[str]) -> InlineKeyboardMarkup:
    """One button per suggested question; callback data is its index."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=shorten(question, MAX_BUTTON_CHARS),
                    callback_data=SuggestionCallback(index=index).pack(),
                )
            ]
            for index, question in enumerate(questions)
        ]
    )


def examples_keyboard(indices: Sequence[int]) -> InlineKeyboardMarkup:
    """Buttons for EXAMPLE_QUESTIONS[i], i in `indices`."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=shorten(EXAMPLE_QUESTIONS[index], MAX_BUTTON_CHARS),
                    callback_data=ExampleCallback(index=index).pack(),
                )
            ]
            for index in indices
        ]
    )


def plural(count: int, forms: tuple[str, str, str]) -> str:
    """«1 статья», «3 статьи», «5 статей»."""
    tail = count % 100
    if 11 <= tail <= 14:
        form = forms[2]
    elif count % 10 == 1:
        form = forms[0]
    elif 2 <= count % 10 <= 4:
        form = forms[1]
    else:
        form = forms[2]
    return f"{count} {form}"


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
