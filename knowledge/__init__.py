"""citybot's knowledge: articles → facts → store → search → answer. No Telegram here."""

from .answer import (
    MAX_QUESTION_CHARS,
    Answer,
    Earlier,
    Problem,
    Source,
    ask,
    ask_in_context,
    compose,
    context_after,
    figure_period,
    format_date_ru,
)
from .articles import (
    MAX_ARTICLE_BYTES,
    Article,
    Skipped,
    parse_article,
    parse_article_bytes,
    read_articles,
    too_big,
)
from .build import BuildError, BuildReport
from .conversation import Aspect, Context
from .database import DEFAULT_DATABASE_URL
from .facts import Fact, extract_facts
from .figures import Figure, find_figures
from .index import FactIndex
from .journal import (
    ALMATY,
    DOWN,
    FLUSH_INTERVAL_S,
    MAX_FACT_IDS,
    UP,
    Journal,
    QuestionRecord,
    Stats,
    UnansweredGroup,
    VoteResult,
)
from .library import AddedArticle, ArticleNotLoaded, ArticleRefused, Library, Stock
from .match import Match, Note
from .nearmiss import NearMiss, NearMissKind
from .notices import NewFact, Notice
from .series import Point, Series, change_question, series_for, series_of
from .store import ArticleInfo, FactStore
from .subscriptions import Announcement, Claim, OutboxCounts, OutboxItem, Subscriptions
from .text import agree_with_number, clean_text
from .watch import GenerationWatcher

__all__ = [
    "figure_period",
    "context_after",
    "ask_in_context",
    "agree_with_number",
    "NearMissKind",
    "NearMiss",
    "Context",
    "Aspect",
    "ALMATY",
    "DEFAULT_DATABASE_URL",
    "DOWN",
    "FLUSH_INTERVAL_S",
    "MAX_ARTICLE_BYTES",
    "MAX_FACT_IDS",
    "MAX_QUESTION_CHARS",
    "UP",
    "AddedArticle",
    "Announcement",
    "Answer",
    "Article",
    "ArticleInfo",
    "ArticleNotLoaded",
    "ArticleRefused",
    "BuildError",
    "BuildReport",
    "Claim",
    "Earlier",
    "Fact",
    "FactIndex",
    "FactStore",
    "Figure",
    "GenerationWatcher",
    "Journal",
    "Library",
    "Match",
    "NewFact",
    "Note",
    "Notice",
    "OutboxCounts",
    "OutboxItem",
    "Point",
    "Problem",
    "QuestionRecord",
    "Series",
    "Skipped",
    "Source",
    "Stats",
    "Stock",
    "Subscriptions",
    "UnansweredGroup",
    "VoteResult",
    "ask",
    "change_question",
    "clean_text",
    "compose",
    "extract_facts",
    "find_figures",
    "format_date_ru",
    "parse_article",
    "parse_article_bytes",
    "read_articles",
    "series_for",
    "series_of",
    "too_big",
]
