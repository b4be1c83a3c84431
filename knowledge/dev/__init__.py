"""Development tools, off the bot's runtime path: the eval, the baselines and the benchmark.

They need the `dev` extras (rank-bm25, tantivy, PyStemmer, pyinstrument); the bot never
imports them.
"""

from .bench import make_corpus, make_questions, write_corpus

__all__ = ["make_corpus", "make_questions", "write_corpus"]
