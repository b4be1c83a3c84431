"""Issue 17 over HTTP: subscriptions, the broadcast after an admin's /add, 429 and 403 in
the middle of a broadcast, and charts (sendPhoto, the «📈 График» button, inline photos) —
the real polling loop against the stand-in Bot API (fake_telegram).

The SIGKILL and two-replica tests (real `python -m bot` processes) are in
tests/scale/test_broadcast.py."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from e2e_kit import RunningBot, labels, text
from fake_telegram import (
    ApiCall,
    FakeTelegram,
    callback_update,
    inline_query_update,
    message_update,
)

from knowledge import Subscriptions

pytestmark = pytest.mark.slow  # end to end: the bot over HTTP against a fake Bot API server

ARTICLES = Path(__file__).with_name("articles")
NEWS = (ARTICLES / "news_2026.txt").read_text(encoding="utf-8")
TOURISTS_NEWS = (
    "• <b>2,1 млн человек</b> · «В 2026 году количество туристов в Алматы достигнет 2,1 млн "
    "человек.» · Соцподдержка и туризм в 2026 году, 1 марта 2026\n"
    "было → стало: 1,9 млн → 2,1 млн человек, 2026"
)
RECIPIENTS_NEWS = (
    "• <b>12 тыс. человек</b> · «В 2026 году число получателей адресной социальной помощи "
    "составит 12 тыс. человек.» · Соцподдержка и туризм в 2026 году, 1 марта 2026\n"
    "было → стало: 10 тыс. → 12 тыс. человек, 2026"
)
FOOTER = "Отписаться: /unsubscribe, изменить темы: /subscribe"
TOURISTS_CAPTION = (
    "<b>Число туристов</b>\n"
    "• 2023: 1,5 млн человек — источник от 10 февраля 2024\n"
    "• 2024: 1,7 млн человек — источник от 12 февраля 2025\n"
    "• 9 мес. 2025 (неполный период): 1,9 млн человек — источник от 9 января 2026"
)


async def subscribe(server: FakeTelegram, user_id: int, *topics: str) -> None:
    """/subscribe, then press each topic's button."""
    listing = await server.reply_to(message_update(user_id, "/subscribe"))
    buttons = dict(labels(listing))
    for topic in topics:
        mark = server.mark()
        server.push_update(callback_update(user_id, buttons[topic], listing.result))
        ack = await server.wait_for_call("answerCallbackQuery", since=mark)
        assert ack.params["text"] == f"Подписка на «{topic}» оформлена"


def news(server: FakeTelegram, since: int) -> list[tuple[int, str]]:
    return [(c, t) for c, t in server.delivered(since) if t.startswith("<b>Новое по тем")]


async def add_news(running: RunningBot, admin_id: int) -> int:
    """An admin's /add of the 2026 article; the mark before it."""
    server = running.server
    mark = server.mark()
    added = await server.reply_to(message_update(admin_id, f"/add {NEWS}"), timeout=30)
    assert "Статей: добавлено 1, изменено 0, удалено 0" in text(added)
    return mark


async def test_subscribe_add_and_each_subscriber_gets_one_message(
    running: RunningBot, admin_id: int
) -> None:
    server = running.server
    await subscribe(server, 3001, "туризм")
    await subscribe(server, 3002, "туризм", "соцподдержка")
    await subscribe(server, 3003, "образование")
    mine = await server.reply_to(message_update(3002, "/subscriptions"))
    assert text(mine) == (
        "Ваши подписки: «соцподдержка», «туризм». Изменить: /subscribe, отписаться от всех: "
        "/unsubscribe."
    )

    mark = await add_news(running, admin_id)
    broadcaster = running.dp["broadcaster"]
    await broadcaster.wait_until(lambda: broadcaster.sent == 2)
    subscriptions: Subscriptions = running.dp["subscriptions"]
    counts = await subscriptions.counts_outbox()
    assert (counts.pending, counts.sent, counts.failed) == (0, 2, 0)
    assert sorted(news(server, mark)) == [
        (3001, "\n".join(["<b>Новое по теме «туризм»:</b>", TOURISTS_NEWS, FOOTER])),
        (
            3002,
            "\n".join(
                [
                    "<b>Новое по темам «соцподдержка», «туризм»:</b>",
                    RECIPIENTS_NEWS,
                    TOURISTS_NEWS,
                    FOOTER,
                ]
            ),
        ),
    ]

    # Unsubscribing from everything: the next reload reaches nobody.
    dropped = await server.reply_to(message_update(3002, "/unsubscribe"))
    assert text(dropped) == "Подписки отменены (2). Подписаться снова: /subscribe."
    assert await subscriptions.topics_of(3002) == ()


