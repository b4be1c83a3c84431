"""A hash of every answer on every question set: proof that a refactoring changed nothing.

`python -m knowledge.dev.fingerprint [--articles DIR ...] [--out FILE] QUESTIONS.jsonl ...`
builds one in-memory index from the article folders (default `seeds`), asks every question
(field "question") through `knowledge.answer.ask` and renders the whole `Answer` — every
field, recursively — with the top `rank(question, limit=5, threshold=False)` matches. It
prints one sha256 per file, one for the index's own paths (topics, examples, suggestions,
digests on fixed inputs) and one over all; `--out` keeps the rendered lines, to diff.

Why not the eval's verdicts: a verdict can stay «correct» while the score, the notes or a
suggestion change; a refactoring must change none of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import FactIndex
from ..answer import ask
from ..articles import read_articles
from ..facts import extract_facts

# Fixed inputs for the index's paths that no question file reaches on its own.
_SUGGESTION_INPUTS = ("", "туризм", "Сколько туристов приехало?", "погода в Астане")
_DIGEST_INPUTS = ("туризм", "Что известно про бюджет?", "Какие планы до 2030 года?", "инвестиции")


def canonical(value: object) -> object:
    """A JSON-able rendering of any value the answer path returns, the same on every run."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # Derived properties (a fact's years and amounts) are functions of the fields.
        # Fields marked IN_WHY repeat what the match's `why` spells out (knowledge/match.py).
        return {
            f.name: canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.metadata.get("in_why")
        }
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value


def _line(record: object) -> str:
    return json.dumps(canonical(record), ensure_ascii=False, sort_keys=True)


def question_lines(index: FactIndex, questions: Iterable[str]) -> list[str]:
    """One rendered line per question: the whole answer and the top five candidates."""
    lines = []
    for question in questions:
        answer = ask(index, question)
        top = [
            {
                "fact": m.fact.id,
                "figure": m.figure.text if m.figure else None,
                "score": round(m.score, 6),
            }
            for m in index.rank(question, limit=5, threshold=False)
        ]
        lines.append(_line({"question": question, "answer": answer, "rank": top}))
    return lines


def index_lines(index: FactIndex) -> list[str]:
    """The topic, suggestion and digest paths on fixed inputs."""
    lines = [
        _line({"topics": {t: [f.id for f in facts] for t, facts in index.topics().items()}}),
        _line({"examples": index.examples()}),
    ]
    lines += [_line({"suggestions": q, "out": index.suggestions(q)}) for q in _SUGGESTION_INPUTS]
    lines += [_line({"digest": q, "out": index.digest(q)}) for q in _DIGEST_INPUTS]
    lines += [_line({"topic_of": f.id, "out": index.topic_of(f)}) for f in index.facts[:200]]
    return lines


def _questions(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["question"] for line in lines if line.strip()]


def _digest(lines: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def build(folders: Sequence[Path]) -> FactIndex:
    facts = []
    for folder in folders:
        articles, _ = read_articles(folder)
        facts += [fact for article in articles for fact in extract_facts(article)]
    return FactIndex.build(facts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.dev.fingerprint")
    parser.add_argument("--articles", type=Path, action="append", help="default: seeds")
    parser.add_argument("--out", type=Path, help="write every rendered line here")
    parser.add_argument("questions", type=Path, nargs="+")
    args = parser.parse_args(argv)
    index = build(args.articles or [Path("seeds")])
    everything: list[str] = []
    out: list[str] = []
    for path in args.questions:
        lines = question_lines(index, _questions(path))
        print(f"{_digest(lines)}  {path}")
        everything += lines
        out += [f"{path}\t{line}" for line in lines]
    lines = index_lines(index)
    print(f"{_digest(lines)}  (index: topics, examples, suggestions, digests)")
    everything += lines
    out += [f"index\t{line}" for line in lines]
    print(f"{_digest(everything)}  (all)")
    if args.out:
        args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
