"""What the readers may be told for one run: size cap, CSV column mapping, whether feeds fetch their pages."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from tally.sources.csvfile import CsvMapping
    from tally.sources.fetch import Fetcher

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def _never(_link: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES          # per report (a file, a line, a WARC record, a page)
    csv: CsvMapping | None = None               # column mapping; in a folder, CSV files are read only when given
    fetcher: Fetcher | None = None              # set: feeds are read from URLs and, with fetch_pages, their pages
    fetch_pages: bool = False                   # `--fetch`: download each feed entry's linked page
    seen: Callable[[str], bool] = _never        # links already in the ledger: their pages are not fetched again
