"""Article files → clean `Article` values (or `Skipped` with a reason).

An article file is UTF-8 text. The documented way to add one is a front matter block::

    ---
    date: 2025-09-12
    title: Аким Алматы встретился с активом города
    url: https://example.kz/news/1
    ---
    Body paragraphs, separated by blank lines.

Older files (the seeds) start with a legacy line `` date 2025-09-12 First paragraph…``.
Photo captions, repeated caption lines and a trailer of unrelated news teasers are dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from razdel import sentenize

from .text import clean_text, data_lines, data_lists, months
from .years import YEAR_ABBREVIATION, YEAR_GENITIVE

MAX_ARTICLE_BYTES = 2_000_000
# Bounds on the work one file can cause, whatever it holds: a sentence is a fact, and finding
# its figures and indexing its words grows with its length; the facts of one file with their
# number. News sentences stay under a thousand characters, news articles under a hundred.
MAX_SENTENCE_CHARS = 5_000
MAX_SENTENCES = 5_000
# Article dates: the first year of independent Kazakhstan's news, and a few days of slack
# ahead (time zones, an article dated for its publication tomorrow); later is a typo.
EARLIEST_DATE = dt.date(1991, 1, 1)
FUTURE_DAYS = 3
ARTICLE_SUFFIXES = frozenset({".txt", ".md"})
TITLE_MAX_CHARS = 70  # a derived title is a source line on a phone screen
HEADLINE_MAX_WORDS = 20
# Captions repeated through an article are short; a longer repeated line is more likely real text.
REPEATED_CAPTION_MAX_WORDS = 15
# "Фото Ивана Петрова" has no colon; only a short line like that is a caption, not a sentence.
BARE_PHOTO_CAPTION_MAX_WORDS = 12

SENTENCE_END = (".", "!", "?", "…", ":")


@dataclass(frozen=True, slots=True)
class Article:
    id: str  # the file name, e.g. "001_9e8737218ffa3194.txt"
    title: str
    date: dt.date | None
    url: str | None
    paragraphs: tuple[str, ...]  # clean body: no date line, captions, teasers or front matter
    content_hash: str  # sha256 hex of the raw file bytes

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Skipped:
    path: str  # file name
    reason: str  # one line in Russian, shown to admins


class _BadArticle(Exception):
    """A file we understand well enough to reject, with the reason for admins."""


_FRONT_MATTER_FENCE = "---"
_FRONT_MATTER_LINE_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_RU_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
# The seeds' first line: " date 2025-09-12 First paragraph starts right here…"
_LEGACY_DATE_RE = re.compile(
    r"^\s*date\s+(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})(?=\s|$)[ \t]*(.*)$",
    re.IGNORECASE,
)
# A teaser's date line: "  • 24.02.2026" (optionally with a time).
_TEASER_DATE_RE = re.compile(
    r"^\s*[•·▪►*\-–—]\s*\d{1,2}\.\d{1,2}\.\d{4}(?:[,\s]+\d{1,2}:\d{2})?\s*$"
)
_CAPTION_PREFIXES = data_lists("captions.txt")["prefixed"]
_BARE_PHOTO_PREFIX = data_lists("captions.txt")["bare"][0] + " "
_ELLIPSIS_ENDS = ("...", "…")
_WHITESPACE_RE = re.compile(r"\s+")
# A news agency's dateline before the lead: «АСТАНА, 24 октября. », «Шымкент, 3 мая 2025 года —».
# (The month in the genitive, data/months.txt; «года» or «г.», data/year_words.txt.)
_DATELINE_RE = re.compile(
    r"^[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+(?:[ -][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]*)?,\s+\d{1,2}\s+"
    rf"(?:{'|'.join(re.escape(month[0]) for month in months())})"
    rf"(?:\s+\d{{4}}(?:\s+(?:{YEAR_GENITIVE}|(?:{YEAR_ABBREVIATION})\.))?)?\s*[.—–-]+\s+(?=\S)"
)


def parse_article(path: Path, *, today: dt.date | None = None) -> Article | Skipped:
    """Read one article file; never raises for a bad file. A date more than FUTURE_DAYS after
    `today` (the local date by default) or before EARLIEST_DATE is refused."""
    name = path.name
    try:
        raw = _read_limited(path)
        return _parse_bytes(name, raw, today or dt.date.today(), dated_header=False)
    except _BadArticle as bad:
        return Skipped(name, str(bad))
    except FileNotFoundError:
        return Skipped(name, "файл не найден (удалён во время чтения?)")
    except PermissionError:
        return Skipped(name, "нет прав на чтение файла")
    except IsADirectoryError:
        return Skipped(name, "это папка, а не файл")
    except OSError as error:
        return Skipped(name, f"не удалось прочитать файл: {error.strerror or error}")
    except Exception as error:  # one odd file must not stop a whole reload
        return Skipped(name, f"ошибка разбора файла: {type(error).__name__}: {error}")


def parse_article_bytes(
    raw: bytes,
    *,
    name: str = "article.txt",
    today: dt.date | None = None,
    dated_header: bool = False,
) -> Article | Skipped:
    """The article in `raw`, parsed as `parse_article` parses a file named `name`; never
    raises for bad bytes. With `dated_header` (an article an admin adds: the documented
    format only) it must start with a front matter header that holds its date."""
    try:
        return _parse_bytes(name, raw, today or dt.date.today(), dated_header=dated_header)
    except _BadArticle as bad:
        return Skipped(name, str(bad))
    except Exception as error:  # never a traceback for a sender's bytes
        return Skipped(name, f"ошибка разбора файла: {type(error).__name__}: {error}")


def read_articles(
    directory: Path,
    *,
    drop_duplicates: bool = False,
    today: dt.date | None = None,
    stop: Callable[[], bool] | None = None,
) -> tuple[list[Article], list[Skipped]]:
    """Parse every article file in `directory`, sorted by name.

    Takes `*.txt` and `*.md`, skips hidden files and folders. A missing directory raises
    FileNotFoundError, an unreadable one PermissionError (the caller reports it).
    With `drop_duplicates`, an article whose every sentence is already in articles before it
    (by name) is skipped too: it would only repeat their answers. `stop()` is asked between
    files; when it says True, Stopped is raised.
    """
    entries = sorted(directory.iterdir(), key=lambda p: p.name)
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for entry in entries:
        if entry.name.startswith(".") or entry.suffix.lower() not in ARTICLE_SUFFIXES:
            continue
        if entry.is_dir():
            continue
        if stop is not None and stop():
            raise Stopped
        result = parse_article(entry, today=today)
        if isinstance(result, Article):
            articles.append(result)
        else:
            skipped.append(result)
    if drop_duplicates:
        articles, duplicates = _drop_duplicates(articles)
        skipped.extend(duplicates)
    return articles, skipped


class Stopped(Exception):
    """Reading or building was asked to stop (the process is shutting down)."""


def sentence_key(sentence: str) -> str:
    """A sentence as duplicates are compared: case and spaces folded."""
    return " ".join(sentence.split()).casefold()


def sentence_keys(article: Article) -> set[str]:
    """The article's sentences as duplicates are compared (`sentence_key`)."""
    return {
        sentence_key(s.text)
        for paragraph in article.paragraphs
        for s in sentenize(paragraph)
        if s.text.strip()
    }


