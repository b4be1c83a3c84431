"""Development tools, off the bot's runtime path: the eval, the baselines and the benchmark.

They need the `dev` extras (rank-bm25, tantivy, PyStemmer, pyinstrument); the bot never
imports them.
"""

from typing import Any

# What the bot's own benchmark (bot/bench.py) takes from here: the synthetic corpus.
__all__ = ["make_corpus", "make_questions", "write_corpus"]


def __getattr__(name: str) -> Any:
    # Imported on first use, not with the package: `python -m knowledge.dev.bench` must find
    # knowledge.dev.bench not imported yet.
    if name in __all__:
        from . import bench

        return getattr(bench, name)
    raise AttributeError(name)
