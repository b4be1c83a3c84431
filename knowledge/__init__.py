"""citybot's knowledge: articles → facts → store → search → answer. No Telegram here."""

from .answer import Answer, Earlier, Source, ask, compose, format_date_ru
from .articles import Article, Skipped, parse_article, read_articles
from .facts import Fact, extract_facts
from .figures import Figure, find_figures
from .index import FactIndex
from .journal import Journal, QuestionRecord, Stats, UnansweredGroup, VoteResult
from .match import Match
from .store import DEFAULT_DATABASE_URL, ArticleInfo, BuildError, BuildReport, FactStore

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Answer",
    "Article",
    "ArticleInfo",
    "BuildError",
    "BuildReport",
    "Earlier",
    "Fact",
    "FactIndex",
    "FactStore",
    "Figure",
    "Journal",
    "Match",
    "QuestionRecord",
    "Skipped",
    "Source",
    "Stats",
    "UnansweredGroup",
    "VoteResult",
    "ask",
    "compose",
    "extract_facts",
    "find_figures",
    "format_date_ru",
    "parse_article",
    "read_articles",
]
