"""`tipwatch eval` over a small annotated set of our own, in shared/devset's layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tipwatch.cli import main

pytestmark = pytest.mark.usefixtures("prefect_harness")

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="2024-06-10T09:00:00+02:00"></head><body>
<nav>Inicio | Mundo | Deportes | 25 años con usted</nav><article><h1>{title}</h1>{body}</article>
<aside>Lo más leído: 1. Detienen a 300 personas en el clásico</aside><footer>© 2024</footer></body></html>"""

TRATA = """<p>La Fiscalía de Ruritania informó que el año pasado rescató a 41 víctimas de trata
de personas en operativos realizados en varias provincias del país.</p>
<p>Según el informe, los fiscales presentaron cargos contra 17 personas por delitos de trata y
explotación sexual, una cifra similar a la de años anteriores.</p>
<p>Las organizaciones de la sociedad civil reclamaron más refugios para las sobrevivientes y
más recursos para la prevención en las zonas fronterizas.</p>"""

FUTBOL = """<p>El equipo local ganó 3 a 1 el clásico del domingo ante 40.000 espectadores, con dos
goles de su capitán en el segundo tiempo.</p><p>El tránsito en los accesos al estadio demoró
la llegada de miles de aficionados y el partido comenzó con quince minutos de retraso.</p>"""


def make_set(root: Path) -> Path:
    (root / "articles" / "es").mkdir(parents=True)
    (root / "feeds").mkdir()
    (root / "gold").mkdir()
    pages = {"articles/es/1-trata.html": ("Rescatan a 41 víctimas de trata", TRATA),
             "articles/es/2-futbol.html": ("Victoria en el clásico", FUTBOL)}
    items = ""
    for path, (title, body) in pages.items():
        (root / path).write_text(PAGE.format(lang="es", title=title, body=body), encoding="utf-8")
        items += (f"<item><title>{title}</title><link>{{BASE}}/{path}</link>"
                  f"<pubDate>Mon, 10 Jun 2024 07:00:00 GMT</pubDate></item>")
    (root / "feeds" / "diario.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Diario</title>'
        f"<link>{{BASE}}/</link><description>d</description><language>es</language>{items}</channel></rss>",
        encoding="utf-8")
    gold_articles = [
        {"path": "articles/es/1-trata.html", "language": "es", "relevant": True},
        {"path": "articles/es/2-futbol.html", "language": "es", "relevant": False},
    ]
    gold_metrics = [
        {"path": "articles/es/1-trata.html", "metric": "victims_identified", "value": 41,
         "unit": "persons", "qualifier": "exact", "year": 2023, "country": None,
         "evidence": "La Fiscalía de Ruritania informó que el año pasado rescató a 41 víctimas"},
        {"path": "articles/es/1-trata.html", "metric": "prosecutions", "value": 17,
         "unit": "persons", "qualifier": "exact", "year": 2024, "country": None,
         "evidence": "los fiscales presentaron cargos contra 17 personas"},
    ]
    (root / "gold" / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in gold_articles))
    (root / "gold" / "metrics.jsonl").write_text("\n".join(json.dumps(m) for m in gold_metrics))
    return root


def test_eval_scores_the_pipeline_against_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aset = make_set(tmp_path / "set")
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(aset), "--json", str(tmp_path / "scores.json"), "--no-progress"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "relevance: 2/2" in out
    scores = json.loads((tmp_path / "scores.json").read_text())
    # Ruritania is no country: both facts carry country NULL, and are matched strictly
    assert (scores["overall"]["tp"], scores["overall"]["fp"], scores["overall"]["fn"]) == (2, 0, 0)
    assert scores["duplicates"] == 0


def test_eval_of_a_folder_that_is_no_set_is_one_clear_line(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("tipwatch: error:") and "not an annotated set" in err
    assert "Traceback" not in err