def repeats(article: Article, owners: Mapping[str, str]) -> list[str] | None:
    """The articles (sorted) that already hold every sentence of `article`, by the sentence
    keys in `owners` (`sentence_keys` -> article id); None if some sentence is new."""
    return _owners_of(sentence_keys(article), owners)


def repeat_reason(sources: Sequence[str]) -> str:
    return f"повторяет {', '.join(sources)}: все предложения уже есть там"


def _owners_of(keys: set[str], owners: Mapping[str, str]) -> list[str] | None:
    sources = sorted({owners.get(key) or "" for key in keys})
    if not keys or "" in sources:
        return None
    return sources


def _drop_duplicates(articles: list[Article]) -> tuple[list[Article], list[Skipped]]:
    """Skip each article whose every sentence an earlier article already has."""
    owners: dict[str, str] = {}  # sentence (case and spaces folded) -> first article with it
    kept: list[Article] = []
    skipped: list[Skipped] = []
    for article in articles:
        keys = sentence_keys(article)
        sources = _owners_of(keys, owners)
        if sources is not None:
            skipped.append(Skipped(article.id, repeat_reason(sources)))
            continue
        for key in keys:
            owners.setdefault(key, article.id)
        kept.append(article)
    return kept, skipped


def _read_limited(path: Path) -> bytes:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        # A named pipe would block open() forever (and with it every later /reload).
        raise _BadArticle("не обычный файл (канал, устройство или сокет)")
    size = info.st_size
    if size > MAX_ARTICLE_BYTES:
        raise _BadArticle(too_big(size))
    with path.open("rb") as file:
        # Read one byte past the limit: the file may have grown since stat().
        raw = file.read(MAX_ARTICLE_BYTES + 1)
    if len(raw) > MAX_ARTICLE_BYTES:
        raise _BadArticle(too_big(max(len(raw), path.stat().st_size)))
    return raw


def too_big(size: int) -> str:
    """Why an article of `size` bytes (over MAX_ARTICLE_BYTES) is refused, for admins."""
    # Round up so a file just over the limit never reads as "2,0 МБ".
    megabytes = math.ceil(size / 100_000) / 10
    return f"файл больше 2 МБ ({megabytes:.1f} МБ)".replace(".", ",")


