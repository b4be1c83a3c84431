"""A conversation, not a search box (issue 16): follow-ups read against the chat's last
answer, through the real Dispatcher and its FSM storage, and over HTTP against the
stand-in Bot API; `ask --json` makes the same decision as the chat on every eval question."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update
from driver_kit import BaseDriver
from e2e_kit import RunningBot, text
from fake_telegram import message_update

from bot.config import Settings
from bot.console import run_ask
from bot.recording import RecordingSession
from bot.render import html_to_text
from bot.replies import CONTEXT_SECONDS, decide, decision_text, load_context
from knowledge.library import Library

USER_ID = 2000
OTHER_USER_ID = 3000
EVAL = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"

AID = "Сколько получателей адресной социальной помощи?"
TOURISTS = "Сколько туристов приехало в Алматы в 2025 году?"
PROJECTS = "Сколько проектов планируется реализовать до 2030 года?"


class Chat(BaseDriver):
    async def say(self, line: str, user_id: int = USER_ID) -> str:
        """One message; the bot's reply as a person reads it (one reply expected)."""
        mark = len(self.session.calls)
        update = Update(update_id=next(self._ids), message=self.message(user_id, line))
        await self.dp.feed_update(self.bot, update)
        sent = self.session.sent(mark)
        assert len(sent) == 1, [m.text for m in sent]
        return html_to_text(sent[0].text)


@pytest.fixture
def chat(dispatcher: Dispatcher, recording_bot: Bot, session: RecordingSession) -> Chat:
    return Chat(dispatcher, recording_bot, session)


# Each script is one chat: (message, what the reply starts with).
SCRIPTS = [
    [
        (AID, "10 тыс. человек — в 2025 году"),
        ("а в 2023?", "21 тыс. человек — в 2023 году"),
        ("а сколько денег на это направили?", "38,8 млрд тенге — в 2025 году"),
        ("а источник?", "Источник: Аким Алматы Дархан Сатыбалды провел совщание"),
        ("подробнее", "38,8 млрд тенге — в 2025 году\n«В социальной сфере акцент сделан"),
    ],
    [
        (TOURISTS, "1,9 млн человек — за девять месяцев 2025 года"),
        ("а в 2024?", "За 2024 год данных нет; есть за 2025: 1,9 млн человек"),
        ("а в Астане?", "«Астана» в статьях не упоминается; вот что есть: 1,9 млн человек"),
        # A complete question of its own inherits nothing (not Astana, not 2024).
        (AID, "10 тыс. человек — в 2025 году"),
    ],
    [
        (PROJECTS, "порядка 190 проектов — до 2030 года"),
        ("а кто это сказал?", "Это слова: аким города\n«„До 2030 года в Алматы"),
        ("а в процентах?", "В статьях нет ответа на этот вопрос."),
    ],
]


@pytest.mark.parametrize("script", SCRIPTS, ids=["aid", "tourists", "projects"])
async def test_follow_ups_through_the_dispatcher(
    chat: Chat, script: list[tuple[str, str]]
) -> None:
    for line, expected in script:
        reply = await chat.say(line)
        assert reply.startswith(expected), (line, reply)


async def test_a_follow_up_without_a_last_answer_is_asked_as_it_is(chat: Chat) -> None:
    assert (await chat.say("а в 2024?")).startswith("В статьях нет ответа на этот вопрос.")
    # Another chat's answer is no context for this one.
    await chat.say(TOURISTS, user_id=OTHER_USER_ID)
    assert (await chat.say("а в 2023?")).startswith("В статьях нет ответа на этот вопрос.")


async def test_the_context_is_kept_in_the_fsm_storage_and_ages_out(
    chat: Chat, dispatcher: Dispatcher, recording_bot: Bot
) -> None:
    await chat.say(TOURISTS)
    key = StorageKey(bot_id=recording_bot.id, chat_id=USER_ID, user_id=USER_ID)
    stored = (await dispatcher.storage.get_data(key))["last_answer"]
    assert stored["question"] == TOURISTS
    assert stored["fact_id"] == "001_9e8737218ffa3194.txt#9"
    state = dispatcher.fsm.get_context(recording_bot, chat_id=USER_ID, user_id=USER_ID)
    assert (await load_context(state, now=stored["at"] + CONTEXT_SECONDS)) is not None
    assert (await load_context(state, now=stored["at"] + CONTEXT_SECONDS + 1)) is None
    # Half an hour later «а в 2024?» is a question of its own.
    await dispatcher.storage.set_data(
        key, {"last_answer": {**stored, "at": stored["at"] - CONTEXT_SECONDS - 1}}
    )
    assert (await chat.say("а в 2024?")).startswith("В статьях нет ответа на этот вопрос.")


