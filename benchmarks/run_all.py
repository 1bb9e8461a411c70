"""`make bench`: tipwatch end to end against plain trafilatura and a naive script, on real pages.

Builds a local news site from the shared page corpus (in a temporary folder),
serves it on 127.0.0.1 and measures, in one run: the baseline (trafilatura.extract
in as many processes as tipwatch uses), the naive sequential script, `tipwatch run`
with and without Prefect's start-up, an unchanged second pass, warehouse loading,
peak memory of the process tree, the metric extractor's cost per article, and the
same run at larger site sizes. Prints a table and writes benchmarks/results/pipeline.json.

    python benchmarks/run_all.py                 # the full run (scales 1, 2, 4; 3 repeats at 1x)
    python benchmarks/run_all.py --quick         # 200 pages, scales 1 and 2, one repeat
    python benchmarks/run_all.py --scale 1 --repeat 1 --pages 400

Skips (exit 0) when the shared corpus is absent: TIPWATCH_SHARED or <repo>/../shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bench_pipeline as bp
from site_builder import FEEDS, build_site, corpus_pages, serve, shared_root

RESULTS = bp.REPO / "benchmarks" / "results" / "pipeline.json"
MIB = 1024 * 1024

TARGETS = {
    "vs_baseline": 0.8,  # end to end (Prefect start-up excluded) / baseline pages per second
    "vs_naive": 3.0,
    "metrics_share": 0.10,  # metric extractor time / trafilatura time per article
    "peak_mib": 500,
    "load_rows_per_s": 100_000,
}


def _median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The run whose `key` is the median (the lower one of an even count), with every run's value kept."""
    ordered = sorted(runs, key=lambda r: r[key])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen[f"all_{key}"] = [round(r[key], 3) for r in runs]
    return chosen


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default=None, help="comma-separated site sizes (default 1,2,4; --quick 1,2)")
    parser.add_argument("--quick", action="store_true", help="a small version: 200 pages, one repeat")
    parser.add_argument("--repeat", type=int, default=None, help="repeats at scale 1 (default 3; --quick 1)")
    parser.add_argument("--pages", type=int, default=None, help="distinct corpus pages to use (default all)")
    parser.add_argument("--cost-sample", type=int, default=400,
                        help="pages timed for the metric extractor's cost per article (default 400)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args(argv)
    args.scales = [int(s) for s in (args.scale or ("1,2" if args.quick else "1,2,4")).split(",")]
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.pages = args.pages or (200 if args.quick else None)
    return args


def run(args: argparse.Namespace, shared: Path) -> dict[str, Any]:
    started = time.perf_counter()
    corpus = corpus_pages(shared, args.pages)
    workers = bp.extract_workers()
    out: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "host": platform.node(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "load_before": os.getloadavg(),
        "corpus_pages": len(corpus), "extract_workers": workers, "repeat": args.repeat, "scales": {},
    }
    with tempfile.TemporaryDirectory(prefix="tipwatch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = bp.tipwatch_env(tmp / "prefect-home")
        bp.noop_flow(env)  # first use of a Prefect home creates its database
        out["noop_flow"] = _median_run([bp.noop_flow(env) for _ in range(args.repeat)], "wall")
        for scale in args.scales:
            _say(f"scale {scale}x: building the site")
            site = build_site(corpus, tmp / f"site-{scale}", scale)
            figures: dict[str, Any] = {"pages": len(site.pages), "site_mib": site.bytes / MIB}
            with serve(site) as serving:
                feeds = bp.write_feeds(site, serving, tmp / f"feeds-{scale}.toml")
                runs, baselines, naives = [], [], []
                for r in range(args.repeat if scale == 1 else 1):
                    if scale == 1:
                        _say(f"scale 1x, repeat {r + 1}: baseline")
                        baselines.append(bp.baseline(site, workers))
                    _say(f"scale {scale}x, repeat {r + 1}: tipwatch run")
                    db = tmp / f"tipwatch-{scale}-{r}.duckdb"
                    run_figures = bp.tipwatch_run(feeds, db, env, serving)
                    run_figures["db"] = str(db)
                    run_figures["pages_per_s_wall"] = len(site.pages) / run_figures["wall"]
                    run_figures["pages_per_s_flow"] = len(site.pages) / run_figures["flow_seconds"]
                    runs.append(run_figures)
                    if scale == 1 and r == 0:  # once: slow, and far from tipwatch whatever the noise
                        _say("scale 1x: naive script")
                        naives.append(bp.naive(site, serving, tmp))
                figures["tipwatch"] = _median_run(runs, "pages_per_s_flow")
                if scale == 1:
                    figures["baseline"] = _median_run(baselines, "pages_per_s")
                    figures["naive"] = _median_run(naives, "pages_per_s")
                    _say("scale 1x: unchanged second pass")
                    second = bp.tipwatch_run(feeds, Path(figures["tipwatch"]["db"]), env, serving)
                    figures["second_pass"] = second
                    _say("scale 1x: metric extractor vs trafilatura, per article")
                    figures["extractor_cost"] = bp.extractor_cost(site, limit=args.cost_sample)
            shutil.rmtree(site.root)
            out["scales"][str(scale)] = figures
        _say("warehouse loading")
        out["load"] = bp.load_rate(tmp)
    out["load_after"] = os.getloadavg()
    out["bench_seconds"] = time.perf_counter() - started
    return out


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table(res: dict[str, Any]) -> str:
    one = res["scales"].get("1")
    lines = [f"tipwatch pipeline benchmark ({res['bench_seconds'] / 60:.1f} min): {res['corpus_pages']} distinct pages, {res['cpus']} CPUs, "
             f"{res['extract_workers']} extraction workers, medians of {res['repeat']}; "
             f"load average before {res['load_before'][0]:.2f}, after {res['load_after'][0]:.2f}"]
    rows: list[tuple[str, str, str, str]] = []
    if one:
        base, naive, tw, second = one["baseline"], one["naive"], one["tipwatch"], one["second_pass"]
        vs_base = tw["pages_per_s_flow"] / base["pages_per_s"]
        vs_naive = tw["pages_per_s_flow"] / naive["pages_per_s"]
        noop = res["noop_flow"]["wall"]
        rows += [
            (f"baseline: trafilatura.extract, {base['workers']} processes", f"{base['pages_per_s']:.1f} pages/s", "", ""),
            ("naive script (sequential, row inserts)", f"{naive['pages_per_s']:.1f} pages/s", "", ""),
            ("tipwatch run, wall (Prefect start-up included)", f"{tw['pages_per_s_wall']:.1f} pages/s",
             f"{tw['pages_per_s_wall'] / base['pages_per_s']:.2f}x baseline", ""),
            ("tipwatch run, flow body (start-up excluded)", f"{tw['pages_per_s_flow']:.1f} pages/s",
             f"{vs_base:.2f}x baseline (>= {TARGETS['vs_baseline']})", _mark(vs_base >= TARGETS["vs_baseline"])),
            ("  against the naive script", f"{vs_naive:.1f}x", f">= {TARGETS['vs_naive']:.0f}x",
             _mark(vs_naive >= TARGETS["vs_naive"])),
            ("Prefect start-up + exit (wall - flow body)", f"{tw['prefect_seconds']:.1f} s",
             f"{tw['prefect_seconds'] / tw['wall']:.0%} of wall; no-op flow {noop:.1f} s", ""),
            ("second pass: requests / articles refetched",
             f"{second['server_requests']} / {second['article_requests']}",
             f"{FEEDS} (one per feed), 0 refetched",
             _mark(second["server_requests"] <= FEEDS and second["article_requests"] == 0)),
            ("second pass: wall / flow body", f"{second['wall']:.1f} s / {second['flow_seconds']:.2f} s", "", ""),
            ("peak RSS, whole process tree (sum)", f"{tw['peak_rss'] / MIB:.0f} MiB",
             f"< {TARGETS['peak_mib']} MiB", _mark(tw["peak_rss"] / MIB < TARGETS["peak_mib"])),
            ("  by process at the peak", ", ".join(f"{k} {v / MIB:.0f}" for k, v in tw["peak_breakdown"].items()),
             f"PSS (shared pages once) {tw['peak_pss'] / MIB:.0f} MiB", ""),
            ("  no-op Prefect flow alone", f"{res['noop_flow']['peak_rss'] / MIB:.0f} MiB", "", ""),
            ("CPU seconds of the pass, by process", ", ".join(f"{k} {v:.0f}" for k, v in tw["cpu_seconds"].items()),
             f"no-op flow: {', '.join(f'{k} {v:.0f}' for k, v in res['noop_flow']['cpu_seconds'].items())}", ""),
        ]
        cost = one["extractor_cost"]
        rows.append(("metric extractor / trafilatura, per article",
                     f"{cost['metrics_ms']:.2f} / {cost['trafilatura_ms']:.1f} ms",
                     f"{cost['ratio']:.1%} (<= {TARGETS['metrics_share']:.0%})",
                     _mark(cost["ratio"] <= TARGETS["metrics_share"])))
    load = res["load"]
    rows.append(("warehouse load (load_articles)", f"{load['metric_rows_per_s']:,.0f} metric rows/s",
                 f">= {TARGETS['load_rows_per_s']:,}", _mark(load["metric_rows_per_s"] >= TARGETS["load_rows_per_s"])))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines += ["", *("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)]
    lines += ["", "scaling    pages   wall s   flow s   pages/s (flow)   peak RSS MiB   extraction workers MiB"]
    for scale, fig in res["scales"].items():
        tw = fig["tipwatch"]
        workers_mib = tw["peak_breakdown"].get("extraction workers", 0) / MIB
        lines.append(f"{scale + 'x':<9}{fig['pages']:>7}{tw['wall']:>9.1f}{tw['flow_seconds']:>9.1f}"
                     f"{tw['pages_per_s_flow']:>17.1f}{tw['peak_rss'] / MIB:>15.0f}{workers_mib:>25.0f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    shared = shared_root(bp.REPO)
    if shared is None:
        print("benchmark skipped: no page corpus at $TIPWATCH_SHARED or ../shared (corpus/pages)")
        return 0
    results = run(args, shared)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(table(results))
    print(f"\nfigures written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