def _parse_bytes(name: str, raw: bytes, today: dt.date, *, dated_header: bool) -> Article:
    if len(raw) > MAX_ARTICLE_BYTES:
        raise _BadArticle(too_big(len(raw)))
    if not raw.strip():
        raise _BadArticle("пустой файл")
    if b"\x00" in raw:
        raise _BadArticle("двоичный файл, не текст")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _BadArticle("файл не в кодировке UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _BadArticle("пустой файл")

    lines = text.split("\n")
    if dated_header and not _opens_front_matter(lines):
        raise _BadArticle("нет заголовка: статья должна начинаться со строки ---")
    meta, lines = _split_front_matter(lines)
    if dated_header and not meta.get("date"):
        raise _BadArticle("в заголовке нет даты (строка date: ГГГГ-ММ-ДД)")
    date = _parse_date(meta["date"], "неверная дата в заголовке") if meta.get("date") else None
    lines, legacy_date = _take_legacy_date(lines)
    if date is None:
        date = legacy_date
    if date is not None:
        _check_date(date, today)
    lines = _cut_teasers(lines)
    lines = [_clean_line(line) for line in lines]

    title = meta.get("title") or None
    headline_at = None if title else _headline_index(lines)
    if headline_at is not None:
        title = lines[headline_at]
    lines = _drop_captions(lines, keep=headline_at)
    if headline_at is not None:
        lines[headline_at] = ""
    paragraphs = [p for p in _paragraphs(lines) if not _is_boilerplate(p)]
    if title and paragraphs and paragraphs[0].casefold() == title.casefold():
        # The front matter title repeated as the first line is not body.
        paragraphs = paragraphs[1:]
    if paragraphs:
        # The lead is the article's first sentence, not the agency's dateline before it.
        paragraphs[0] = _DATELINE_RE.sub("", paragraphs[0], count=1)
    if not paragraphs:
        raise _BadArticle("нет текста после очистки")
    _check_sentences(paragraphs)
    if not title:
        title = _title_from_body(paragraphs[0])
    return Article(
        id=name,
        title=title,
        date=date,
        url=meta.get("url") or None,
        paragraphs=tuple(paragraphs),
        content_hash=hashlib.sha256(raw).hexdigest(),
    )


def _opens_front_matter(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), None)
    return first is not None and first.strip() == _FRONT_MATTER_FENCE


def _split_front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """`key: value` pairs of a leading `---` block, and the lines after it."""
    if not _opens_front_matter(lines):
        return {}, lines
    first = next(i for i, line in enumerate(lines) if line.strip())
    meta: dict[str, str] = {}
    for i in range(first + 1, len(lines)):
        line = lines[i]
        if line.strip() == _FRONT_MATTER_FENCE:
            return meta, lines[i + 1 :]
        match = _FRONT_MATTER_LINE_RE.match(line)
        if match:
            meta[match.group(1).lower()] = _unquote(match.group(2))
    raise _BadArticle("заголовок не закрыт строкой ---")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _parse_date(value: str, problem: str) -> dt.date:
    """YYYY-MM-DD or DD.MM.YYYY; `problem` prefixes the reason when it is not a date."""
    iso = _ISO_DATE_RE.match(value)
    ru = _RU_DATE_RE.match(value)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if ru:
            return dt.date(int(ru.group(3)), int(ru.group(2)), int(ru.group(1)))
    except ValueError:
        pass
    raise _BadArticle(f"{problem}: {value}")


def _check_date(date: dt.date, today: dt.date) -> None:
    if date < EARLIEST_DATE:
        raise _BadArticle(f"дата {date:%d.%m.%Y} раньше {EARLIEST_DATE.year} года")
    if date > today + dt.timedelta(days=FUTURE_DAYS):
        raise _BadArticle(f"дата {date:%d.%m.%Y} в будущем (сегодня {today:%d.%m.%Y})")


def _check_sentences(paragraphs: Sequence[str]) -> None:
    """Refuse a sentence over MAX_SENTENCE_CHARS or more than MAX_SENTENCES of them."""
    count = 0
    for paragraph in paragraphs:
        for sentence in sentenize(paragraph):
            length = len(sentence.text.strip())
            if length > MAX_SENTENCE_CHARS:
                raise _BadArticle(
                    f"предложение длиннее {MAX_SENTENCE_CHARS:,} символов ({length:,})".replace(
                        ",", " "
                    )
                )
            count += length > 0
            if count > MAX_SENTENCES:
                raise _BadArticle(f"больше {MAX_SENTENCES:,} предложений".replace(",", " "))