async def test_follow_ups_over_http(running: RunningBot) -> None:
    server = running.server
    first = await server.reply_to(message_update(USER_ID, TOURISTS))
    assert text(first).startswith("<b>1,9 млн человек — за девять месяцев 2025 года</b>")
    year = await server.reply_to(message_update(USER_ID, "а в 2024?"))
    assert text(year).startswith("За 2024 год данных нет; есть за 2025: <b>1,9 млн человек")
    fresh = await server.reply_to(message_update(USER_ID, AID))
    assert text(fresh).startswith("<b>10 тыс. человек — в 2025 году</b>")
    earlier = await server.reply_to(message_update(USER_ID, "а в 2023?"))
    assert text(earlier).startswith("<b>21 тыс. человек — в 2023 году</b>")


async def test_ask_json_reads_a_conversation_per_chat(settings: Settings) -> None:
    lines = [
        json.dumps({"chat": 1, "text": AID}, ensure_ascii=False),
        json.dumps({"chat": 2, "text": TOURISTS}, ensure_ascii=False),
        json.dumps({"chat": 1, "text": "а в 2023?"}, ensure_ascii=False),
        "а в 2023?",  # a plain line: no conversation
    ]
    out = io.StringIO()
    stdin = io.StringIO("\n".join(lines) + "\n")
    assert await run_ask(settings, None, as_json=True, stdin=stdin, stdout=out) == 0
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["question"] for r in replies] == [AID, TOURISTS, "а в 2023?", "а в 2023?"]
    assert replies[2]["resolved"] == "Сколько получателей адресной социальной помощи в 2023 году?"
    assert replies[2]["answer"].startswith("<b>21 тыс. человек — в 2023 году</b>")
    assert (replies[3]["found"], replies[3]["resolved"]) == (False, None)


# The questions of issue 16 besides the eval set's: «Уточните», near-misses, «что нового».
ISSUE_QUESTIONS = [
    "сколько туристов в алматы",
    "за весь 2025 год туристов",
    "Сколько туристов приехало в Алматы в 2024 году?",
    "Что нового в городе?",
    "Кто аким?",
    "сколько туристов в шымкенте",
]


def _eval_questions() -> list[str]:
    with EVAL.open(encoding="utf-8") as file:
        asked = [json.loads(line)["question"] for line in file if line.strip()]
    return asked + ISSUE_QUESTIONS


@pytest.mark.slow
async def test_ask_and_the_chat_agree_on_every_eval_question(
    chat: Chat, library: Library, settings: Settings
) -> None:
    """The chat's reply and `ask --json`'s `answer`, `clarify` and `near_miss` come from
    the same decision: the same text for every question of the eval set."""
    questions = _eval_questions()
    out = io.StringIO()
    stdin = io.StringIO("\n".join(questions) + "\n")
    assert await run_ask(settings, None, as_json=True, stdin=stdin, stdout=out) == 0
    asked = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(asked) == len(questions)
    disagreements = []
    for number, (question, line) in enumerate(zip(questions, asked, strict=True)):
        # A chat of its own per question: no context, and no flood limit.
        reply = await chat.say(question, user_id=10_000 + number)
        if html_to_text(line["answer"]) != reply:
            disagreements.append((question, line["answer"][:80], reply[:80]))
        decision = decide(library, question)
        assert (line["clarify"] is not None) == (decision.pair is not None)
        assert (line["near_miss"] is not None) == (decision.answer.near_miss is not None)
    assert disagreements == []
    assert any(line["clarify"] for line in asked)
    assert any(line["near_miss"] for line in asked)


def test_ask_renders_the_decision_the_chat_sends(library: Library) -> None:
    """«сколько туристов в алматы»: the chat asks «Уточните…», and so does ask."""
    text_html, markup = decision_text(decide(library, "сколько туристов в алматы"))
    assert text_html.startswith("Уточните, что вы имели в виду:")
    assert markup is not None
