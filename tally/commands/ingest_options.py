"""Turn `tally ingest` / `tally watch` options into the readers' ``ReadOptions``."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from tally.errors import ConfigError
from tally.sources.csvfile import CsvMapping
from tally.sources.fetch import Fetcher
from tally.sources.options import ReadOptions


@contextlib.contextmanager
def read_options(fetch: bool, csv_map: str | None, csv_config: str | None, max_mb: float) -> Iterator[ReadOptions]:
    """The options, with an HTTP client open for the run when pages are to be fetched."""
    if max_mb <= 0:
        raise ConfigError(f"--max-mb must be above 0, not {max_mb}", code="T102")
    if csv_map and csv_config:
        raise ConfigError("give --csv-map or --csv-config, not both", code="T101")
    mapping = CsvMapping.parse(csv_map) if csv_map else CsvMapping.load(Path(csv_config)) if csv_config else None
    max_bytes = int(max_mb * 1024 * 1024)
    if not fetch:
        yield ReadOptions(max_bytes=max_bytes, csv=mapping)
        return
    with Fetcher() as fetcher:
        yield ReadOptions(max_bytes=max_bytes, csv=mapping, fetcher=fetcher, fetch_pages=True)
