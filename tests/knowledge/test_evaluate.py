"""The evaluator (with a fake ask, no real matcher) and the question set's well-formedness."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest

from knowledge import answer as answer_module
from knowledge.answer import Answer, Source
from knowledge.dev import evaluate as ev
from knowledge.facts import Fact
from knowledge.figures import Figure
from knowledge.index import FactIndex
from knowledge.match import Match

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
SEEDS = ROOT / "seeds"

A0 = "000_76f55cd445ededdb.txt"
A1 = "001_9e8737218ffa3194.txt"
A4 = "004_e37ac366897bb94f.txt"
DATES = {A0: dt.date(2025, 9, 12), A1: dt.date(2026, 1, 9), A4: None}
INDEX = cast(FactIndex, object())  # the fake ask functions never look at it

TOURISTS_QUOTE = (
    "За девять месяцев 2025 года количество туристов увеличилось на 8% и составило "
    "1,9 млн человек, объем оказанных туристских услуг вырос на 17,3%, достигнув 82,4 млрд тенге."
)
MSP_QUOTE = (
    "В городе функционирует порядка 405 тыс. субъектов малого и среднего бизнеса, что "
    "составляет около 18% от общего количества МСП в стране."
)
AKIM_QUOTE = (
    "Дархан Сатыбалды отметил, что Алматы сохраняет лидирующие позиции по развитию "
    "предпринимательства."
)
IZA_QUOTE = "(сегодня общая площадь ИЗА составляет 490 га)"


def found(
    question: str,
    figure: str | None,
    quote: str,
    article: str,
    date: dt.date | None = None,
    *,
    use_article_date: bool = True,
) -> Answer:
    shown = Figure(text=figure, value=0.0, kind="number") if figure is not None else None
    when = DATES[article] if use_article_date else date
    return Answer(
        question=question,
        found=True,
        figure=shown,
        quote=quote,
        source=Source(article_id=article, title="заголовок", date=when),
    )


def not_found(question: str) -> Answer:
    return Answer(question=question, found=False, suggestions=("Сколько туристов?",))


def q(
    id: str,
    category: str = "direct",
    split: str = "tune",
    *,
    figure: str | None = None,
    text: str | None = None,
    article: str | None = A1,
    date: str | None = "2026-01-09",
) -> ev.EvalQuestion:
    if category == "abstain":
        return ev.EvalQuestion(id, f"вопрос {id}", category, split, found=False)
    return ev.EvalQuestion(id, f"вопрос {id}", category, split, True, figure, text, article, date)


# --- judge ---------------------------------------------------------------------------------


def test_judge_figure_article_and_date_right() -> None:
    verdict = ev.judge(q("a", figure="1,9 млн"), found("?", "1,9 млн человек", TOURISTS_QUOTE, A1))
    assert verdict.correct
    assert verdict.reasons == ()
    assert verdict.answered.startswith("1,9 млн человек | " + A1 + " 2026-01-09 | ")


def test_judge_figure_is_matched_as_a_whole_number() -> None:
    tourists_growth = q("a", figure="8%")
    assert ev.judge(tourists_growth, found("?", "на 8%", TOURISTS_QUOTE, A1)).correct
    wrong = ev.judge(tourists_growth, found("?", "около 18%", MSP_QUOTE, A1))
    assert not wrong.correct
    assert wrong.reasons == ("figure 'около 18%' (expected '8%')",)
    newest = q("b", figure="10 тыс.")
    assert not ev.judge(newest, found("?", "210 тыс. человек", "…", A1)).correct
    assert ev.judge(newest, found("?", "до 10 тыс.", "…", A1)).correct
    assert not ev.judge(q("c", figure="1 млн"), found("?", "1,9 млн", "…", A1)).correct
    assert not ev.judge(q("d", figure="190"), found("?", "1900", "…", A1)).correct


def test_judge_wrong_article_date_or_missing_figure() -> None:
    question = q("a", figure="1,9 млн")
    wrong_article = ev.judge(question, found("?", "1,9 млн", TOURISTS_QUOTE, A0))
    assert not wrong_article.correct
    assert wrong_article.reasons == (
        f"article {A0} (expected {A1})",
        "date 2025-09-12 (expected 2026-01-09)",
    )
    wrong_date = ev.judge(
        question,
        found("?", "1,9 млн", TOURISTS_QUOTE, A1, dt.date(2026, 1, 10), use_article_date=False),
    )
    assert wrong_date.reasons == ("date 2026-01-10 (expected 2026-01-09)",)
    no_figure = ev.judge(question, found("?", None, TOURISTS_QUOTE, A1))
    assert no_figure.reasons == ("no figure (expected '1,9 млн')",)
    abstained = ev.judge(question, not_found("?"))
    assert not abstained.correct
    assert abstained.reasons == ("abstained",)
    assert abstained.answered == "не найдено"


def test_judge_undated_article() -> None:
    question = q("a", figure="490 га", article=A4, date=None)
    assert ev.judge(question, found("?", "490 га", IZA_QUOTE, A4)).correct
    dated = found("?", "490 га", IZA_QUOTE, A4, dt.date(2024, 2, 24), use_article_date=False)
    assert ev.judge(question, dated).reasons == ("date 2024-02-24 (expected None)",)


def test_judge_text_for_facts_without_a_figure() -> None:
    akim = q("a", text="Сатыбалды")
    # a figure shown or not does not matter when none is expected
    assert ev.judge(akim, found("?", None, AKIM_QUOTE, A1)).correct
    assert ev.judge(akim, found("?", "405 тыс.", AKIM_QUOTE, A1)).correct
    wrong = ev.judge(akim, found("?", None, MSP_QUOTE, A1))
    assert wrong.reasons == ("quote lacks 'Сатыбалды'",)


def test_judge_abstain_questions() -> None:
    weather = q("a", "abstain")
    assert ev.judge(weather, not_found("Погода?")).correct
    answered = ev.judge(weather, found("Погода?", "490 га", IZA_QUOTE, A4))
    assert not answered.correct
    assert answered.reasons == ("answered a must-abstain question",)
    assert answered.answered.startswith("490 га | " + A4 + " без даты | ")


# --- evaluate ------------------------------------------------------------------------------


QUESTION_SET = [
    ev.EvalQuestion(
        "q1", "Сколько туристов?", "direct", "tune", True, "1,9 млн", None, A1, "2026-01-09"
    ),
    ev.EvalQuestion(
        "q2", "рост туристов", "colloquial", "holdout", True, "8%", None, A1, "2026-01-09"
    ),
    ev.EvalQuestion(
        "q3", "Кто аким?", "direct", "holdout", True, None, "Сатыбалды", A1, "2026-01-09"
    ),
    ev.EvalQuestion("q4", "площадь иза", "colloquial", "tune", True, "490 га", None, A4, None),
    ev.EvalQuestion("q5", "Погода?", "abstain", "tune", False),
    ev.EvalQuestion("q6", "Курс доллара?", "abstain", "holdout", False),
    ev.EvalQuestion(
        "q7", "Сломанный вопрос", "typo", "tune", True, "1,9 млн", None, A1, "2026-01-09"
    ),
]

FAKE_ANSWERS = {
    "Сколько туристов?": found("Сколько туристов?", "1,9 млн человек", TOURISTS_QUOTE, A1),
    "рост туристов": found("рост туристов", "около 18%", MSP_QUOTE, A1),  # wrong figure
    "Кто аким?": found("Кто аким?", None, AKIM_QUOTE, A1),
    "площадь иза": not_found("площадь иза"),  # wrongly abstained
    "Погода?": not_found("Погода?"),
    "Курс доллара?": found("Курс доллара?", "1,9 млн", TOURISTS_QUOTE, A1),  # should abstain
}


def fake_ask(index: FactIndex, question: str) -> Answer:
    assert index is INDEX
    if question == "Сломанный вопрос":
        raise RuntimeError("boom")
    return FAKE_ANSWERS[question]


def test_evaluate_counts_per_category_and_split() -> None:
    report = ev.evaluate(INDEX, QUESTION_SET, ask=fake_ask)
    assert report.total == 7
    assert report.correct == 3
    rows = {(r.category, r.split): (r.total, r.correct) for r in report.rows}
    assert rows == {
        ("direct", "tune"): (1, 1),
        ("direct", "holdout"): (1, 1),
        ("colloquial", "tune"): (1, 0),
        ("colloquial", "holdout"): (1, 0),
        ("typo", "tune"): (1, 0),
        ("abstain", "tune"): (1, 1),
        ("abstain", "holdout"): (1, 0),
    }
    assert [r.category for r in report.rows] == [
        "direct",
        "direct",
        "colloquial",
        "colloquial",
        "typo",
        "abstain",
        "abstain",
    ]
    splits = {s.split: s for s in report.splits}
    assert splits["tune"] == ev.SplitTotals("tune", 3, 1, 1, 1)
    assert splits["holdout"] == ev.SplitTotals("holdout", 2, 1, 1, 0)
    assert report.row("all", "tune").total == 4
    assert report.row("all", "tune").correct == 2
    assert report.row("colloquial", "all").correct == 0
    assert report.row("colloquial", "all").total == 2


def test_evaluate_failures_say_what_was_answered() -> None:
    report = ev.evaluate(INDEX, QUESTION_SET, ask=fake_ask)
    failures = {r.question.id: r.verdict for r in report.failures}
    assert sorted(failures) == ["q2", "q4", "q6", "q7"]
    assert failures["q2"].answered.startswith("около 18% | " + A1)
    assert failures["q4"].reasons == ("abstained",)
    assert failures["q6"].reasons == ("answered a must-abstain question",)
    assert failures["q7"].reasons == ("error: RuntimeError: boom",)
    colloquial_tune = report.row("colloquial", "tune")
    assert [r.question.id for r in colloquial_tune.failures] == ["q4"]
    assert report.median_latency_ms >= 0.0
    assert all(r.latency_ms >= 0.0 for r in report.results)


def test_format_report() -> None:
    report = ev.evaluate(INDEX, QUESTION_SET, ask=fake_ask)
    text = ev.format_report(report)
    lines = text.splitlines()
    assert lines[0].split() == ["category", "split", "n", "correct", "%"]
    assert "direct      tune        1        1  100.0" in lines
    assert "colloquial  holdout     1        0    0.0" in lines
    assert "all         all         7        3   42.9" in lines
    assert "tune: answerable correct 1/3 (33.3%), abstained correctly 1/1 (100.0%)" in lines
    assert "holdout: answerable correct 1/2 (50.0%), abstained correctly 0/1 (0.0%)" in lines
    assert any(line.startswith("median latency: ") for line in lines)
    assert "рост туристов" not in text
    assert "2 tune failures (--failures lists them)" in lines
    verbose = ev.format_report(report, verbose=True)
    assert "[q4 colloquial/tune] площадь иза" in verbose
    assert "    expected: 490 га | " + A4 + " без даты" in verbose
    assert "    why: error: RuntimeError: boom" in verbose
    # a held-out failure is never listed, only counted
    assert "рост туристов" not in verbose
    assert "q2" not in verbose


def test_empty_evaluation() -> None:
    report = ev.evaluate(INDEX, [], ask=fake_ask)
    assert report.total == 0
    assert report.rows == ()
    assert report.splits == ()
    assert report.median_latency_ms == 0.0
    assert "all         all         0        0      —" in ev.format_report(report).splitlines()


# --- loading and the command line ----------------------------------------------------------


def write_lines(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(
        "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n\n", encoding="utf-8"
    )
    return path


GOOD_ROWS: list[dict[str, object]] = [
    {
        "id": "q1",
        "question": "Сколько туристов?",
        "category": "direct",
        "split": "tune",
        "found": True,
        "figure": "1,9 млн",
        "article": A1,
        "date": "2026-01-09",
    },
    {
        "id": "q2",
        "question": "Кто аким?",
        "category": "paraphrase",
        "split": "holdout",
        "found": True,
        "figure": None,
        "text": "Сатыбалды",
        "article": A1,
        "date": "2026-01-09",
    },
    {"id": "q3", "question": "Погода?", "category": "abstain", "split": "tune", "found": False},
]


def test_load_questions(tmp_path: Path) -> None:
    questions = ev.load_questions(write_lines(tmp_path / "q.jsonl", GOOD_ROWS))
    assert [x.id for x in questions] == ["q1", "q2", "q3"]
    assert questions[1] == ev.EvalQuestion(
        "q2", "Кто аким?", "paraphrase", "holdout", True, None, "Сатыбалды", A1, "2026-01-09"
    )
    assert questions[2] == ev.EvalQuestion("q3", "Погода?", "abstain", "tune", False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "q1"}, "duplicate id"),
        ({"category": "slang"}, "unknown category"),
        ({"split": "train"}, "unknown split"),
        ({"found": True}, "category 'abstain' goes with found=false"),
        ({"figure": "1"}, "a must-abstain question has no figure"),
    ],
)
def test_load_questions_rejects_bad_rows(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    rows = [*GOOD_ROWS[:2], {**GOOD_ROWS[2], **change}]
    with pytest.raises(ValueError, match=message):
        ev.load_questions(write_lines(tmp_path / "q.jsonl", rows))


def test_load_questions_rejects_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1",\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.jsonl:1: invalid JSON"):
        ev.load_questions(path)


def test_main_runs_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Path] = []

    def fake_build_index(*directories: Path) -> FactIndex:
        seen.extend(directories)
        return INDEX

    monkeypatch.setattr(ev, "build_index", fake_build_index)
    monkeypatch.setattr(answer_module, "ask", fake_ask)
    path = write_lines(tmp_path / "q.jsonl", [row for row in GOOD_ROWS if row["id"] != "q2"])
    monkeypatch.setitem(FAKE_ANSWERS, "Погода?", not_found("Погода?"))
    code = ev.main(
        ["--questions", str(path), "--articles", str(tmp_path), "--split", "tune", "--failures"]
    )
    assert code == 0
    assert seen == [tmp_path]
    out = capsys.readouterr().out
    assert "tune: answerable correct 1/1 (100.0%), abstained correctly 1/1 (100.0%)" in out
    assert "holdout" not in out


# --- the question set ----------------------------------------------------------------------

MINIMUMS = {
    "direct": 30,
    "paraphrase": 25,
    "colloquial": 25,
    "typo": 15,
    "latin": 10,
    "kazakh": 10,
    "english": 10,
    "abstain": 30,
}


def raw_rows() -> list[dict[str, object]]:
    rows = []
    for number, line in enumerate(QUESTIONS.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"blank line {number}"
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number}"
        rows.append(row)
    return rows


def article_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def test_question_set_is_well_formed() -> None:
    rows = raw_rows()
    assert len(rows) >= 170
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids)
    for row in rows:
        assert row["category"] in ev.CATEGORIES, row
        assert row["split"] in ev.SPLITS, row
        assert isinstance(row["question"], str) and row["question"].strip(), row
        if row["found"] is False:
            assert row["category"] == "abstain", row
            assert set(row) == {"id", "question", "category", "split", "found"}, row
            continue
        assert row["found"] is True, row
        assert row["category"] != "abstain", row
        assert {"figure", "article", "date"} <= set(row), row
        assert set(row) <= {
            "id",
            "question",
            "category",
            "split",
            "found",
            "figure",
            "text",
            "article",
            "date",
        }, row
        if row["figure"] is None:
            assert isinstance(row.get("text"), str) and row["text"], row
    # and the evaluator's own loader agrees
    assert len(ev.load_questions(QUESTIONS)) == len(rows)


def test_probe_set_loads_and_points_into_the_articles() -> None:
    # tests/eval/probes.jsonl: the probes rules were found on (tune only), 15 sets of 100
    probes = ev.load_questions(QUESTIONS.with_name("probes.jsonl"))
    assert len(probes) == 1500
    assert {q.split for q in probes} == {"tune"}
    assert not {q.id for q in probes} & {q.id for q in ev.load_questions(QUESTIONS)}
    for q in probes:
        if q.found:
            text = article_text(q.article)
            assert (q.figure or q.text or "") in text, q.id


def test_question_set_sizes_and_splits() -> None:
    rows = raw_rows()
    per_category = Counter(str(row["category"]) for row in rows)
    for category, minimum in MINIMUMS.items():
        assert per_category[category] >= minimum, category
    for category in ev.CATEGORIES:
        splits = Counter(str(row["split"]) for row in rows if row["category"] == category)
        assert abs(splits["tune"] - splits["holdout"]) <= 1, (category, splits)


def test_question_set_expectations_occur_in_the_articles() -> None:
    for row in raw_rows():
        if not row["found"]:
            continue
        name = str(row["article"])
        assert (SEEDS / name).is_file(), row
        text = article_text(name)
        if row["figure"] is not None:
            assert str(row["figure"]) in text, row
        if row.get("text") is not None:
            assert str(row["text"]) in text, row
        dated = re.match(r"\s*date (\d{4}-\d{2}-\d{2})", text)
        assert row["date"] == (dated.group(1) if dated else None), row


NEWS = QUESTIONS.with_name("news.jsonl")
NEWS_ARTICLES = QUESTIONS.with_name("articles")


def test_news_set_is_split_by_article_and_points_into_its_articles() -> None:
    """tests/eval/news.jsonl: questions on the test articles about other cities, written
    without sight of the matcher; every question on one article is in one split."""
    news = ev.load_questions(NEWS, corpus="news")
    assert len(news) >= 600
    assert sum(not q.found for q in news) >= len(news) // 4
    assert not {q.id for q in news} & {q.id for q in ev.load_questions(QUESTIONS)}
    articles = {path.name: path for path in NEWS_ARTICLES.glob("*.txt")}
    assert len(articles) >= 40
    split_of: dict[str, set[str]] = {}
    for q in news:
        if not q.found:
            continue
        assert q.article in articles, q.id
        split_of.setdefault(q.article, set()).add(q.split)
        text = articles[q.article].read_text(encoding="utf-8")
        assert (q.figure or q.text or "") in text, q.id
        assert f"date: {q.date}" in text, q.id
    assert all(len(splits) == 1 for splits in split_of.values())
    held_out = [name for name, splits in split_of.items() if splits == {"holdout"}]
    assert 0.4 <= len(held_out) / len(split_of) <= 0.6
    for category in ("context", "words", "relative", "newest"):
        assert sum(q.category == category for q in news) >= 30, category


def test_question_set_covers_every_figure() -> None:
    """Every figure of the articles is asked about at least twice."""
    expected = Counter(
        (str(row["article"]), str(row["figure"]))
        for row in raw_rows()
        if row["found"] and row["figure"] is not None
    )
    figures = {
        A0: ["53%", "4 трлн", "190", "3,6 трлн", "2029", "1 млн", "300 млрд"],
        A1: [
            "405 тыс.",
            "18%",
            "60%",
            "90%",
            "1,2 трлн",
            "8%",
            "1,9 млн",
            "17,3%",
            "82,4 млрд",
            "350 км",
            "38,8 млрд",
            "330 тыс.",
            "21 тыс.",
            "10 тыс.",
            "432 млрд",
        ],
        A4: ["20,6%", "26,2%", "40%", "490 га", "июне 2024"],
    }
    for article, wanted in figures.items():
        for figure in wanted:
            assert expected[(article, figure)] >= 2, (article, figure)


# --- compare: bare matchers and the baselines ----------------------------------------------


def fact(text: str, article: str = A1, date: dt.date | None = dt.date(2026, 1, 9)) -> Fact:
    return Fact(f"{article}#0", article, 0, text, (), "заголовок", date)


def top(text: str, article: str = A1, date: dt.date | None = dt.date(2026, 1, 9)) -> list[Match]:
    return [Match(fact(text, article, date), 1.0, None)]


def test_judge_top_reads_the_top_sentence() -> None:
    tourists = q("a", figure="1,9 млн")
    assert ev.judge_top(tourists, top(TOURISTS_QUOTE)).correct
    assert ev.judge_top(q("b", figure="8%"), top(TOURISTS_QUOTE)).correct
    assert not ev.judge_top(q("c", figure="9 млн"), top(TOURISTS_QUOTE)).correct  # whole number
    wrong = ev.judge_top(tourists, top(MSP_QUOTE) + top(TOURISTS_QUOTE))
    assert wrong.reasons == ("sentence lacks '1,9 млн'",)
    other = ev.judge_top(tourists, top(TOURISTS_QUOTE, A0, dt.date(2025, 9, 12)))
    assert other.reasons == (
        f"article {A0} (expected {A1})",
        "date 2025-09-12 (expected 2026-01-09)",
    )
    assert ev.judge_top(q("d", text="Сатыбалды"), top(AKIM_QUOTE)).correct
    iza = q("e", figure="490 га", article=A4, date=None)
    assert ev.judge_top(iza, top(IZA_QUOTE, A4, None)).correct
    assert ev.judge_top(tourists, []).reasons == ("abstained",)
    assert ev.judge_top(q("f", "abstain"), []).correct
    answered = ev.judge_top(q("f", "abstain"), top(IZA_QUOTE, A4, None))
    assert answered.reasons == ("answered a must-abstain question",)


class FakeMatcher:
    threshold = 0.0

    def match(self, question: str, *, limit: int = 3) -> list[Match]:
        if question == "Сломанный вопрос":
            raise RuntimeError("boom")
        if question.startswith(("Сколько", "рост")):
            return top(TOURISTS_QUOTE)
        return []


def test_evaluate_matcher() -> None:
    report = ev.evaluate_matcher(FakeMatcher(), QUESTION_SET)
    verdicts = {r.question.id: r.verdict for r in report.results}
    assert [qid for qid, v in verdicts.items() if v.correct] == ["q1", "q2", "q5", "q6"]
    assert verdicts["q3"].reasons == ("abstained",)
    assert verdicts["q7"].reasons == ("error: RuntimeError: boom",)


NEWS_SET = [replace(x, corpus="news") for x in QUESTION_SET[:2]]


def fake_comparison() -> ev.Comparison:
    questions = QUESTION_SET + NEWS_SET
    citybot = ev.evaluate(INDEX, questions, ask=fake_ask)
    bare = ev.evaluate_matcher(FakeMatcher(), questions)
    return ev.Comparison({"citybot": citybot, "bm25": bare, "tantivy": bare}, {"bm25": 1.5})


def test_format_compare() -> None:
    lines = ev.format_compare(fake_comparison()).splitlines()
    assert lines[1].split() == (
        ["set", "split", "n", "citybot", "bm25", "tantivy", "|"]
        + ["n", "citybot", "bm25", "tantivy"]
    )
    rows = [line.split() for line in lines[3:7]]
    assert rows == [
        ["seed", "tune", "3", "33.3", "33.3", "33.3", "|", "1", "100.0", "100.0", "100.0"],
        ["seed", "holdout", "2", "50.0", "50.0", "50.0", "|", "1", "0.0", "100.0", "100.0"],
        ["news", "tune", "1", "100.0", "100.0", "100.0", "|", "0", "—", "—", "—"],
        ["news", "holdout", "1", "0.0", "100.0", "100.0", "|", "0", "—", "—", "—"],
    ]
    assert any(line.startswith("median latency, ms: citybot ") for line in lines)
    assert "thresholds: bm25 ≥ 1.50" in lines
    assert any("top sentence" in line for line in lines)
    assert max(len(line) for line in lines) <= 99


def test_format_compare_markdown() -> None:
    lines = ev.format_compare(fake_comparison(), markdown=True).splitlines()
    assert lines[0] == (
        "| set | split | answerable | citybot % | bm25 % | tantivy % "
        "| must abstain | citybot % | bm25 % | tantivy % |"
    )
    assert lines[1] == "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
    assert "| seed | holdout | 2 | 50.0 | 50.0 | 50.0 | 1 | 0.0 | 100.0 | 100.0 |" in lines
    assert "| news | tune | 1 | 100.0 | 100.0 | 100.0 | 0 | — | — | — |" in lines
    assert lines[-1].startswith("Thresholds: bm25 ≥ 1.50. citybot is judged")


def test_compare_on_the_seeds(seed_index: FactIndex) -> None:
    pytest.importorskip("tantivy")
    pytest.importorskip("rank_bm25")
    questions = ev.load_questions(QUESTIONS)[::5]
    comparison = ev.compare(seed_index, questions, splits=("holdout",))
    assert list(comparison.reports) == ["citybot", "bm25", "tantivy"]
    assert set(comparison.thresholds) == {"bm25", "tantivy"}
    holdout = [x for x in questions if x.split == "holdout"]
    for report in comparison.reports.values():
        assert [r.question for r in report.results] == holdout
    # the seeds' plain questions are answered by every matcher
    for report in comparison.reports.values():
        assert report.row("direct", "holdout").correct >= 1


def test_main_compare_markdown(
    seed_index: FactIndex, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tantivy")
    pytest.importorskip("rank_bm25")
    monkeypatch.setattr(ev, "build_index", lambda *directories: seed_index)
    assert ev.main(["--questions", str(QUESTIONS), "--markdown", "--split", "tune"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| set | split | answerable | citybot % | bm25 % | tantivy % |")
    assert "| questions | tune | 402 |" in out
    assert "holdout" not in out
    with pytest.raises(SystemExit):
        ev.main(["--markdown", "--categories"])
