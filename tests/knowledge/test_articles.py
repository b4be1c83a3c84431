"""parse_article / read_articles: the seeds, front matter and broken files."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.articles import (
    MAX_ARTICLE_BYTES,
    Article,
    Skipped,
    parse_article,
    read_articles,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_000 = "000_76f55cd445ededdb.txt"
SEED_001 = "001_9e8737218ffa3194.txt"
SEED_004 = "004_e37ac366897bb94f.txt"


def _article(path: Path) -> Article:
    result = parse_article(path)
    assert isinstance(result, Article), result
    return result


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# --- the seeds ---------------------------------------------------------------------------


def test_seed_000() -> None:
    article = _article(SEEDS / SEED_000)
    assert article.id == SEED_000
    assert article.date == dt.date(2025, 9, 12)
    assert article.url is None
    assert article.title == ("Аким Алматы Дархан Сатыбалды встретился с активом города и обсудил…")
    assert len(article.paragraphs) == 8
    assert article.paragraphs[0].startswith("Аким Алматы Дархан Сатыбалды встретился с активом")
    assert article.paragraphs[0].endswith("сообщает Zakon.kz.")
    assert article.paragraphs[-1].startswith("В завершение встречи Дархан Сатыбалды")
    assert 'Программа "Таза Қазақстан" названа национальным приоритетом.' in article.paragraphs[6]


def test_seed_001() -> None:
    article = _article(SEEDS / SEED_001)
    assert article.date == dt.date(2026, 1, 9)
    assert article.title == ("Аким Алматы Дархан Сатыбалды провел совщание по реализации…")
    assert len(article.paragraphs) == 10
    # the typo stays as written
    assert article.paragraphs[0].startswith("Аким Алматы Дархан Сатыбалды провел совщание")
    assert article.paragraphs[-1].endswith("улучшение качества жизни алматинцев.")


def test_seed_004_headline_captions_and_teasers() -> None:
    article = _article(SEEDS / SEED_004)
    assert article.date is None
    assert article.title == "Аким Алматы встретился с генеральными и почетными консулами в РК"
    assert len(article.paragraphs) == 9
    assert article.paragraphs[0].startswith("На встрече акима Алматы Ерболата Досаева")
    assert article.paragraphs[-1].startswith("Участники совещания отметили")
    assert article.paragraphs[-1].endswith("дружественных отношений.")


def test_seed_title_lengths() -> None:
    for name in (SEED_000, SEED_001):
        title = _article(SEEDS / name).title
        assert len(title) <= 90
        assert title.endswith("…")


@pytest.mark.parametrize(
    "unwanted",
    [
        "Фото",
        "Лабубу",
        "Симоньян",
        "Татарстан",
        "Австралии",
        "24.02.2026",
        "Встреча акима с Генеральными и Почётными консулами",
        "date 20",
    ],
)
def test_seeds_have_no_captions_teasers_or_date_lines(unwanted: str) -> None:
    articles, skipped = read_articles(SEEDS)
    assert skipped == []
    for article in articles:
        for paragraph in article.paragraphs:
            assert unwanted not in paragraph


def test_seed_paragraphs_are_single_spaced_and_hashed() -> None:
    articles, _ = read_articles(SEEDS)
    assert [a.id for a in articles] == [SEED_000, SEED_001, SEED_004]
    for article in articles:
        raw = (SEEDS / article.id).read_bytes()
        assert article.content_hash == hashlib.sha256(raw).hexdigest()
        for paragraph in article.paragraphs:
            assert paragraph == paragraph.strip()
            assert "  " not in paragraph and "\n" not in paragraph
        assert article.body == "\n\n".join(article.paragraphs)


# --- front matter and the legacy date line -------------------------------------------------


def test_front_matter(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "a.md",
        "---\n"
        "date: 2025-09-12\n"
        "title: Город откроет 5 новых парков\n"
        "url: https://example.kz/news/1\n"
        "author: пресс-служба\n"
        "---\n"
        "Первый абзац.\n"
        "\n"
        "Второй   абзац,\n"
        "на двух строках.\n",
    )
    article = _article(path)
    assert article.id == "a.md"
    assert article.date == dt.date(2025, 9, 12)
    assert article.title == "Город откроет 5 новых парков"
    assert article.url == "https://example.kz/news/1"
    assert article.paragraphs == ("Первый абзац.", "Второй абзац, на двух строках.")


def test_front_matter_russian_date_and_quotes(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "a.txt", '---\ndate: 09.01.2026\ntitle: "Заголовок"\n---\n\nТекст статьи.\n'
    )
    article = _article(path)
    assert article.date == dt.date(2026, 1, 9)
    assert article.title == "Заголовок"
    assert article.url is None
    assert article.paragraphs == ("Текст статьи.",)


@pytest.mark.parametrize("value", ["2025-13-45", "31.02.2025", "вчера", "12/09/2025"])
def test_front_matter_bad_date(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, "bad.txt", f"---\ndate: {value}\n---\nТекст.\n")
    assert parse_article(path) == Skipped("bad.txt", f"неверная дата в заголовке: {value}")


def test_front_matter_not_closed(tmp_path: Path) -> None:
    path = _write(tmp_path, "open.txt", "---\ndate: 2025-01-01\nТекст статьи.\n")
    assert parse_article(path) == Skipped("open.txt", "заголовок не закрыт строкой ---")


def test_front_matter_title_repeated_as_first_line_is_not_body(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "---\ntitle: Новый парк\n---\nНовый парк\n\nТекст.\n")
    assert _article(path).paragraphs == ("Текст.",)


def test_front_matter_without_title_uses_headline(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "---\ndate: 2025-01-02\n---\nНовый парк\n\nТекст.\n")
    article = _article(path)
    assert (article.title, article.paragraphs) == ("Новый парк", ("Текст.",))


def test_legacy_date_line_russian_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", " date 05.03.2024 Город построит мост.\n\nЕщё текст.\n")
    article = _article(path)
    assert article.date == dt.date(2024, 3, 5)
    assert article.paragraphs == ("Город построит мост.", "Ещё текст.")
    assert article.title == "Город построит мост"


def test_legacy_date_line_bad_date(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", " date 2024-02-30 Текст.\n")
    assert parse_article(path) == Skipped("a.txt", "неверная дата в первой строке: 2024-02-30")


def test_bom_crlf_and_cr_are_normalised(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes("\ufeffПервый.\r\n\r\nВторой,\r\nдлинный.\r\n".encode())
    cr = tmp_path / "cr.txt"
    cr.write_bytes("Первый.\r\rВторой,\rдлинный.\r".encode())
    for path in (crlf, cr):
        assert _article(path).paragraphs == ("Первый.", "Второй, длинный.")


def test_text_is_kept_as_written(tmp_path: Path) -> None:
    text = 'Ёлки «Қазақстан» и "Таза Қазақстан" – совщание\tв\u00a0городе.\n'
    article = _article(_write(tmp_path, "a.txt", text))
    assert article.paragraphs == ('Ёлки «Қазақстан» и "Таза Қазақстан" – совщание в городе.',)


# --- titles, captions and teasers ---------------------------------------------------------


def test_title_from_short_first_sentence(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "В Алматы открыли парк. Он большой.\n")
    assert _article(path).title == "В Алматы открыли парк"


def test_title_is_cut_at_a_word_boundary(tmp_path: Path) -> None:
    sentence = " ".join(["слово"] * 30) + "."
    title = _article(_write(tmp_path, "a.txt", sentence)).title
    assert title == " ".join(["слово"] * 11) + "…"  # 65 characters and "…"
    assert len(title) <= 90


def test_headline_needs_a_blank_line_after_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Новый парк\nоткроют летом.\n\nВторой абзац.\n")
    article = _article(path)
    assert article.paragraphs == ("Новый парк откроют летом.", "Второй абзац.")
    assert article.title == "Новый парк откроют летом"


def test_a_sentence_is_not_a_headline(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Парк откроют летом.\n\nВторой абзац.\n")
    assert _article(path).paragraphs == ("Парк откроют летом.", "Второй абзац.")


@pytest.mark.parametrize(
    "caption",
    [
        "Фото: пресс-служба акимата",
        "ФОТО: Zakon.kz",
        "Фото пресс-службы акимата Алматы",
        "Photo: Reuters",
        "Видео: акимат Алматы",
        "Источник фото: акимат",
    ],
)
def test_captions_are_dropped(tmp_path: Path, caption: str) -> None:
    path = _write(tmp_path, "a.txt", f"Первый абзац.\n\n{caption}\n\nВторой абзац.\n")
    assert _article(path).paragraphs == ("Первый абзац.", "Второй абзац.")


def test_sentence_starting_with_photo_is_kept(tmp_path: Path) -> None:
    text = "Первый абзац.\n\nФото и видео опубликуют позже.\n"
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == (
        "Первый абзац.",
        "Фото и видео опубликуют позже.",
    )


def test_repeated_short_line_is_a_caption(tmp_path: Path) -> None:
    text = "Один.\n\nНовый мост через реку\n\nДва.\n\nНовый мост через реку\n\nТри.\n"
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == ("Один.", "Два.", "Три.")


def test_repeated_sentence_is_kept(tmp_path: Path) -> None:
    text = "Один.\n\nЭто важно.\n\nДва.\n\nЭто важно.\n"
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == (
        "Один.",
        "Это важно.",
        "Два.",
        "Это важно.",
    )


def test_teaser_trailer_is_cut(tmp_path: Path) -> None:
    text = (
        "Заголовок статьи\n\n"
        "Текст статьи.\n\n"
        "Последний абзац статьи.\n\n"
        "Будет ли тепло в марте?\n"
        "В городе потеплеет к концу недели, сообщает …\n"
        "• 01.03.2027\n\n"
        "Ещё одна новость?\n\n"
        "Короткий фрагмент текста ...\n\n"
        "  – 28.02.2027, 14:05\n"
    )
    article = _article(_write(tmp_path, "a.txt", text))
    assert article.title == "Заголовок статьи"
    assert article.date is None
    assert article.paragraphs == ("Текст статьи.", "Последний абзац статьи.")


@pytest.mark.parametrize(
    ("body", "paragraphs"),
    [
        (
            "Текст статьи.\n\nЧитайте также: В Шымкенте открыли каток\n\nПоследний абзац.",
            ("Текст статьи.", "Последний абзац."),
        ),
        (
            "Текст статьи.\n\nПодписывайтесь на наш Telegram-канал, чтобы не пропустить главное.",
            ("Текст статьи.",),
        ),
        ("Текст статьи.\n\nСМОТРИТЕ ТАКЖЕ: видео с места", ("Текст статьи.",)),
        # a sentence that only mentions reading or subscribing is the article's
        (
            "Жители могут подписаться на уведомления.\n\nЧитайте подробности ниже.",
            ("Жители могут подписаться на уведомления.", "Читайте подробности ниже."),
        ),
    ],
)
def test_page_boilerplate_is_dropped(
    tmp_path: Path, body: str, paragraphs: tuple[str, ...]
) -> None:
    text = "---\ndate: 2025-03-14\ntitle: Заголовок\n---\n" + body
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == paragraphs


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("АСТАНА, 24 октября. Линию LRT запустят в 2025 году.", "Линию LRT запустят в 2025 году."),
        ("Шымкент, 3 мая 2025 года — Город принял гостей.", "Город принял гостей."),
        ("УСТЬ-КАМЕНОГОРСК, 1 июня. Открыт сезон.", "Открыт сезон."),
        # no dateline: the lead is kept whole
        ("Аким Астаны, 24 октября, открыл школу.", "Аким Астаны, 24 октября, открыл школу."),
        ("В Астане, 5 мая. Это не дата.", "В Астане, 5 мая. Это не дата."),
    ],
)
def test_dateline_is_not_the_lead(tmp_path: Path, lead: str, expected: str) -> None:
    text = f"---\ndate: 2025-03-14\ntitle: Заголовок\n---\n{lead}\n\nВторой абзац."
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == (expected, "Второй абзац.")


def test_teaser_without_headline_keeps_the_last_paragraph(tmp_path: Path) -> None:
    text = "Текст статьи.\n\nКороткий финал.\n\nЧужой фрагмент …\n\n• 01.03.2027\n"
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == (
        "Текст статьи.",
        "Короткий финал.",
    )


def test_teaser_without_snippet(tmp_path: Path) -> None:
    text = "Текст статьи.\n\nЧужая новость\n\n• 01.03.2027\n"
    assert _article(_write(tmp_path, "a.txt", text)).paragraphs == ("Текст статьи.",)


def test_nothing_left_after_cleaning(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "---\ntitle: Пусто\n---\nФото: акимат\n")
    assert parse_article(path) == Skipped("a.txt", "нет текста после очистки")


# --- broken files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "пустой файл"),
        (b"  \n\t\r\n  ", "пустой файл"),
        ("\ufeff \u00a0\n".encode(), "пустой файл"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "двоичный файл, не текст"),
        ("Текст статьи.".encode("cp1251"), "файл не в кодировке UTF-8"),
        ("Текст статьи.".encode("utf-16"), "двоичный файл, не текст"),
    ],
    ids=["empty", "whitespace", "bom-nbsp", "png", "cp1251", "utf16"],
)
def test_broken_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(content)
    assert parse_article(path) == Skipped("broken.txt", reason)


def test_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as file:
        file.truncate(MAX_ARTICLE_BYTES + 1)  # sparse: fast, takes no disk
    assert parse_article(path) == Skipped("big.txt", "файл больше 2 МБ (2,1 МБ)")
    with path.open("wb") as file:
        file.truncate(5_500_000)
    assert parse_article(path) == Skipped("big.txt", "файл больше 2 МБ (5,5 МБ)")


def test_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as file:
        file.truncate(MAX_ARTICLE_BYTES + 1)

    def no_reading(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read a file that is too big")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert parse_article(path) == Skipped("big.txt", "файл больше 2 МБ (2,1 МБ)")


def test_exactly_at_the_size_limit_is_read(tmp_path: Path) -> None:
    # 1,998 paragraphs of 1,000 bytes and one of 2,000: exactly 2 MB, within the sentence caps.
    path = tmp_path / "limit.txt"
    last = b"a" * (MAX_ARTICLE_BYTES - 1_998_000 - 1) + b"."
    path.write_bytes((b"a" * 997 + b".\n\n") * 1998 + last)
    assert path.stat().st_size == MAX_ARTICLE_BYTES
    article = _article(path)
    assert len(article.paragraphs) == 1999
    assert len(article.paragraphs[-1]) == 2000


def test_missing_file(tmp_path: Path) -> None:
    assert parse_article(tmp_path / "gone.txt") == Skipped(
        "gone.txt", "файл не найден (удалён во время чтения?)"
    )


def test_file_removed_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "gone.txt", "Текст.")

    def vanished(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise FileNotFoundError(2, "No such file or directory", str(self))

    monkeypatch.setattr(Path, "open", vanished)
    monkeypatch.setattr(Path, "read_bytes", vanished)
    assert parse_article(path) == Skipped("gone.txt", "файл не найден (удалён во время чтения?)")


def test_unreadable_file_chmod(tmp_path: Path) -> None:
    path = _write(tmp_path, "locked.txt", "Текст.")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user (root?) reads files even with mode 000")
        assert parse_article(path) == Skipped("locked.txt", "нет прав на чтение файла")
    finally:
        path.chmod(0o644)


def test_unreadable_file_permission_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root chmod 000 does not stop reading, so the error is raised by hand.
    path = _write(tmp_path, "locked.txt", "Текст.")

    def denied(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    monkeypatch.setattr(Path, "read_bytes", denied)
    assert parse_article(path) == Skipped("locked.txt", "нет прав на чтение файла")


def test_other_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "io.txt", "Текст.")

    def failing(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "open", failing)
    monkeypatch.setattr(Path, "read_bytes", failing)
    assert parse_article(path) == Skipped(
        "io.txt", "не удалось прочитать файл: Input/output error"
    )


# --- read_articles ------------------------------------------------------------------------


def test_read_articles_mixed_directory(tmp_path: Path) -> None:
    _write(tmp_path, "c.md", "---\ndate: 2025-01-03\n---\nТретья статья.\n")
    _write(tmp_path, "a.txt", "Первая статья.\n")
    (tmp_path / "b_bad.txt").write_bytes("Плохая статья.".encode("cp1251"))
    (tmp_path / "d_empty.txt").write_bytes(b"")
    _write(tmp_path, ".hidden.txt", "Скрытая статья.\n")
    _write(tmp_path, "notes.json", '{"не": "статья"}')
    _write(tmp_path, "README", "Не статья.\n")
    (tmp_path / "sub.txt").mkdir()
    _write(tmp_path / "sub.txt", "inner.txt", "Вложенная статья.\n")

    articles, skipped = read_articles(tmp_path)

    assert [a.id for a in articles] == ["a.txt", "c.md"]
    assert [a.paragraphs for a in articles] == [("Первая статья.",), ("Третья статья.",)]
    assert articles[1].date == dt.date(2025, 1, 3)
    assert skipped == [
        Skipped("b_bad.txt", "файл не в кодировке UTF-8"),
        Skipped("d_empty.txt", "пустой файл"),
    ]


def test_read_articles_upper_case_suffix(tmp_path: Path) -> None:
    _write(tmp_path, "A.TXT", "Статья.\n")
    articles, skipped = read_articles(tmp_path)
    assert ([a.id for a in articles], skipped) == (["A.TXT"], [])


def test_read_articles_empty_directory(tmp_path: Path) -> None:
    assert read_articles(tmp_path) == ([], [])


def test_read_articles_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_articles(tmp_path / "nowhere")


def test_read_articles_on_a_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Текст.")
    with pytest.raises(NotADirectoryError):
        read_articles(path)


_CHUNKS = [
    b"---\n", b"date: 2025-01-01\n", b"date: 99.99.9999\n", b"title: T\n", b" date 2024-01-02 ",
    "Фото: акимат\n".encode(), "Текст статьи.\n".encode(), "Заголовок\n".encode(), b"\n", b"\r\n",
    b"\r", "  • 24.02.2026\n".encode(), b"...\n", b"\xef\xbb\xbf", b"\xff", b"\x00", b" \t",
]  # fmt: skip


@pytest.mark.slow  # Hypothesis fuzzing
@given(st.lists(st.sampled_from(_CHUNKS), max_size=25).map(b"".join))
@settings(max_examples=300, deadline=None)
def test_parse_article_never_raises(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.txt"
        path.write_bytes(raw)
        result = parse_article(path)
    if isinstance(result, Article):
        assert result.paragraphs and all(p and p == p.strip() for p in result.paragraphs)
        assert result.title
        assert result.content_hash == hashlib.sha256(raw).hexdigest()
    else:
        assert result.path == "fuzz.txt" and result.reason
        assert not result.reason.startswith("ошибка разбора")
