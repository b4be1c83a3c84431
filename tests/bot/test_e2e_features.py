"""Issue 7 over HTTP: the real polling loop (bot.app.run_polling) against the stand-in Bot API
server — inline queries, topic and 👍 buttons, and an admin's .txt upload (getFile + the
file download route).

The `server` and `running` fixtures are in conftest.py, the helpers in e2e_kit.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from e2e_kit import TOURISTS, USER_ID, VELO, VELO_ARTICLE, RunningBot, labels, text
from fake_telegram import (
    FakeTelegram,
    callback_update,
    document_update,
    inline_query_update,
    message_update,
)

pytestmark = pytest.mark.slow  # end to end: the bot over HTTP against a fake Bot API server


async def press(server: FakeTelegram, data: str, message: dict[str, Any]) -> int:
    """Press a button under `message`; wait for its answerCallbackQuery; returns the mark."""
    mark = server.mark()
    server.push_update(callback_update(USER_ID, data, message))
    await server.wait_for_call("answerCallbackQuery", since=mark)
    return mark


async def test_inline_query_over_http(running: RunningBot) -> None:
    server = running.server
    mark = server.mark()
    server.push_update(inline_query_update(USER_ID, TOURISTS))
    call = await server.wait_for_call("answerInlineQuery", since=mark)
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["type"] == "article"
    assert results[0]["title"] == "1,9 млн человек"
    content = results[0]["input_message_content"]
    assert content["message_text"].startswith(
        "<b>1,9 млн человек — за девять месяцев 2025 года</b>\n«За девять месяцев"
    )
    assert content["message_text"].endswith(", 9 января 2026")
    assert call.params["is_personal"] in (False, "false", "False")
    assert int(call.params["cache_time"]) == 10

    mark = server.mark()
    server.push_update(inline_query_update(USER_ID, "Какая погода завтра?"))
    empty = await server.wait_for_call("answerInlineQuery", since=mark)
    assert empty.params["results"] == []
    assert empty.params["button"]["start_parameter"] == "inline"


async def test_topic_buttons_and_a_thumbs_up_over_http(running: RunningBot) -> None:
    server = running.server
    topics = await server.reply_to(message_update(USER_ID, "/topics"))
    first_label, first_data = labels(topics)[0]
    assert first_label == "инвестиции (6)"

    mark = await press(server, first_data, topics.result)
    page = await server.wait_for_call("sendMessage", since=mark)
    assert text(page).startswith("Тема «<b>инвестиции</b>»: факты 1–5 из 6, сначала новые")
    [(more_label, more_data)] = labels(page)
    assert more_label == "ещё »"

    # «ещё» edits the page message on the server (which refuses edits of unknown messages
    # and edits that change nothing).
    mark = await press(server, more_data, page.result)
    edit = await server.wait_for_call("editMessageText", since=mark)
    assert edit.params["message_id"] == page.result["message_id"]
    assert text(edit).startswith("Тема «<b>инвестиции</b>»: факты 6–6 из 6")
    # Pressing «ещё» again under the old page shows the same page: "not modified" is fine.
    mark = await press(server, more_data, page.result)
    again = await server.wait_for_call("editMessageText", since=mark, ok=False)
    assert "message is not modified" in again.response["description"]
    assert not server.find("sendMessage", since=mark)

    answer = await server.reply_to(message_update(USER_ID, TOURISTS))
    assert labels(answer) == [("👍", "fb:1:1"), ("👎", "fb:1:0")]
    mark = await press(server, "fb:1:1", answer.result)
    [ack] = server.find("answerCallbackQuery", since=mark)
    assert ack.params["text"] == "Спасибо! Рад, что ответ помог."
    assert all(call.ok for call in server.find("sendMessage"))


async def test_admin_uploads_an_article_file_over_http(
    running: RunningBot, articles_dir: Path, admin_id: int
) -> None:
    server = running.server
    document = server.add_file(VELO_ARTICLE.encode(), file_name="../../etc/passwd.txt")

    mark = server.mark()
    refused = await server.reply_to(document_update(USER_ID, document))
    assert text(refused).startswith("Статьи файлами принимаю только от администраторов.")
    assert not server.find("getFile", since=mark)

    mark = server.mark()
    added = await server.reply_to(document_update(admin_id, document), timeout=30)
    assert text(added).startswith("<b>Статья добавлена: </b>В Алматы построят новые велодорожки")
    assert "Статей: добавлено 1, изменено 0, удалено 0, без изменений 3" in text(added)
    [get_file] = server.find("getFile", since=mark)
    [download] = server.find("download", since=mark)
    assert download.status == 200
    assert download.params["file_path"] == get_file.result["file_path"]
    [saved] = [p for p in articles_dir.iterdir() if p.name.startswith("add_")]
    assert re.fullmatch(r"add_\d{8}_\d{6}_[0-9a-f]{8}\.txt", saved.name)
    assert saved.read_bytes() == VELO_ARTICLE.encode()

    velo = await server.reply_to(message_update(USER_ID, VELO))
    assert text(velo).startswith("<b>120 км — в 2026 году</b>")
    assert text(velo).endswith("В Алматы построят новые велодорожки, 1 февраля 2026")
