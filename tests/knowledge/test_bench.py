"""The synthetic benchmark: deterministic corpus, one JSON object with the required keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import read_articles
from knowledge.dev import bench
from knowledge.facts import extract_facts

pytest.importorskip("rank_bm25")
pytest.importorskip("tantivy")

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
REQUIRED = (
    "facts",
    "articles",
    "build_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "qps",
    "rss_mb",
    "tantivy_p50_ms",
    "bm25_p50_ms",
    "ratio_vs_tantivy",
)


def test_corpus_is_deterministic_and_about_n_facts() -> None:
    first = bench.make_corpus(300, SEEDS)
    assert first == bench.make_corpus(300, SEEDS)
    assert first != bench.make_corpus(301, SEEDS)
    assert sum(a.sentences for a in first) == 300
    assert all(1 <= a.sentences <= 12 for a in first)
    assert len({a.name for a in first}) == len(first)


def test_corpus_files_go_through_the_real_parser(tmp_path: Path) -> None:
    corpus = bench.make_corpus(120, SEEDS)
    bench.write_corpus(corpus, tmp_path)
    articles, skipped = read_articles(tmp_path, today=bench.LAST_DATE)
    assert not skipped
    assert [a.id for a in articles] == [a.name for a in corpus]
    by_name = {a.name: a for a in corpus}
    for article in articles:
        assert article.date == by_name[article.id].date
        assert article.title == by_name[article.id].title
    facts = [f for a in articles for f in extract_facts(a)]
    assert abs(len(facts) - 120) <= 12
    assert sum(1 for f in facts if f.amounts) > 10  # figures survive the recombination
    seed_texts = {f.text for f in bench.seed_facts(SEEDS)}
    assert sum(f.text not in seed_texts for f in facts) > len(facts) // 3


def test_new_numbers_keep_their_format() -> None:
    import random

    rng = random.Random(1)
    for text, percent, pattern in (
        ("1,9", False, r"[1-9],\d"),
        ("405", False, r"[1-9]\d\d"),
        ("8", True, r"\d{1,2}"),
        ("17,3", True, r"[1-9]\d?,\d"),
        ("1 200", False, r"[1-9] \d{3}"),
    ):
        for _ in range(20):
            new = bench._new_number(rng, text, percent)
            assert __import__("re").fullmatch(pattern, new), (text, new)


def test_questions_mix() -> None:
    facts = list(bench.seed_facts(SEEDS))
    questions = bench.make_questions(facts, 40, 7)
    assert questions == bench.make_questions(facts, 40, 7)
    kinds = [q.kind for q in questions]
    assert kinds.count("abstain") == 10 and kinds.count("typo") == 10
    assert all(q.text.strip() for q in questions)


@pytest.mark.slow  # a whole benchmark run
def test_bench_json_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--facts", "300", "--queries", "50", "--json"]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.strip()]
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(REQUIRED) <= set(result)
    for key in REQUIRED:
        assert isinstance(result[key], int | float) and result[key] > 0, key
    assert result["corpus"] == "news"
    assert abs(result["facts"] - 300) <= 30
    assert result["queries"] == 50
    assert result["bm25_queries"] == 50
    assert "citybot" in captured.err  # progress goes to stderr


def test_bench_on_the_seed_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    """`--corpus seeds`: the recombined seed sentences, as before issue 19."""
    args = ["--facts", "200", "--queries", "20", "--corpus", "seeds", "--json"]
    assert bench.main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["corpus"] == "seeds"
    assert result["queries"] == 20 and abs(result["facts"] - 200) <= 20


def test_pathological_inputs_are_refused_by_the_cap_and_bounded_past_it() -> None:
    """`bench --pathological` runs each input through the parser (refused) and past the cap."""
    result = bench.run_pathological_case("word-50000")
    assert (result["case"], result["parse"], result["facts"]) == (
        "word-50000",
        "предложение длиннее 5 000 символов (50 040)",
        1,
    )
    table = bench.format_pathological([{**result, "within_targets": True}])
    assert table.splitlines()[1].startswith("word-50000")
