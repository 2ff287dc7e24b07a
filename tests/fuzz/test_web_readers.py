"""Fuzzing the readers merged last (HTML pages, WARC archives, RSS/Atom feeds, CSV exports): generated and mutated
inputs of each kind. Zero crashes: every input gives reports or rejects that name the file and say why."""
from __future__ import annotations

import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_readers import read_file
from trust_log import scaled

_WORDS = st.sampled_from(["Gunmen", "killed", "seven", "soldiers", "<b>", "</p>", "&amp;", "<script>x</script>",
                          "é", "\x00", "\ufeff", "near", "Maiduguri", "on", "Saturday", "<", ">", "\"", "'", "\n"])
_TEXT = st.lists(_WORDS, max_size=60).map(" ".join)


def _mutate(data: bytes, flips: list[int]) -> bytes:
    out = bytearray(data)
    for f in flips:
        if out:
            out[f % len(out)] ^= 0xFF
    return bytes(out)


@st.composite
def html_pages(draw: st.DrawFn) -> bytes:
    title, body = draw(_TEXT), draw(_TEXT)
    page = (f"<html><head><title>{title}</title><meta property='article:published_time' "
            f"content='{draw(st.sampled_from(['2023-03-12', 'not a date', '', '9999-99-99']))}'></head>"
            f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>")
    data = page.encode("utf-8", "surrogatepass")
    cut = draw(st.integers(0, len(data)))
    return _mutate(data[:cut] if draw(st.booleans()) else data, draw(st.lists(st.integers(0, 10_000), max_size=4)))


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    items = "".join(f"<item><title>{draw(_TEXT)}</title><link>https://example.org/{i}</link>"
                    f"<description>{draw(_TEXT)}</description><pubDate>{draw(st.sampled_from(['Sun, 12 Mar 2023 10:00:00 GMT', 'junk', '']))}</pubDate></item>"
                    for i in range(draw(st.integers(0, 3))))
    data = f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    cut = draw(st.integers(0, len(data)))
    return _mutate(data[:cut] if draw(st.booleans()) else data, draw(st.lists(st.integers(0, 10_000), max_size=3)))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    rows = [",".join(draw(st.lists(_TEXT.map(lambda s: '"' + s.replace('"', '""') + '"'), min_size=0, max_size=4)))
            for _ in range(draw(st.integers(0, 4)))]
    data = ("id,title,text,published\n" + "\n".join(rows)).encode("utf-8", "surrogatepass")
    return _mutate(data, draw(st.lists(st.integers(0, 10_000), max_size=3)))


@st.composite
def warc_files(draw: st.DrawFn) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=draw(st.booleans()))
    for i in range(draw(st.integers(0, 3))):
        body = draw(html_pages())
        status = draw(st.sampled_from(["200 OK", "404 Not Found", "301 Moved"]))
        ctype = draw(st.sampled_from(["text/html; charset=utf-8", "application/pdf", "text/html"]))
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        rec = writer.create_warc_record(f"https://example.org/{i}", "response", payload=io.BytesIO(body),
                                        http_headers=headers)
        writer.write_record(rec)
    data = buf.getvalue()   # record ids and dates are random: cut at a drawn share, not a drawn offset
    share, cut_it = draw(st.integers(0, 1000)), draw(st.booleans())
    return data[: len(data) * share // 1000] if cut_it else data


@settings(max_examples=scaled(150))
@given(data=html_pages())
def test_html_pages_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, fuzz_cases: Counter[str],
                                           data: bytes) -> None:
    read_file(tmp_path_factory, "fuzz-page.html", data, 1 << 20)
    fuzz_cases["reader: HTML pages"] += 1


@settings(max_examples=scaled(80))
@given(data=warc_files())
def test_warc_files_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, fuzz_cases: Counter[str],
                                          data: bytes) -> None:
    read_file(tmp_path_factory, "fuzz-crawl.warc.gz" if data[:2] == b"\x1f\x8b" else "fuzz-crawl.warc", data, 1 << 20)
    fuzz_cases["reader: WARC files"] += 1


@settings(max_examples=scaled(150))
@given(data=feeds())
def test_feeds_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, fuzz_cases: Counter[str],
                                      data: bytes) -> None:
    read_file(tmp_path_factory, "fuzz-feed.rss", data, 1 << 20)
    fuzz_cases["reader: RSS feeds"] += 1


@settings(max_examples=scaled(150))
@given(data=csv_files())
def test_csv_files_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, fuzz_cases: Counter[str],
                                          data: bytes) -> None:
    read_file(tmp_path_factory, "fuzz-export.csv", data, 1 << 20)
    fuzz_cases["reader: CSV files"] += 1
