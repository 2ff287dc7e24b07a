"""A folder mixing good reports with bad files, as monitors' folders are: every good report in, every bad
one named with its reason, counted and kept in the rejects table; 200 MB of junk is refused without being read."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_warc import build_warc

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
JUNK_BYTES = 200 * 1024 * 1024
LEAD = ("Gunmen killed seven soldiers and wounded four in an ambush on an army convoy near Maiduguri on "
        "Saturday, the Nigerian army said.")


def _sparse(path: Path, size: int, head: bytes = b"") -> None:
    """A file of ``size`` bytes that takes no disk space and no time to make."""
    with open(path, "wb") as out:
        out.write(head)
        out.truncate(size)


def _mixed_folder(root: Path) -> tuple[Path, set[str], dict[str, str]]:
    folder = root / "inbox"
    (folder / "pages").mkdir(parents=True)
    shutil.copy(PAGES / "market.html", folder / "pages" / "market.html")
    (folder / "lead.txt").write_text(LEAD + "\n")
    (folder / "latin.txt").write_bytes(("Les combats ont fait cinq morts à Alep, a déclaré l'Observatoire syrien. "
                                        "Des témoins ont décrit des scènes de panique près de l'hôpital.\n")
                                       .encode("cp1252"))
    damaged = "Three soldiers were wounded near Kidal on Monday, the army said; medics treated them at the base."
    (folder / "damaged.txt").write_bytes(damaged.encode() + "\n— reported by our correspondent\n".encode()[:-6]
                                         + b"\xff" + b"dent\n")
    (folder / "records.jsonl").write_text(json.dumps({"id": "j1", "text": "A sniper killed a teenager, medics said."})
                                          + "\n{broken json\n")
    build_warc(folder / "crawl.warc.gz")
    # the bad ones
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "noise.txt").write_bytes(bytes(range(1, 32)) * 200 + b"\x80\x81\xfe" * 100)
    _sparse(folder / "dump.txt", JUNK_BYTES, b"junk ")
    _sparse(folder / "dump.jsonl", JUNK_BYTES, b'{"text": "')
    _sparse(folder / "dump.warc.gz", JUNK_BYTES, b"\x1f\x8b\x08\x00")
    whole = gzip.compress("".join(json.dumps({"text": f"{LEAD} Report {n}."}) + "\n" for n in range(50)).encode())
    (folder / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    # pages/market.html is the very page crawl.warc.gz holds (read first): recognised by its hash, not stored twice
    good = {"lead.txt", "latin.txt", "damaged.txt", "j1",
            "https://lakechad-monitor.example/2023/03/12/convoy-ambush",
            "https://aden-daily.example/news/market-shelling"}
    bad = {"empty.txt": "empty", "blob.txt": "binary", "noise.txt": "binary", "dump.txt": "limit per report",
           "dump.jsonl:1": "limit per report", "records.jsonl:2": "not JSON", "dump.warc.gz": "",
           "cut.jsonl.gz": ""}
    return folder, good, bad


def _tally() -> str:
    return str(Path(sys.executable).with_name("tally"))


def test_mixed_folder_every_good_report_in_every_bad_one_explained(tmp_path: Path) -> None:
    folder, good, bad = _mixed_folder(tmp_path)
    db = tmp_path / "t.db"
    proc = subprocess.Popen([_tally(), "ingest", "--db", str(db), str(folder)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err                    # there were rejects
    articles = subprocess.run([_tally(), "articles", "--db", str(db), "--format", "jsonl"], capture_output=True,
                              text=True, check=True).stdout
    keys = {json.loads(x)["key"] for x in articles.splitlines()}
    assert good <= keys and all(k.startswith("cut.jsonl.gz:") for k in keys - good)   # lines before the cut
    lines = [line for line in err.splitlines() if line.startswith("rejected ")]
    for name, why in bad.items():
        hit = [line for line in lines if f"{folder}/{name}" in line or f"{folder}/{name}:" in line]
        assert len(hit) >= 1, (name, lines)
        assert why in hit[0], hit
    rejects = subprocess.run([_tally(), "rejects", "--db", str(db), "--format", "jsonl"], capture_output=True,
                             text=True, check=True).stdout
    kept = {Path(json.loads(x)["origin"]).name: json.loads(x)["reason"] for x in rejects.splitlines()}
    assert set(kept) == set(bad)
    summary = err[err.index("reports read"):]
    assert "T204 too large: 2" in summary and "T202 empty: 1" in summary and "T203 binary: 2" in summary
    assert "pages seen before 1" in summary and "time " in summary


def test_junk_is_capped_without_being_held_in_memory(tmp_path: Path) -> None:
    """Peak memory of an ingest of 600 MB of junk stays near that of an ingest of one small report."""
    small, junk = tmp_path / "small", tmp_path / "junk"
    small.mkdir()
    junk.mkdir()
    (small / "lead.txt").write_text(LEAD + "\n")
    shutil.copy(small / "lead.txt", junk / "lead.txt")
    _sparse(junk / "dump.txt", JUNK_BYTES)
    _sparse(junk / "dump.jsonl", JUNK_BYTES, b'{"text": "')
    _sparse(junk / "dump.html", JUNK_BYTES)

    def peak_kb(folder: Path) -> int:
        proc = subprocess.Popen([_tally(), "ingest", "--db", str(tmp_path / f"{folder.name}.db"), str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        return usage.ru_maxrss

    assert peak_kb(junk) - peak_kb(small) < 64 * 1024      # far below the 600 MB read
