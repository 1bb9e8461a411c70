"""The fork server's warm-up: what it builds, every extraction worker inherits."""

from __future__ import annotations

import json
import subprocess
import sys

from tipwatch.runtime import WARM_DATES_PRELOAD, WORKER_PRELOAD

# A fresh interpreter: in this one, earlier tests have long since filled the caches.
PROBE = """
import json, sys
{imports}
from extractors.lexicon import available_languages, load
import justext.core, trafilatura.external
print(json.dumps({{
    "lexicons": load.cache_info().currsize,
    "languages": len(available_languages()),
    "stoplists": justext.core.define_stoplist.cache_info().currsize,
    "union": trafilatura.external.JT_STOPLIST is not None,
}}))
"""


def probe(imports: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(imports=imports)],
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_cold_process_has_nothing_built() -> None:
    cold = probe("import extractors.article")
    assert cold == {"lexicons": 0, "languages": cold["languages"], "stoplists": 0, "union": False}


def test_the_warm_up_compiles_every_lexicon_and_justexts_stop_words() -> None:
    warm = probe("import tipwatch.workerwarm")
    assert warm["languages"] >= 4  # en, es, fr, pt at least
    assert warm["lexicons"] == warm["languages"]
    assert warm["stoplists"] == 1 and warm["union"] is True


def test_every_pool_preloads_the_warm_up() -> None:
    assert "tipwatch.workerwarm" in WORKER_PRELOAD
    assert set(WORKER_PRELOAD) < set(WARM_DATES_PRELOAD)
