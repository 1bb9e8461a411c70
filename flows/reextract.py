"""The `reextract` flow: rerun page extraction, relevance and metrics over stored raw HTML.

Reading the stored bytes (not the stored text) means a trafilatura upgrade is
picked up too. Each batch replaces its articles and their metrics atomically.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from extractors.article import ArticleInput, ArticleRecord
from extractors.metrics import EXTRACTOR_VERSION
from tipwatch.articles import extract_all
from tipwatch.progress import report
from tipwatch.runtime import close_all, pool_for
from tipwatch.settings import Settings
from warehouse.connection import open_writer
from warehouse.load import replace_extraction
from warehouse.runs import RunSummary, finish_run, new_run_id, start_run
from warehouse.stored import pending_reextraction, stored_inputs


@task(name="reextract-batch", cache_policy=NO_CACHE)
def reextract_batch(inputs: list[ArticleInput], settings: Settings) -> list[ArticleRecord]:
    return extract_all(inputs, pool_for(settings), max_bytes=settings.extract_max_bytes)


@flow(name="reextract")
def reextract(db_path: str = "tipwatch.duckdb", everything: bool = False) -> RunSummary:
    """Re-extract stored articles not yet at the current extractor version (all with `everything`)."""
    settings = Settings.from_env()
    summary = RunSummary(run_id=new_run_id("reextract"), kind="reextract")
    with open_writer(db_path, timeout=settings.lock_timeout) as con:
        start_run(con, summary, {"db_path": db_path, "everything": everything})
        urls = pending_reextraction(con, EXTRACTOR_VERSION, everything=everything)
    report("articles", total=len(urls))
    try:
        for start in range(0, len(urls), settings.batch_size):
            chunk = urls[start:start + settings.batch_size]
            with open_writer(db_path, timeout=settings.lock_timeout) as con:
                inputs = stored_inputs(con, chunk)
            records = reextract_batch(inputs, settings)
            with open_writer(db_path, timeout=settings.lock_timeout) as con:
                replace_extraction(con, records, summary.run_id)
            summary.articles_new += len(records)
            summary.articles_relevant += sum(1 for r in records if r.relevant)
            summary.metrics += sum(len(r.metrics) for r in records)
            report("articles", advance=len(chunk))
        summary.status = "ok"
    except BaseException as exc:
        summary.status, summary.error = "failed", str(exc) or type(exc).__name__
        raise
    finally:
        close_all()
        with open_writer(db_path, timeout=settings.lock_timeout) as con:
            finish_run(con, summary)
    return summary
