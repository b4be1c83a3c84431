"""`python -m knowledge bench --pathological [--json]`: peak RSS and time of the hostile
inputs of issue 20 (a 50,000-letter word, 200,000 numbers in one sentence, a 2 MB file of one
sentence), each in a fresh process (`python -m knowledge.dev.pathological CASE`); exit code 1
if one misses the targets (400 MB, 5 s)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..facts import extract_facts
from ..index import FactIndex
from .measure import log, peak_rss_mb
from .seed_corpus import LAST_DATE

# Each input goes through the real ingestion steps: the file is parsed as a reload would
# (where the sentence cap refuses it), and the step the cap protects is then run on it anyway
# (extraction and the index), to show that step is bounded by itself too.
PATHOLOGICAL = ("word-50000", "numbers-200000", "one-sentence-2mb")
PATHOLOGICAL_TARGETS = {"peak_rss_mb": 400.0, "seconds": 5.0}


def _pathological_text(case: str) -> str:
    if case == "word-50000":
        return "В 2025 году слово " + "ы" * 50_000 + " встретилось в статье."
    if case == "numbers-200000":
        return " ".join(["1"] * 200_000) + "."
    if case == "one-sentence-2mb":
        # 2 MB of ASCII words with no sentence end but the last: one sentence, one paragraph.
        return ("slovo " * 333_300).strip() + "."
    raise ValueError(case)


def run_pathological_case(case: str) -> dict[str, Any]:
    """One input, in this process (run it in a fresh one: peak RSS is the process's)."""
    from ..articles import Article, parse_article

    text = _pathological_text(case)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{case}.txt"
        path.write_text(f"---\ndate: 2026-01-09\ntitle: {case}\n---\n\n{text}\n", "utf-8")
        parsed = parse_article(path, today=LAST_DATE)
    parse_s = time.perf_counter() - started
    outcome = parsed.reason if not isinstance(parsed, Article) else "accepted"
    # Past the cap: the article as it would be without it, extracted and indexed.
    article = Article(case, case, dt.date(2026, 1, 9), None, (text,), "0" * 64)
    facts = extract_facts(article)
    extract_s = time.perf_counter() - started - parse_s
    index = FactIndex.build(facts, generation=1)
    seconds = time.perf_counter() - started
    return {
        "case": case,
        "bytes": len(text.encode()),
        "parse": outcome,
        "parse_s": round(parse_s, 3),
        "facts": len(index.facts),
        "figures": sum(len(f.figures) for f in facts),
        "extract_s": round(extract_s, 3),
        "index_s": round(seconds - parse_s - extract_s, 3),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def run_pathological() -> list[dict[str, Any]]:
    """Every pathological input, each in a fresh process."""
    import subprocess

    results = []
    for case in PATHOLOGICAL:
        log(f"pathological input {case}…")
        done = subprocess.run(
            [sys.executable, "-m", "knowledge.dev.pathological", case],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout)
        result["within_targets"] = all(
            result[key] <= limit for key, limit in PATHOLOGICAL_TARGETS.items()
        )
        results.append(result)
    return results


def format_pathological(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{'input':<18} {'parse (the file as a reload reads it)':<48} "
        f"{'extract s':>9} {'index s':>8} {'total s':>8} {'peak RSS MB':>11}  targets"
    ]
    for r in results:
        lines.append(
            f"{r['case']:<18} {r['parse'][:48]:<48} {r['extract_s']:>9.2f} {r['index_s']:>8.2f} "
            f"{r['seconds']:>8.2f} {r['peak_rss_mb']:>11.1f}  "
            + ("met" if r["within_targets"] else "MISSED")
        )
    lines.append(
        f"targets: each ≤ {PATHOLOGICAL_TARGETS['seconds']:g} s and "
        f"≤ {PATHOLOGICAL_TARGETS['peak_rss_mb']:g} MB peak RSS (a fresh process per input)"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps(run_pathological_case(sys.argv[1]), ensure_ascii=False))
