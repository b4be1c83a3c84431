"""`python -m knowledge bench --facts N [--queries M] [--corpus news|seeds] [--json] [--profile]`:
how citybot scales.

`python -m knowledge bench --pathological [--json]`: peak RSS and time of the hostile inputs of
issue 20 (a 50,000-letter word, 200,000 numbers in one sentence, a 2 MB file of one
sentence), each in a fresh process; exit code 1 if one misses the targets (400 MB, 5 s).

A deterministic synthetic corpus of about N facts, of one of two kinds (`--corpus`):

- `news` (the default, knowledge/dev/news_corpus.py): sentences of news shapes over lemmas
  of pymorphy3's dictionary drawn with a Zipf distribution, so the vocabulary keeps growing
  with N as news vocabulary does (Heaps' law) and a question's words stay rare; questions in
  the eval's mix (EVAL_MIX);
- `seeds` (`random.Random(N)`): the seed articles' sentences recombined with new figures in
  the same formats («1,9 млн», «405 тыс.», «8%»), new years (2019–2030), other topics, places
  (Kazakh cities, Almaty's districts) and people. Its vocabulary stops growing at about 2,200
  terms, so every posting list grows linearly with N (the corpus of the numbers before
  issue 19, kept to compare).

The articles are written as front-matter files into a temporary folder, so the real parser,
extractor and store run on them. Then:

- build: `read_articles` + `FactStore.rebuild` into a temporary SQLite file (`build_s`);
- load: `FactStore.load()` + `FactIndex.build` (`load_s`, also as `index_load_s`), as the bot
  does on start;
- questions: M questions (paraphrased from the corpus' own sentences, some with typos, some
  that must be abstained on: weather, metro, recipes…; `seeds`: a half, a quarter, a quarter)
  through `knowledge.answer.ask`, the bot's full answer path, single-threaded: latency
  percentiles in ms and `qps`; a few warm-up questions first are not timed;
- the same questions through the tantivy and BM25 baselines (knowledge/baselines.py) on
  the same facts (BM25Okapi costs O(facts) per query: at 50,000 facts and more it gets a
  sample of 100 questions).

`--json` prints one JSON object; progress goes to stderr. `--profile` runs citybot's
question loop under pyinstrument (optional; cProfile when it is not installed).

The parts: the seeds corpus (knowledge/dev/seed_corpus.py), the news corpus
(knowledge/dev/news_corpus.py), the questions (knowledge/dev/bench_questions.py), the
hostile inputs (knowledge/dev/pathological.py), RSS and percentiles (knowledge/dev/measure.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..answer import ask
from ..articles import read_articles
from ..facts import Fact
from ..index import FactIndex
from ..store import FactStore
from .bench_questions import EVAL_MIX, BenchQuestion, make_questions
from .measure import current_rss_mb, log, peak_rss_mb, percentiles, time_each
from .pathological import (
    PATHOLOGICAL,
    PATHOLOGICAL_TARGETS,
    format_pathological,
    run_pathological,
    run_pathological_case,
)
from .seed_corpus import (
    LAST_DATE,
    SyntheticArticle,
    _new_number,
    make_corpus,
    seed_facts,
    write_corpus,
)

if TYPE_CHECKING:
    from .baselines import BM25Baseline, TantivyBaseline

BM25_SAMPLE_FROM = 50_000  # facts from which BM25 is timed on a sample of questions
BM25_SAMPLE = 100
WARM_UP = ("Сколько туристов?", "Какая погода завтра?", "Когда откроют метро?")

# Kept importable from here (tests, bot/bench.py, knowledge/dev/news_corpus.py).
__all__ = [
    "EVAL_MIX",
    "LAST_DATE",
    "PATHOLOGICAL",
    "PATHOLOGICAL_TARGETS",
    "BenchQuestion",
    "SyntheticArticle",
    "_new_number",
    "format_pathological",
    "main",
    "make_corpus",
    "make_questions",
    "run",
    "run_pathological",
    "run_pathological_case",
    "seed_facts",
    "write_corpus",
]


async def _build_and_load(corpus: Path, database: Path) -> dict[str, Any]:
    store = await FactStore.open(f"sqlite+aiosqlite:///{database}")
    try:
        started = time.perf_counter()
        articles, skipped = read_articles(corpus, today=LAST_DATE)
        await store.rebuild(articles, skipped)
        build_s = time.perf_counter() - started
        # As in the bot, where a rebuild's articles are gone before the store is loaded.
        counted = len(articles)
        del articles
        started = time.perf_counter()
        facts = await store.load()
        store_load_s = time.perf_counter() - started
    finally:
        await store.close()
    return {
        "articles": counted,
        "skipped": len(skipped),
        "build_s": build_s,
        "store_load_s": store_load_s,
        "facts": facts,
    }


def _profile_loop(function: Callable[[str], Any], questions: Sequence[str]) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        log("pyinstrument is not installed: cProfile instead")
        profiler = cProfile.Profile()
        profiler.enable()
        time_each(function, questions)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        return
    profile = Profiler(interval=0.0005)
    profile.start()
    time_each(function, questions)
    profile.stop()
    print(profile.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)


def run(
    n_facts: int,
    n_queries: int,
    *,
    seeds: Path,
    corpus: str = "news",
    profile: bool = False,
    baselines: bool = True,
) -> dict[str, Any]:
    """Generate, build, load, ask; the measurements as a flat dict (see the module doc)."""
    from .baselines import BM25Baseline, TantivyBaseline

    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="citybot-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        if corpus == "news":
            _write_news_corpus(n_facts, seeds, root / "articles")
        else:
            articles = make_corpus(n_facts, seeds)
            write_corpus(articles, root / "articles")
            # The generator's own objects are not citybot's: they must not count in its RSS.
            del articles
        log(f"{corpus} corpus in {time.perf_counter() - started:.1f} s")
        built = asyncio.run(_build_and_load(root / "articles", root / "bench.db"))
        facts: list[Fact] = built["facts"]
        db_mb = (root / "bench.db").stat().st_size / 2**20
    log(f"build: {built['articles']} articles, {len(facts)} facts in {built['build_s']:.1f} s")
    FactIndex.build(seed_facts(seeds))  # lexicon and data files: loaded once, not the index
    before = current_rss_mb()
    started = time.perf_counter()
    index = FactIndex.build(facts)
    index_build_s = time.perf_counter() - started
    after = current_rss_mb()
    log(f"index: {index_build_s:.1f} s")

    mix = EVAL_MIX if corpus == "news" else None
    questions = make_questions(facts, n_queries, n_facts, mix=mix)
    texts = [q.text for q in questions]
    for warm in WARM_UP:
        ask(index, warm)
    started = time.perf_counter()
    answers = []
    latencies = []
    cpu = []  # the thread's CPU time: what other jobs on a shared machine change least
    for text in texts:
        t0, c0 = time.perf_counter(), time.thread_time()
        answers.append(ask(index, text))
        cpu.append((time.thread_time() - c0) * 1000.0)
        latencies.append((time.perf_counter() - t0) * 1000.0)
    loop_s = time.perf_counter() - started
    p50, p95, p99 = percentiles(latencies)
    cpu_p50, _, cpu_p99 = percentiles(cpu)
    log(f"citybot: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms (CPU p50 {cpu_p50:.2f})")
    rss_mb = peak_rss_mb()
    serving_mb = current_rss_mb()  # after the questions: what answering keeps resident
    if profile:
        _profile_loop(lambda q: ask(index, q), texts)

    answerable = [(q, a) for q, a in zip(questions, answers, strict=True) if q.kind != "abstain"]
    abstain = [a for q, a in zip(questions, answers, strict=True) if q.kind == "abstain"]
    hits = sum(
        1 for q, a in answerable if a.found and a.source and a.source.article_id == q.article_id
    )
    result.update(
        corpus=corpus,
        facts=len(facts),
        terms=len(index.postings.idf),
        articles=built["articles"],
        build_s=round(built["build_s"], 3),
        articles_per_s=round(built["articles"] / built["build_s"], 1) if built["build_s"] else 0,
        load_s=round(built["store_load_s"] + index_build_s, 3),
        index_load_s=round(built["store_load_s"] + index_build_s, 3),
        store_load_s=round(built["store_load_s"], 3),
        index_build_s=round(index_build_s, 3),
        queries=len(texts),
        p50_ms=round(p50, 3),
        p95_ms=round(p95, 3),
        p99_ms=round(p99, 3),
        mean_ms=round(statistics.fmean(latencies), 3) if latencies else 0.0,
        cpu_p50_ms=round(cpu_p50, 3),
        cpu_p99_ms=round(cpu_p99, 3),
        qps=round(len(texts) / loop_s, 1) if loop_s else 0.0,
        rss_mb=round(rss_mb, 1),
        rss_serving_mb=round(serving_mb, 1) if serving_mb is not None else None,
        index_mb=round(after - before, 1) if after is not None and before is not None else None,
        db_mb=round(db_mb, 1),
        answered_pct=_share(sum(1 for _, a in answerable if a.found), len(answerable)),
        source_article_pct=_share(hits, len(answerable)),
        abstained_pct=_share(sum(1 for a in abstain if not a.found), len(abstain)),
    )
    if not baselines:
        return result

    result["tantivy_build_s"], tantivy_p50 = _time_baseline(TantivyBaseline, facts, texts)
    log(f"tantivy: p50 {tantivy_p50:.3f} ms")
    sample = texts
    if len(facts) >= BM25_SAMPLE_FROM and len(texts) > BM25_SAMPLE:
        sample = random.Random(n_facts).sample(texts, BM25_SAMPLE)
    result["bm25_build_s"], bm25_p50 = _time_baseline(BM25Baseline, facts, sample)
    log(f"bm25: p50 {bm25_p50:.3f} ms over {len(sample)} questions")
    result.update(
        tantivy_p50_ms=round(tantivy_p50, 4),
        bm25_p50_ms=round(bm25_p50, 4),
        bm25_queries=len(sample),
        ratio_vs_tantivy=round(p50 / tantivy_p50, 2) if tantivy_p50 else None,
        rss_with_baselines_mb=round(peak_rss_mb(), 1),
    )
    return result


def _write_news_corpus(n_facts: int, seeds: Path, directory: Path) -> None:
    """The news-shaped corpus (knowledge/dev/news_corpus.py), written by a process of its
    own: the generator's dictionary and caches are not citybot's peak RSS."""
    import subprocess

    command = [sys.executable, "-m", "knowledge.dev.news_corpus", "--facts", str(n_facts)]
    command += ["--out", str(directory), "--seeds", str(seeds)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _time_baseline(
    cls: type[BM25Baseline] | type[TantivyBaseline], facts: Sequence[Fact], texts: Sequence[str]
) -> tuple[float, float]:
    """Build time in s and p50 question latency in ms of a baseline (freed afterwards)."""
    started = time.perf_counter()
    matcher = cls.build(facts)
    build_s = round(time.perf_counter() - started, 3)
    matcher.match(WARM_UP[0])
    return build_s, percentiles(time_each(lambda q: matcher.match(q, limit=3), texts))[0]


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


TABLE = (
    ("corpus", "corpus"),
    ("facts", "facts"),
    ("terms", "terms in the index"),
    ("articles", "articles"),
    ("build_s", "build (parse + extract + store), s"),
    ("articles_per_s", "articles per second"),
    ("load_s", "load (store.load + FactIndex.build), s"),
    ("index_build_s", "  of which FactIndex.build, s"),
    ("queries", "questions"),
    ("p50_ms", "citybot p50, ms"),
    ("p95_ms", "citybot p95, ms"),
    ("p99_ms", "citybot p99, ms"),
    ("qps", "citybot questions per second"),
    ("cpu_p50_ms", "citybot p50 CPU time (thread), ms"),
    ("answered_pct", "answerable questions answered, %"),
    ("source_article_pct", "  answered from their source article, %"),
    ("abstained_pct", "must-abstain questions abstained, %"),
    ("rss_mb", "peak RSS (citybot), MB"),
    ("rss_serving_mb", "  RSS after the questions, MB"),
    ("index_mb", "index memory (RSS growth), MB"),
    ("db_mb", "SQLite file, MB"),
    ("tantivy_p50_ms", "tantivy p50, ms"),
    ("bm25_p50_ms", "BM25 p50, ms"),
    ("bm25_queries", "  BM25 questions timed"),
    ("ratio_vs_tantivy", "citybot p50 / tantivy p50"),
)


def format_table(result: dict[str, Any]) -> str:
    width = max(len(label) for _, label in TABLE)
    return "\n".join(f"{label:<{width}}  {result[key]}" for key, label in TABLE if key in result)


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["bench"]:
        args_in = args_in[1:]
    if args_in[:1] == ["--pathological-case"]:
        print(json.dumps(run_pathological_case(args_in[1]), ensure_ascii=False))
        return 0
    if "--pathological" in args_in:
        results = run_pathological()
        if "--json" in args_in:
            print(json.dumps(results, ensure_ascii=False))
        else:
            print(format_pathological(results))
        return 0 if all(r["within_targets"] for r in results) else 1
    parser = argparse.ArgumentParser(
        prog="python -m knowledge bench",
        description="Build, load and question latency on a synthetic corpus of N facts.",
    )
    parser.add_argument("--facts", type=int, default=1000, help="corpus size in facts")
    parser.add_argument("--queries", type=int, default=1000, help="questions to time")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--profile", action="store_true", help="profile the question loop")
    parser.add_argument("--seeds", type=Path, default=None, help="the seed articles")
    parser.add_argument(
        "--corpus",
        choices=("news", "seeds"),
        default="news",
        help="news: a vocabulary growing as news vocabulary does (knowledge/dev/news_corpus.py); "
        "seeds: the seed sentences recombined (the corpus of the numbers before issue 19)",
    )
    parser.add_argument(
        "--pathological",
        action="store_true",
        help="peak RSS and time of hostile inputs instead (a 50,000-letter word, 200,000 "
        "numbers in one sentence, a 2 MB file of one sentence), each in a fresh process",
    )
    args = parser.parse_args(args_in)
    if args.facts < 1 or args.queries < 1:
        parser.error("--facts and --queries must be positive")
    from .evaluate import DEFAULT_ARTICLES, _existing

    seeds = args.seeds or _existing(DEFAULT_ARTICLES)
    result = run(args.facts, args.queries, seeds=seeds, corpus=args.corpus, profile=args.profile)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
