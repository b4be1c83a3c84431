"""citybot's knowledge: articles → facts → store → search → answer. No Telegram here."""

from .answer import Answer, Earlier, Source, ask, compose, format_date_ru
from .articles import Article, Skipped, parse_article, read_articles
from .facts import Fact, extract_facts
from .figures import Figure, find_figures
from .index import FactIndex
from .journal import Journal, QuestionRecord, Stats, UnansweredGroup, VoteResult
from .match import Match
from .series import Point, Series, change_question, series_for, series_of
from .store import DEFAULT_DATABASE_URL, ArticleInfo, BuildError, BuildReport, FactStore
from .subscriptions import (
    Announcement,
    Claim,
    NewFact,
    Notice,
    OutboxCounts,
    OutboxItem,
    Subscriptions,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Announcement",
    "Answer",
    "Article",
    "ArticleInfo",
    "BuildError",
    "BuildReport",
    "Claim",
    "Earlier",
    "Fact",
    "FactIndex",
    "FactStore",
    "Figure",
    "Journal",
    "Match",
    "NewFact",
    "Notice",
    "OutboxCounts",
    "OutboxItem",
    "Point",
    "QuestionRecord",
    "Series",
    "Skipped",
    "Source",
    "Stats",
    "Subscriptions",
    "UnansweredGroup",
    "VoteResult",
    "ask",
    "change_question",
    "compose",
    "extract_facts",
    "find_figures",
    "format_date_ru",
    "parse_article",
    "read_articles",
    "series_for",
    "series_of",
]
