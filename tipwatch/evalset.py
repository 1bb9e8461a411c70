"""Running the real pipeline over an annotated set (the layout of shared/devset).

An annotated set is a folder with `articles/`, `feeds/` (links written as
`{BASE}/...`) and `gold/articles.jsonl` + `gold/metrics.jsonl`. It is served on
loopback, ingested by the `ingest` flow into a fresh warehouse, and what landed
is mapped back to the set's paths for scoring.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser

from tipwatch.errors import ConfigError
from warehouse.connection import open_reader

_LANG = re.compile(r"^[a-z]{2}")


@dataclass(frozen=True)
class AnnotatedSet:
    root: Path
    gold_articles: list[dict[str, Any]]
    gold_metrics: list[dict[str, Any]]
    feeds: list[Path]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: invalid JSON line {exc.lineno}: {exc.msg}") from None


def load_set(root: Path) -> AnnotatedSet:
    for needed in ("articles", "feeds", "gold/articles.jsonl", "gold/metrics.jsonl"):
        if not (root / needed).exists():
            raise ConfigError(f"{root} is not an annotated set: {needed} is missing")
    feeds = sorted((root / "feeds").glob("*.xml"))
    if not feeds:
        raise ConfigError(f"{root}/feeds holds no .xml feed")
    return AnnotatedSet(root, _jsonl(root / "gold/articles.jsonl"), _jsonl(root / "gold/metrics.jsonl"), feeds)


def feed_language(path: Path) -> str:
    """The feed's declared language (registry entries need one); pages still declare their own."""
    declared = str(feedparser.parse(path.read_bytes()).feed.get("language", "") or "").lower()
    match = _LANG.match(declared)
    return match.group(0) if match else "en"


def write_registry(aset: AnnotatedSet, base_url: str, dest: Path) -> Path:
    entries = []
    for path in aset.feeds:
        name = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "feed"
        entries.append(
            f'[[feeds]]\nname = "{name}"\nurl = "{base_url}/feeds/{path.name}"\n'
            f'language = "{feed_language(path)}"\n'
        )
    dest.write_text("\n".join(entries), encoding="utf-8")
    return dest


def predictions(db: Path, base_url: str) -> tuple[dict[str, bool | None], dict[str, list[dict[str, Any]]]]:
    """Relevance and metric rows from the warehouse, keyed by the set's relative paths."""
    prefix = base_url.rstrip("/") + "/"
    with open_reader(db) as con:
        articles = con.execute("SELECT url, relevant FROM articles").fetchall()
        metrics = con.execute(
            "SELECT article_url, metric, value, unit, qualifier, year, country, evidence FROM metrics"
        ).fetchall()

    def path_of(url: str) -> str:
        return url[len(prefix):] if url.startswith(prefix) else url

    relevance = {path_of(url): relevant for url, relevant in articles}
    rows: dict[str, list[dict[str, Any]]] = {}
    for url, metric, value, unit, qualifier, year, country, evidence in metrics:
        rows.setdefault(path_of(url), []).append({
            "metric": metric, "value": value, "unit": unit, "qualifier": qualifier,
            "year": year, "country": country, "evidence": evidence,
        })
    return relevance, rows
