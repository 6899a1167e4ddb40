"""DOMAIN.md's language rule: every Chinese text a user sees is Simplified Chinese, as the province writes it
(广州市, 服务券, 兑付). Names, summaries, messages and headers live in the source as literals, so the source is
checked as a whole: any run of Han characters that OpenCC's Traditional-to-Simplified conversion would change is
a Traditional form that a user could end up reading."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Files that hold Traditional characters on purpose, as the thing a test looks for.
DELIBERATE = {"tests/e2e/test_api_scope.py", "tests/unit/test_import_encodings.py"}
TEXT_SUFFIXES = {".py", ".md", ".sql", ".toml", ".html", ".css", ".js", ".json", ".txt", ".csv", ".service", ".yml",
                 ".yaml"}


def _tracked_text_files() -> list[str]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [n for n in names if Path(n).suffix in TEXT_SUFFIXES and n not in DELIBERATE]


def test_every_chinese_text_in_the_project_is_simplified():
    to_simplified = opencc.OpenCC("t2s")
    found = []
    for name in _tracked_text_files():
        text = (ROOT / name).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            for run in HAN.findall(line):
                if (simplified := to_simplified.convert(run)) != run:
                    found.append(f"{name}:{number}: {run} -> {simplified}")
    assert not found, "Traditional characters (write them Simplified):\n" + "\n".join(found[:50])


def test_the_check_sees_traditional_text():
    traditional = "\u5ee3\u5dde\u5e02 \u670d\u52d9\u5238 \u514c\u4ed8"  # escaped: this file is checked too
    assert opencc.OpenCC("t2s").convert(traditional) == "广州市 服务券 兑付"


def test_the_consoles_pages_and_words_are_checked():
    """The web console's templates, script and Chinese words are tracked text the check above reads; and every
    word it shows has its Chinese and its English (no page falls back to the other language)."""
    from api.http.console.i18n import WORDS

    checked = set(_tracked_text_files())
    templates = sorted((ROOT / "api/http/console/templates").glob("*.html"))
    assert templates and all(str(t.relative_to(ROOT)) in checked for t in templates)
    assert {"api/http/console/i18n.py", "api/http/console/static/console.js", "ledger/words.py",
            "audit/export_words.py"} <= checked
    assert set(WORDS["zh"]) == set(WORDS["en"])
    # "language" is the switch, which names the other language in that language
    untranslated = [k for k, v in WORDS["zh"].items() if not HAN.search(v) and k != "language"]
    assert not untranslated, untranslated



def test_every_refusal_a_reader_can_be_told_is_named_in_both_languages():
    """The console's refusal panel and the import's error report say a refusal by its code: every code the ledger,
    the service or the import can give has its own Chinese and English words (ledger/refusal_words.py), so none
    reaches a Chinese page or report as a bare code or an English sentence."""
    from api.http.problems import SERVICE_CODES
    from importer.report import IMPORT_CODES, problem_zh
    from ledger.errors import all_error_codes
    from ledger.words import WORDS

    codes = set(all_error_codes()) | set(SERVICE_CODES) | set(IMPORT_CODES)
    assert {"CITY_QUOTA_EXHAUSTED", "PAYLOAD_TOO_LARGE", "MISSING_VALUE", "RECORDED_AT_OUT_OF_ORDER"} <= codes
    unnamed = sorted(c for c in codes if not (HAN.search(WORDS["zh"].get(c, "")) and WORDS["en"].get(c)))
    assert not unnamed, unnamed
    assert not any(HAN.search(WORDS["en"][c]) for c in codes)
    assert problem_zh("CITY_QUOTA_EXHAUSTED") != problem_zh("PROVIDER_QUOTA_EXHAUSTED")
    assert problem_zh("NO_SUCH_CODE") == "NO_SUCH_CODE"  # never a made-up name