def _take_legacy_date(lines: list[str]) -> tuple[list[str], dt.date | None]:
    """The seeds' ` date YYYY-MM-DD …` first line: the date, and the rest of the line as text."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return lines, None
    match = _LEGACY_DATE_RE.match(lines[first])
    if not match:
        return lines, None
    date = _parse_date(match.group(1), "неверная дата в первой строке")
    return [*lines[:first], match.group(2), *lines[first + 1 :]], date


def _cut_teasers(lines: list[str]) -> list[str]:
    """Drop a trailer of news teasers: headline, snippet ending in "...", "• DD.MM.YYYY".

    Everything from the first teaser's headline on is cut, so the teasers' dates are never read.
    """
    first_date = next((i for i, line in enumerate(lines) if _TEASER_DATE_RE.match(line)), None)
    if first_date is None:
        return lines
    cut = first_date
    i = _previous_text_line(lines, first_date)
    if i is not None and lines[i].rstrip().endswith(_ELLIPSIS_ENDS):
        cut = i  # the snippet
        i = _previous_text_line(lines, i)
        if (
            i is not None
            and _word_count(lines[i]) <= HEADLINE_MAX_WORDS
            and not lines[i].rstrip().endswith((".", ":"))
        ):
            cut = i  # its headline ("?" and "!" happen in headlines; "." ends body text)
    elif i is not None and _looks_like_headline(lines[i]):
        cut = i  # a teaser without a snippet
    return lines[:cut]


def _previous_text_line(lines: list[str], index: int) -> int | None:
    for i in range(index - 1, -1, -1):
        if lines[i].strip():
            return i
    return None


def _clean_line(line: str) -> str:
    return _WHITESPACE_RE.sub(" ", clean_text(line)).strip()


def _word_count(text: str) -> int:
    return len(text.split())


def _looks_like_headline(line: str) -> bool:
    line = line.strip()
    return (
        bool(line)
        and any(ch.isalpha() for ch in line)
        and _word_count(line) <= HEADLINE_MAX_WORDS
        and not line.endswith(SENTENCE_END)
    )


def _headline_index(lines: list[str]) -> int | None:
    """Index of a headline line at the top (short, no final punctuation, then a blank line)."""
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None or _is_prefixed_caption(lines[first]):
        return None
    if not _looks_like_headline(lines[first]):
        return None
    rest = lines[first + 1 :]
    if not rest or rest[0] != "":
        return None  # the line runs on into a paragraph: it is body text
    if not any(line and not _is_prefixed_caption(line) for line in rest):
        return None  # nothing after it: the line is the only text, keep it as body
    return first


def _is_prefixed_caption(line: str) -> bool:
    folded = line.casefold()
    if folded.startswith(_CAPTION_PREFIXES):
        return True
    return (
        folded.startswith(_BARE_PHOTO_PREFIX)
        and _word_count(line) <= BARE_PHOTO_CAPTION_MAX_WORDS
        and not line.endswith(SENTENCE_END)
    )


def _drop_captions(lines: list[str], keep: int | None) -> list[str]:
    """Blank out caption lines: "Фото: …" and short unpunctuated lines repeated in the article."""
    counts: dict[str, int] = {}
    for line in lines:
        if line:
            counts[line.casefold()] = counts.get(line.casefold(), 0) + 1
    result: list[str] = []
    for i, line in enumerate(lines):
        repeated = (
            counts.get(line.casefold(), 0) >= 2
            and _word_count(line) <= REPEATED_CAPTION_MAX_WORDS
            and not line.endswith(SENTENCE_END)
        )
        if i != keep and line and (repeated or _is_prefixed_caption(line)):
            result.append("")
        else:
            result.append(line)
    return result


def _is_boilerplate(paragraph: str) -> bool:
    """«Читайте также: …», «Подписывайтесь на наш Telegram-канал»: the page, not the article."""
    return paragraph.casefold().startswith(_boilerplate_openings())


@cache
def _boilerplate_openings() -> tuple[str, ...]:
    return tuple(line.casefold() for line in data_lines("boilerplate.txt"))


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, each on one line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _title_from_body(paragraph: str) -> str:
    """The first sentence, cut at a word boundary to TITLE_MAX_CHARS with "…"."""
    sentence = next((s.text.strip() for s in sentenize(paragraph) if s.text.strip()), paragraph)
    if sentence.endswith(".") and not sentence.endswith("..."):
        sentence = sentence[:-1]
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    limit = TITLE_MAX_CHARS - 1  # room for "…"
    cut = sentence[: limit + 1]
    space = cut.rfind(" ")
    head = cut[:space] if space > 0 else sentence[:limit]
    return head.rstrip(" ,;:–—-") + "…"
