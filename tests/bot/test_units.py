"""Small pieces on their own: settings, rendering limits and escaping, redaction, throttling."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardMarkup
from fake_telegram import parse_html, text_length

from bot.config import ConfigError, Settings, load_settings
from bot.logs import RedactingFilter, Redactor
from bot.middlewares import ThrottlingMiddleware
from bot.render import MAX_MESSAGE_CHARS, html_to_text, plain_reply, plural, render_answer
from knowledge import Answer, Earlier, Fact, Figure, Source

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


# --- settings --------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("BOT_TOKEN", "ADMIN_IDS", "ARTICLES_DIR", "DATABASE_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TELEGRAM_API_BASE", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    return monkeypatch


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,2, 3", {1, 2, 3}), ("", set()), ("1000", {1000}), (" 5 ,, 6 ", {5, 6})],
)
def test_admin_ids_are_parsed(clean_env: pytest.MonkeyPatch, raw: str, expected: set[int]) -> None:
    clean_env.setenv("ADMIN_IDS", raw)
    assert load_settings().admin_ids == expected


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.bot_token is None and settings.token is None
    assert settings.articles_dir == Path("seeds")
    assert settings.database_url == "sqlite+aiosqlite:///data/citybot.db"
    assert settings.telegram_api_base is None
    assert settings.log_level == "INFO"


def test_settings_come_from_dotenv(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TOKEN}\nADMIN_IDS=7,8\nTELEGRAM_API_BASE=http://localhost:8081/\n"
        "LOG_LEVEL=debug\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.token == TOKEN
    assert TOKEN not in repr(settings)
    assert settings.admin_ids == {7, 8}
    assert settings.telegram_api_base == "http://localhost:8081"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("ADMIN_IDS", "1,abc", "Ошибка настройки ADMIN_IDS: «abc» — не число"),
        ("BOT_TOKEN", "not-a-token", "Ошибка настройки BOT_TOKEN: ожидается токен вида"),
        ("TELEGRAM_API_BASE", "localhost", "Ошибка настройки TELEGRAM_API_BASE: нужен адрес"),
        ("LOG_LEVEL", "LOUD", "Ошибка настройки LOG_LEVEL: один из DEBUG"),
        ("THROTTLE_MESSAGES", "0", "Ошибка настройки THROTTLE_MESSAGES: "),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    clean_env: pytest.MonkeyPatch, name: str, value: str, line: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(line)
    assert "\n" not in str(error.value)
    assert value not in str(error.value) or name == "ADMIN_IDS"


# --- rendering -------------------------------------------------------------------------------


def fact(text: str, title: str = "Статья", url: str | None = None) -> Fact:
    return Fact(
        id="a.txt#0",
        article_id="a.txt",
        position=0,
        text=text,
        figures=(),
        article_title=title,
        article_date=dt.date(2026, 1, 9),
        article_url=url,
    )


def answer(quote: str, title: str = "Статья", figure: str | None = "5 км") -> Answer:
    return Answer(
        question="?",
        found=True,
        figure=Figure(text=figure, value=5.0, kind="length") if figure else None,
        quote=quote,
        source=Source(article_id="a.txt", title=title, date=dt.date(2026, 1, 9)),
    )


def test_article_text_is_escaped() -> None:
    text, markup = render_answer(answer("a < b & <script>x</script>", title="<i>T</i> & Co"))
    assert markup is None
    assert text == (
        "<b>5 км</b>\n«a &lt; b &amp; &lt;script&gt;x&lt;/script&gt;»\n"
        "Источник: &lt;i&gt;T&lt;/i&gt; &amp; Co, 9 января 2026"
    )
    assert parse_html(text).splitlines()[1] == "«a < b & <script>x</script>»"


def test_without_figure_the_sentence_is_quoted_and_nothing_is_bold() -> None:
    text, _ = render_answer(answer("Город строит метро.", figure=None))
    assert text == "«Город строит метро.»\nИсточник: Статья, 9 января 2026"


def test_a_date_taken_from_the_article_says_so() -> None:
    base = answer("Аким встретился с активом.", figure=None)
    text, _ = render_answer(Answer(**{**base.__dict__, "dated_by_article": True}))
    assert parse_html(text).splitlines() == [
        "9 января 2026",
        "Дата самого события в статье не названа: это дата публикации.",
        "«Аким встретился с активом.»",
        "Источник: Статья, 9 января 2026",
    ]
    assert text.startswith("<b>9 января 2026</b>\n")


def test_earlier_figures_are_listed_with_their_year() -> None:
    old = Figure(text="21 тыс. человек", value=21000.0, kind="count", year=2023)
    base = answer("С 21 тыс. до 10 тыс.")
    with_earlier = Answer(**{**base.__dict__, "earlier": (Earlier(old, fact("…")),)})
    text, _ = render_answer(with_earlier)
    assert "\nРанее: 21 тыс. человек (2023)\n" in text


def test_a_huge_quote_is_trimmed_to_fit_one_message() -> None:
    text, _ = render_answer(answer("<&> " * 5000))
    assert len(text) <= MAX_MESSAGE_CHARS
    plain = parse_html(text)
    assert text_length(plain) <= MAX_MESSAGE_CHARS
    assert "…»" in plain
    assert plain.endswith("Источник: Статья, 9 января 2026")


def test_not_found_says_which_name_no_article_mentions() -> None:
    answer = Answer(
        question="?", found=False, suggestions=("Сколько туристов?",), unmentioned="Шымкент"
    )
    text, markup = render_answer(answer)
    assert plain_reply(text, markup).splitlines()[:3] == [
        "В статьях нет ответа на этот вопрос.",
        "«Шымкент» в них не упоминается.",
        "Вот о чём я могу рассказать — нажмите на вопрос:",
    ]


def test_not_found_problems_and_suggestions() -> None:
    suggestions = ("Сколько туристов?", "Сколько км троп?")
    text, markup = render_answer(Answer(question="?", found=False, suggestions=suggestions))
    assert text.startswith("В статьях нет ответа на этот вопрос.")
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["sg:0"],
        ["sg:1"],
    ]
    assert plain_reply(text, markup).splitlines()[-2:] == [
        "[1] Сколько туристов?",
        "[2] Сколько км троп?",
    ]
    too_long, _ = render_answer(Answer(question="x", found=False, problem="too_long"))
    assert too_long == "Вопрос слишком длинный: сформулируйте его короче (до 500 символов)."


def test_html_to_text() -> None:
    assert html_to_text('<b>1 &amp; 2</b> <a href="x?a&amp;b">&lt;ок&gt;</a>') == "1 & 2 <ок>"


def test_plural() -> None:
    forms = ("статья", "статьи", "статей")
    assert [plural(n, forms) for n in (1, 2, 5, 11, 21, 22, 112)] == [
        "1 статья",
        "2 статьи",
        "5 статей",
        "11 статей",
        "21 статья",
        "22 статьи",
        "112 статей",
    ]


# --- logs ------------------------------------------------------------------------------------


def test_token_is_redacted_from_messages_args_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(Redactor([TOKEN])))
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
        try:
            raise RuntimeError(f"Cannot connect to https://api.telegram.org/bot{TOKEN}/getMe")
        except RuntimeError:
            log.exception("crash")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert "https://api.telegram.org/bot***/getMe" in output
    assert "RuntimeError: Cannot connect to https://api.telegram.org/bot***/getMe" in output


def test_token_shaped_strings_are_redacted_even_if_unknown() -> None:
    assert Redactor()(f"x {TOKEN} y") == "x *** y"


# --- throttling ------------------------------------------------------------------------------


def test_throttle_window_notice_once_then_drop_then_room_again() -> None:
    now = [0.0]
    throttle = ThrottlingMiddleware(limit=2, period=10.0, clock=lambda: now[0])
    assert [throttle.allow(1) for _ in range(5)] == [True, True, None, False, False]
    assert throttle.allow(2) is True  # someone else is served meanwhile
    now[0] = 10.5  # the window has passed
    assert [throttle.allow(1) for _ in range(4)] == [True, True, None, False]


def test_throttle_memory_is_bounded() -> None:
    throttle = ThrottlingMiddleware(limit=1, period=60.0, max_users=100, clock=lambda: 0.0)
    for user_id in range(1000):
        throttle.allow(user_id)
    assert len(throttle._windows) == 100


def test_settings_class_has_every_documented_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, name
        assert f"\n{name.upper()}=" in example, name
