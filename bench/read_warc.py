"""How fast the WARC reader streams an archive, and how much memory it holds: builds a WARC.gz of N HTML pages
(variants of tests/fixtures/pages, each with other figures and a long body) and reads it with
``tally.sources.warc.read_warc`` only (no cleaning or extraction).

    .venv/bin/python bench/read_warc.py --pages 2000
"""
from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tally.models import RawArticle
from tally.sources.warc import read_warc

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
FILLER = "<p>Residents described the night of the attack to reporters who reached the district on Monday.</p>\n"


def build(path: Path, pages: int) -> int:
    sources = [p.read_text() for p in sorted(PAGES.glob("*.html"))]
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(pages):
            page = sources[n % len(sources)].replace("seven", str(7 + n)).replace("</article>",
                                                                                FILLER * 40 + "</article>")
            body = page.encode("utf-8")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://bench.example/{n}", "response",
                                                          payload=io.BytesIO(body), http_headers=http))
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.warc.gz"
        size = build(path, args.pages)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        read = sum(isinstance(item, RawArticle) for item in read_warc(path, 5 * 1024 * 1024))
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{read} of {args.pages} pages from a {size / 1e6:.1f} MB WARC.gz in {seconds:.1f} s: "
          f"{read / seconds:.0f} pages/s; peak memory grew by {(peak - before) / 1024:.0f} MB while reading")


if __name__ == "__main__":
    main()
