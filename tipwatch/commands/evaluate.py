"""`tipwatch eval`: the whole pipeline over an annotated set, scored against its gold lines."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from tipwatch.commands.demo import allow_loopback
from tipwatch.commands.output import console, progress_bars


def register(app: typer.Typer) -> None:
    @app.command(name="eval")
    def evaluate_set(
        set_dir: Annotated[Path, typer.Argument(help="Annotated set: articles/, feeds/, gold/*.jsonl.")],
        db: Annotated[Path | None, typer.Option(
            "--db", help="Keep the warehouse here (default: a temporary file).")] = None,
        json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON.")] = None,
        progress: Annotated[bool | None, typer.Option(help="Show progress bars.")] = None,
    ) -> None:
        """Serve SET_DIR on 127.0.0.1, ingest it into a fresh warehouse, and score what landed.

        Reports relevance accuracy and strict precision / recall / F1 of metrics
        matched on (article, metric, value, year, country), overall, per language
        and per metric, then every miss and false hit with its evidence.
        """
        from extractors.evaluation import evaluate, render_report
        from flows.ingest import ingest
        from tipwatch.evalset import load_set, predictions, write_registry
        from tipwatch.sitehost import serve_site

        aset = load_set(set_dir)
        allow_loopback("127.0.0.1")
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = db or Path(tmp) / "eval.duckdb"
            if warehouse.exists():
                raise typer.BadParameter(f"{warehouse} exists; eval needs a fresh warehouse", param_hint="--db")
            with serve_site(set_dir) as base:
                registry = write_registry(aset, base, Path(tmp) / "feeds.toml")
                with progress_bars(progress):
                    ingest(feeds_path=str(registry), db_path=str(warehouse), kind="eval")
            relevance, metrics = predictions(warehouse, base)
        report = evaluate(aset.gold_articles, aset.gold_metrics, relevance, metrics)
        console.print(render_report(report), highlight=False, markup=False)
        if json_out:
            json_out.write_text(json.dumps(asdict(report), indent=2, default=str), encoding="utf-8")
