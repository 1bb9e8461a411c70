"""Decide whether an article is about human trafficking."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Relevance:
    relevant: bool
    score: float
    terms: tuple[str, ...]  # the terms that decided it, for auditing


def assess_relevance(title: str | None, text: str, language: str | None) -> Relevance:
    raise NotImplementedError
