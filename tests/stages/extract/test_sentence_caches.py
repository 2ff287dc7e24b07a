"""What a sentence says on its own is kept for the next report that has it; a report reads the same with the
sentence caches cold or warm."""
import json
from pathlib import Path

from tally.models import RawArticle
from tally.stages.clean import clean
from tally.stages.extract import claims, dates, geo, numbers, persons, places
from tally.stages.extract.claims import extract
from tally.stages.extract.geo import PlaceFinder

ROOT = Path(__file__).resolve().parents[3]


def _reports() -> list:
    lines = (ROOT / "examples" / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    recs = [json.loads(line) for line in lines if line.strip()]
    return [clean(RawArticle(str(r.get("id", i)), r["text"], "test", title=r.get("title"))) for i, r in enumerate(recs)]


def _forget() -> None:
    for module in (claims, dates, geo, numbers, persons, places):
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and value is not claims._sentencizer and value is not persons._nlp:
                value.cache_clear()
    persons._FOUND.clear()
    persons._PARSED.clear()


def _read_all(arts: list) -> list:
    out = []
    for art in arts:
        finder = PlaceFinder(art.text)
        out.append((finder.region, extract(art, finder)))
    return out


def test_reports_read_the_same_with_the_sentence_caches_cold_or_warm() -> None:
    arts = _reports()
    _forget()
    cold = _read_all(arts)
    warm = _read_all(arts)
    assert warm == cold
    assert sum(len(result.claims) for _region, result in cold) >= 20