async def test_a_429_mid_broadcast_is_retried(running: RunningBot, admin_id: int) -> None:
    server = running.server
    users = [3101, 3102, 3103, 3104, 3105]
    for user in users:
        await subscribe(server, user, "туризм")
    server.too_many_requests(1, retry_after=1, chat_id=3103)
    mark = await add_news(running, admin_id)
    broadcaster = running.dp["broadcaster"]
    await broadcaster.wait_until(lambda: broadcaster.sent == len(users))
    refused = server.find("sendMessage", since=mark, where=lambda c: c.status == 429)
    assert [call.params["chat_id"] for call in refused] == [3103]
    assert sorted(chat for chat, _ in news(server, mark)) == users
    counts = await running.dp["subscriptions"].counts_outbox()
    assert (counts.pending, counts.sent, counts.failed) == (0, 5, 0)


async def test_a_403_unsubscribes(running: RunningBot, admin_id: int) -> None:
    server = running.server
    for user in (3201, 3202, 3203):
        await subscribe(server, user, "туризм", "соцподдержка")
    server.blocked.add(3202)
    mark = await add_news(running, admin_id)
    forbidden = await server.wait_for_call(
        "sendMessage", since=mark, ok=False, where=lambda c: c.params["chat_id"] == 3202
    )
    assert forbidden.status == 403
    broadcaster = running.dp["broadcaster"]
    await broadcaster.wait_until(lambda: (broadcaster.sent, broadcaster.failed) == (2, 1))
    subscriptions: Subscriptions = running.dp["subscriptions"]
    assert sorted(chat for chat, _ in news(server, mark)) == [3201, 3203]
    assert await subscriptions.topics_of(3202) == ()
    assert await subscriptions.topics_of(3201) == ("соцподдержка", "туризм")
    counts = await subscriptions.counts_outbox()
    assert (counts.pending, counts.sent, counts.failed) == (0, 2, 1)


# --- charts ----------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def add_series_articles(articles_dir: Path) -> None:
    for name in ("tourism_2023.txt", "tourism_2024.txt"):
        shutil.copy(ARTICLES / name, articles_dir / name)


async def reload(running: RunningBot, admin_id: int) -> None:
    reply = await running.server.reply_to(message_update(admin_id, "/reload"), timeout=30)
    assert "Статей: добавлено 2" in text(reply)


async def photo_to(server: FakeTelegram, user: int, since: int) -> ApiCall:
    return await server.wait_for_call(
        "sendPhoto", since=since, where=lambda c: c.params["chat_id"] == user, timeout=30
    )


async def test_change_over_time_question_gets_a_chart(
    running: RunningBot, articles_dir: Path, admin_id: int
) -> None:
    server = running.server
    add_series_articles(articles_dir)
    await reload(running, admin_id)
    mark = server.mark()
    server.push_update(message_update(3301, "Как менялось число туристов?"))
    photo = await photo_to(server, 3301, mark)
    assert photo.params["caption"] == TOURISTS_CAPTION
    assert photo.params["parse_mode"] == "HTML"
    assert png_size(photo.params["photo"]) == (1000, 600)
    assert not server.find("sendMessage", since=mark)


async def test_one_figure_only_is_the_usual_reply_and_no_other_data(
    running: RunningBot,
) -> None:
    reply = await running.server.reply_to(
        message_update(3302, "Как менялся объем туристских услуг?")
    )
    assert text(reply).startswith(
        "<b>82,4 млрд тенге — за девять месяцев 2025 года</b>\n«За девять месяцев 2025 года"
    )
    assert text(reply).endswith("9 января 2026\nДругих данных нет: в статьях только эта цифра.")


async def test_chart_button_under_an_answer_with_earlier_figures(running: RunningBot) -> None:
    server = running.server
    answer = await server.reply_to(
        message_update(3303, "Как изменилось число получателей адресной помощи?")
    )
    assert "\nРанее: 21 тыс. человек (2023)\n" in text(answer)
    buttons = labels(answer)
    assert [label for label, _ in buttons] == ["👍", "👎", "📈 График"]
    mark = server.mark()
    server.push_update(callback_update(3303, buttons[2][1], answer.result))
    photo = await photo_to(server, 3303, mark)
    assert photo.params["caption"] == (
        "<b>Как изменилось число получателей адресной помощи</b>\n"
        "• 2023: 21 тыс. человек — источник от 9 января 2026\n"
        "• 2025: 10 тыс. человек — источник от 9 января 2026"
    )
    # An answer without «Ранее» has no chart button.
    plain = await server.reply_to(message_update(3303, "Сколько туристов приехало в 2025 году?"))
    assert [label for label, _ in labels(plain)] == ["👍", "👎"]


async def test_inline_mode_offers_the_chart_as_a_photo(
    running: RunningBot, articles_dir: Path, admin_id: int
) -> None:
    server = running.server
    add_series_articles(articles_dir)
    await reload(running, admin_id)
    mark = server.mark()
    server.push_update(inline_query_update(3304, "как менялось число туристов"))
    call = await server.wait_for_call("answerInlineQuery", since=mark, timeout=30)
    # Uploaded once to the first admin's chat, for a file id.
    [upload] = server.find("sendPhoto", since=mark)
    assert upload.params["chat_id"] == admin_id
    first = call.params["results"][0]
    assert first["type"] == "photo"
    assert first["photo_file_id"] == upload.result["photo"][-1]["file_id"]
    assert first["caption"] == TOURISTS_CAPTION
