"""Development tools, off the bot's runtime path: the eval, the baselines and the benchmark.

They need the `dev` extras (rank-bm25, tantivy, PyStemmer, pyinstrument); the bot never
imports them.
"""
