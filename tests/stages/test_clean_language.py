"""The plainly-English shortcut in clean._language makes the decisions py3langid makes, only sooner."""
from __future__ import annotations

import json
from pathlib import Path

import py3langid
import pytest

from bench.corpus import records
from tally.stages.clean import _language, _plainly_english

ROOT = Path(__file__).resolve().parents[2]


def _texts_in(paths: list[Path]) -> list[str]:
    texts = []
    for f in paths:
        raw = f.read_text(encoding="utf-8", errors="replace")
        texts.append(raw)
        for line in raw.splitlines() if f.suffix == ".jsonl" else []:
            try:
                texts.append(str(json.loads(line).get("text") or ""))
            except (ValueError, AttributeError):
                continue   # the fixtures hold broken records on purpose
    return texts


def _agree(texts: list[str]) -> None:
    shortcut = [t for t in texts if _plainly_english(t)]
    assert [str(py3langid.classify(t)[0]) for t in shortcut] == ["en"] * len(shortcut)
    assert all(_language(t) == "en" for t in shortcut)


def test_the_shortcut_agrees_with_py3langid_on_our_texts() -> None:
    files = sorted(p for d in ("examples", "tests/fixtures") for p in (ROOT / d).rglob("*") if p.is_file())
    texts = _texts_in(files) + [r["text"] for r in records(1500, seed=11)]
    _agree(texts)
    assert sum(map(_plainly_english, texts)) > 0.8 * len(texts)   # most reports skip the classifier


def test_the_shortcut_agrees_with_py3langid_on_the_seeds(shared_dir: Path) -> None:
    _agree(_texts_in(sorted((shared_dir / "seeds").glob("*.txt"))))


@pytest.mark.parametrize("text", [
    "Au moins neuf soldats ont été tués dimanche lors d'une attaque contre un poste de l'armée dans le centre du "
    "pays, a indiqué un responsable local, qui a ajouté que les assaillants étaient arrivés à moto. " * 2,
    "Al menos nueve soldados murieron el domingo en un ataque contra un puesto del ejercito en el centro del pais, "
    "dijo un funcionario local, que agrego que los atacantes llegaron en motocicletas y huyeron despues. " * 2,
    "A VIOLENT NIGHT IN THE OLD TOWN: THREE PEOPLE WERE KILLED AND FOUR WOUNDED WHEN A CAR BOMB EXPLODED NEAR "
    "THE MARKET ON SATURDAY, POLICE SAID, AND THE ROAD TO THE AIRPORT WAS CLOSED FOR THE REST OF THE DAY. " * 2,
    "Three killed in market blast, police say.",
])
def test_other_texts_go_to_the_classifier(text: str) -> None:
    assert not _plainly_english(text)
