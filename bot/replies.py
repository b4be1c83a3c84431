"""What the bot replies to a message, decided once for the chat and for `ask`.

`decide` reads the message in the chat's context (the last answer, for follow-ups) and
settles the reply's shape: a chart, «Уточните» between two facts, or an answer. The
handler sends it; `ask --json` prints the same decision, so the two never disagree.
The context lives in aiogram's FSM storage (memory, or Redis shared by the replicas).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Text

from knowledge import (
    Answer,
    Context,
    Library,
    Match,
    Series,
    change_question,
    context_after,
    series_for,
)

from .charts import chart_caption
from .messages import DID_YOU_MEAN, NO_OTHER_DATA
from .render import MAX_MESSAGE_CHARS, almaty_today, render_answer, render_choices

# Two facts whose scores are this close (a share of the higher) are a toss-up: ask.
DID_YOU_MEAN_MARGIN = 0.10
# How long a chat's last answer is a context for follow-ups.
CONTEXT_SECONDS = 30 * 60
_CONTEXT_KEY = "last_answer"


@dataclass(frozen=True)
class Decision:
    """The reply to one message, before it is rendered and sent."""

    answer: Answer
    series: Series | None = None  # «как менялось …?» with two periods or more: a chart
    pair: tuple[Match, Match] | None = None  # the bot asks which of the two was meant
    over_time: bool = False  # a question about change over time


def decide(library: Library, message: str, context: Context | None = None) -> Decision:
    """The reply's shape for `message`, read against the chat's `context`."""
    if change_question(message) is not None:
        # «Как менялось число туристов?»: a chart when the articles give two periods or more.
        answer, series = series_for(library.index, message)
        if answer.found:
            return Decision(replace(answer, question=message), series, over_time=True)
        return Decision(library.ask(message, context), over_time=True)
    answer = library.ask(message, context)
    return Decision(answer, pair=unsure_between(answer))


def unsure_between(
    answer: Answer, margin: float = DID_YOU_MEAN_MARGIN
) -> tuple[Match, Match] | None:
    """The best two facts, when the matcher cannot tell them apart: their scores are within
    `margin` of each other, and they say different things (different figures, and the second
    is not just an older figure for the same thing, shown as «Ранее»). A near-miss or an
    answer about the last fact is never a toss-up: it says what it is."""
    if not answer.found or answer.digest or len(answer.matches) < 2:
        return None
    if answer.near_miss is not None or answer.aspect is not None:
        return None
    first, second = answer.matches[0], answer.matches[1]
    high = max(first.score, second.score)
    low = min(first.score, second.score)
    if high <= 0 or low < high * (1 - margin):
        return None
    if first.fact.id == second.fact.id or first.fact.text == second.fact.text:
        return None
    if _label(first) == _label(second):
        return None
    if any(earlier.fact.id == second.fact.id for earlier in answer.earlier):
        return None
    return first, second


def _label(match: Match) -> str | None:
    return match.figure.label if match.figure is not None else None


def decision_text(
    decision: Decision, *, record_id: int = 0, examples: tuple[int, ...] = (0, 1, 2)
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reply's HTML and keyboard (a chart: its caption, the photo aside)."""
    if decision.series is not None:
        return chart_caption(decision.series), None
    if decision.pair is not None:
        return render_choices(DID_YOU_MEAN, record_id, list(enumerate(decision.pair)))
    answer = decision.answer
    text, markup = render_answer(answer, examples=examples, today=almaty_today())
    if decision.over_time and answer.found:
        other = Text(NO_OTHER_DATA).as_html()
        if len(text) + 1 + len(other) <= MAX_MESSAGE_CHARS:
            text = f"{text}\n{other}"
    return text, markup


# --- the chat's last answer, in the FSM storage -------------------------------------------


async def load_context(state: FSMContext | None, *, now: float | None = None) -> Context | None:
    """The chat's last answer, if it is recent enough to follow up on."""
    if state is None:
        return None
    data = (await state.get_data()).get(_CONTEXT_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        return None
    at = data.get("at")
    moment = time.time() if now is None else now
    if not isinstance(at, int | float) or moment - at > CONTEXT_SECONDS:
        return None
    fact_id = data.get("fact_id")
    known = fact_id if isinstance(fact_id, str) else None
    return Context(question=data["question"], fact_id=known)


async def save_context(
    state: FSMContext | None,
    answer: Answer,
    previous: Context | None,
    *,
    now: float | None = None,
) -> None:
    """Remember what the chat can follow up on after `answer`."""
    if state is None:
        return
    context = context_after(answer, previous)
    if context is None:
        return
    record = {
        "question": context.question,
        "fact_id": context.fact_id,
        "at": time.time() if now is None else now,
    }
    await state.update_data({_CONTEXT_KEY: record})
