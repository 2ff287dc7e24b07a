"""Check that the copy finder decides as it did at an earlier commit: every report's duplicate_of, similarity
and date, old code against the working tree's, on examples/, tests/fixtures and a generated corpus.

    python -m bench.samecopies                  # against main, 20,000 generated reports
    python -m bench.samecopies --ref HEAD~3 --generated 2000

The old ``tally/stages/dedupe.py`` and ``bands.py`` are read from git at REF and loaded beside the new ones;
both see the same cleaned reports in the pipeline's batches (``tally.pipeline.BATCH``) against an index of
the reports before, as ``tally.pipeline`` calls them. Prints the seconds each took; exits 1 on a difference.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from bench import corpus
from tally.models import CleanArticle, RawArticle
from tally.pipeline import BATCH
from tally.sources.files import read_paths
from tally.stages import dedupe as new_dedupe
from tally.stages.clean import clean

ROOT = Path(__file__).resolve().parents[1]


def _load_old(ref: str, tmp: Path) -> ModuleType:
    """``dedupe`` as it was at ``ref``, importing the ``bands`` of ``ref`` (not the working tree's)."""
    modules = {}
    for name in ("bands", "dedupe"):
        path = tmp / f"old_{name}.py"
        path.write_text(subprocess.run(["git", "show", f"{ref}:tally/stages/{name}.py"], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout)
        spec = importlib.util.spec_from_file_location(f"old_{name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module   # dataclasses look their module up
        saved = sys.modules.get("tally.stages.bands")
        sys.modules["tally.stages.bands"] = modules.get("bands", saved)   # the old dedupe imports the old bands
        try:
            spec.loader.exec_module(module)
        finally:
            sys.modules["tally.stages.bands"] = saved  # type: ignore[assignment]
        modules[name] = module
    return modules["dedupe"]


def _articles(paths: list[str]) -> list[CleanArticle]:
    out = []
    for item in read_paths(paths):
        if isinstance(item, RawArticle):
            art = clean(item)
            out.append(art)
    return out


def _decisions(module: Any, arts: list[CleanArticle]) -> tuple[list[tuple[Any, ...]], float]:
    started = time.perf_counter()
    known, out = module.CopyIndex(), []
    for i in range(0, len(arts), BATCH):
        for a in module.find_copies(arts[i:i + BATCH], known):
            known.add(a.key, a.text, a.published if a.published_from != "copy" else None, copy_of=a.duplicate_of)
            out.append((a.key, a.duplicate_of, a.similarity, a.published, a.published_from))
    return out, time.perf_counter() - started


@click.command()
@click.option("--ref", default="main", show_default=True, help="The git commit whose copy finder is the reference.")
@click.option("--generated", default=20000, show_default=True, help="Reports in the generated corpus (seed 7).")
def main(ref: str, generated: int) -> None:
    """Compare every copy decision of the old and new copy finder."""
    with tempfile.TemporaryDirectory() as tmp:
        old = _load_old(ref, Path(tmp))
        gen = corpus.write(Path(tmp) / f"corpus-{generated}.jsonl", generated, seed=7)
        sets = {"examples": [str(ROOT / "examples")], "tests/fixtures": [str(ROOT / "tests" / "fixtures")],
                f"generated {generated}": [str(gen)]}
        differ = 0
        for name, paths in sets.items():
            arts = _articles(paths)
            (theirs, t_old), (ours, t_new) = _decisions(old, arts), _decisions(new_dedupe, arts)
            bad = [(a, b) for a, b in zip(theirs, ours) if a != b] + ([("count", len(theirs), len(ours))]
                                                                    if len(theirs) != len(ours) else [])
            differ += len(bad)
            click.echo(f"{name}: {len(arts)} reports, {sum(d[1] is not None for d in ours)} copies; "
                       f"{len(bad)} decisions differ; {ref} {t_old:.1f} s, working tree {t_new:.1f} s")
            for a, b in bad[:5]:
                click.echo(f"  {ref}: {a}\n  now: {b}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
