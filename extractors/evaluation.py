"""Score predictions against gold annotations: relevance accuracy and strict metric F1.

Pure: it takes plain dicts (the gold JSONL lines) and predictions however they
were produced (the benchmark's direct calls, or the warehouse after a real
pipeline run), so ``tipwatch eval`` and ``benchmarks/devset_eval.py`` share it.
A metric matches only when (path, metric, value, year, country) all agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str, int, int | None, str | None]


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Finding:
    """A missed gold line or a false hit, with the sentence it came from."""

    path: str
    metric: str
    value: int
    year: int | None
    country: str | None
    evidence: str


@dataclass(frozen=True)
class Report:
    relevance_correct: int
    relevance_total: int
    relevance_errors: tuple[str, ...]  # paths judged wrongly (or not judged at all)
    overall: Score
    per_language: Mapping[str, Score]
    per_metric: Mapping[str, Score]
    duplicates: int
    misses: tuple[Finding, ...] = field(default=())
    false_hits: tuple[Finding, ...] = field(default=())

    @property
    def relevance_accuracy(self) -> float:
        return self.relevance_correct / self.relevance_total if self.relevance_total else 0.0


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def _key(path: str, row: Any) -> Key:
    year = _get(row, "year")
    country = _get(row, "country")
    return (
        path,
        str(_get(row, "metric")),
        int(_get(row, "value")),
        None if year is None else int(year),
        None if country in (None, "") else str(country),
    )


def evaluate(
    gold_articles: Iterable[Mapping[str, Any]],
    gold_metrics: Iterable[Mapping[str, Any]],
    predicted_relevance: Mapping[str, bool | None],
    predicted_metrics: Mapping[str, Sequence[Any]],
) -> Report:
    """Compare predictions with gold.

    ``predicted_metrics`` maps an article path to its metric rows (dicts or
    objects with metric/value/year/country/evidence attributes).
    """
    articles = {str(a["path"]): a for a in gold_articles}
    language = {p: str(a.get("language") or "unknown") for p, a in articles.items()}
    gold: dict[Key, str] = {}
    for row in gold_metrics:
        gold.setdefault(_key(str(row["path"]), row), str(row.get("evidence") or ""))
    predicted: dict[Key, str] = {}
    duplicates = 0
    for path, rows in predicted_metrics.items():
        for row in rows:
            key = _key(path, row)
            if key in predicted:
                duplicates += 1
                continue
            predicted[key] = str(_get(row, "evidence") or "")
    errors = tuple(
        sorted(p for p, a in articles.items() if predicted_relevance.get(p) is not bool(a.get("relevant")))
    )
    tp_keys = gold.keys() & predicted.keys()
    fn_keys = gold.keys() - predicted.keys()
    fp_keys = predicted.keys() - gold.keys()
    return Report(
        relevance_correct=len(articles) - len(errors),
        relevance_total=len(articles),
        relevance_errors=errors,
        overall=Score(len(tp_keys), len(fp_keys), len(fn_keys)),
        per_language=_split(tp_keys, fp_keys, fn_keys, lambda k: language.get(k[0], "unknown")),
        per_metric=_split(tp_keys, fp_keys, fn_keys, lambda k: k[1]),
        duplicates=duplicates,
        misses=tuple(_finding(k, gold[k]) for k in sorted(fn_keys, key=_order)),
        false_hits=tuple(_finding(k, predicted[k]) for k in sorted(fp_keys, key=_order)),
    )


def _order(key: Key) -> tuple[str, str, int, int, str]:
    return key[0], key[1], key[2], key[3] or 0, key[4] or ""


def _finding(key: Key, evidence: str) -> Finding:
    return Finding(key[0], key[1], key[2], key[3], key[4], evidence)


def _split(tp: set[Key], fp: set[Key], fn: set[Key], group: Any) -> dict[str, Score]:
    counts: dict[str, Counter[str]] = {}
    for name, keys in (("tp", tp), ("fp", fp), ("fn", fn)):
        for key in keys:
            counts.setdefault(group(key), Counter())[name] += 1
    return {g: Score(c["tp"], c["fp"], c["fn"]) for g, c in sorted(counts.items())}


def _row(name: str, s: Score) -> str:
    return f"{name:<22}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}"


def render_report(report: Report, *, max_findings: int = 50) -> str:
    """A plain-text report: relevance, then P/R/F1 tables, then misses and false hits."""
    lines = [
        f"relevance: {report.relevance_correct}/{report.relevance_total} "
        f"({report.relevance_accuracy:.1%})",
    ]
    lines += [f"  wrong: {p}" for p in report.relevance_errors]
    header = f"{'':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}"
    lines += ["", "metrics (strict: path, metric, value, year, country)", header, _row("overall", report.overall)]
    lines += ["", "per language", header] + [_row(k, v) for k, v in report.per_language.items()]
    lines += ["", "per metric", header] + [_row(k, v) for k, v in report.per_metric.items()]
    lines += ["", f"duplicate facts: {report.duplicates}"]
    for title, findings in (("misses", report.misses), ("false hits", report.false_hits)):
        lines += ["", f"{title}: {len(findings)}"]
        for f in findings[:max_findings]:
            lines.append(f"  {f.path}  {f.metric} {f.value} {f.year} {f.country}")
            if f.evidence:
                lines.append(f"      {f.evidence[:160]}")
    return "\n".join(lines)
