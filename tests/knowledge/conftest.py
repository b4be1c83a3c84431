from pathlib import Path

import pytest

from knowledge import FactIndex, extract_facts, read_articles

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def seed_index() -> FactIndex:
    """The index over the three seed articles (read-only, shared by the tests)."""
    articles, skipped = read_articles(SEEDS)
    assert not skipped
    return FactIndex.build(fact for article in articles for fact in extract_facts(article))
