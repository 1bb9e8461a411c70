"""Extract trafficking metrics (see docs/warehouse.md, table `metrics`) from article text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

EXTRACTOR_VERSION = "0.0.0-minimal"


@dataclass(frozen=True)
class Metric:
    metric: str  # victims_identified | arrests | investigations | prosecutions | convictions | prevention_actions | estimated_victims
    value: int
    unit: str  # persons | cases | actions
    qualifier: str  # exact | more_than | at_least | about | up_to | less_than
    year: int | None
    country: str | None  # ISO 3166-1 alpha-3, None for worldwide/regional
    evidence: str  # the sentence
    start: int  # character offsets of the evidence in the text
    end: int
    confidence: float


def extract_metrics(
    text: str, *, language: str | None, published: date | None, title: str | None = None
) -> list[Metric]:
    raise NotImplementedError
