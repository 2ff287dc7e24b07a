"""Bugs the fuzzers found, each pinned by the smallest input that showed it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tally.models import Rejected
from tally.sources.files import EMPTY, read_paths


@pytest.mark.parametrize("data", [b"\xff\xfe", b"\xfe\xff", "  \n".encode("utf-16"), b"\xef\xbb\xbf \n"])
def test_a_file_that_decodes_to_nothing_is_rejected_as_empty(tmp_path: Path, data: bytes) -> None:
    # found by test_text_files_never_crash_the_reader: a UTF-16 byte-order mark alone became an empty report
    path = tmp_path / "bom-only.txt"
    path.write_bytes(data)
    (item,) = read_paths([str(path)])
    assert isinstance(item, Rejected) and item.code == EMPTY and item.origin == str(path)


@pytest.mark.parametrize("name,data", [
    ("empty.rss", b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"),
    ("header-only.csv", b"id,title,text,published\n"),
])
def test_a_feed_or_spreadsheet_with_nothing_in_it_says_so(tmp_path: Path, name: str, data: bytes) -> None:
    # found by tests/fuzz/test_web_readers.py: such files passed without a report or a reject
    path = tmp_path / name
    path.write_bytes(data)
    (item,) = read_paths([str(path)])
    assert isinstance(item, Rejected) and item.code == EMPTY and item.origin == str(path)


def test_a_web_archive_without_pages_or_with_a_header_cut_short_is_rejected(tmp_path: Path) -> None:
    # found by tests/fuzz/test_web_readers.py: an archive of 404s passed in silence, and a record header cut
    # before its target URI crashed warcio (AttributeError) and the whole ingest with it
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    headers = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://example.org/gone", "response",
                                                  payload=io.BytesIO(b"<html>gone</html>"), http_headers=headers))
    whole = tmp_path / "only-404.warc"
    whole.write_bytes(buf.getvalue())
    (item,) = read_paths([str(whole)])
    assert isinstance(item, Rejected) and item.code == EMPTY
    data = buf.getvalue()
    cut = tmp_path / "cut-header.warc"
    cut.write_bytes(data[: data.index(b"WARC-Target-URI")])
    items = list(read_paths([str(cut)]))
    assert items and all(isinstance(i, Rejected) and i.origin == str(cut) for i in items)
