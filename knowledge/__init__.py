"""citybot's knowledge: articles → facts → store → search → answer. No Telegram here."""

from .answer import (
    Answer,
    Earlier,
    Source,
    ask,
    ask_in_context,
    compose,
    context_after,
    figure_period,
    format_date_ru,
)
from .articles import Article, Skipped, parse_article, read_articles
from .conversation import Aspect, Context
from .facts import Fact, extract_facts
from .figures import Figure, find_figures
from .index import FactIndex
from .journal import Journal, QuestionRecord, Stats, UnansweredGroup, VoteResult
from .match import Match
from .nearmiss import NearMiss, NearMissKind
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
from .text import agree_with_number

__all__ = [
    "figure_period",
    "context_after",
    "ask_in_context",
    "agree_with_number",
    "NearMissKind",
    "NearMiss",
    "Context",
    "Aspect",
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
