"""Generated hostile input for the fuzz targets: report-like text mixed with markup, scripts, entities, odd
Unicode, control characters and figures, plus mutations of valid JSON Lines records. Our own words throughout."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

FRAGMENTS = [
    "KIDAL, Mali — ", "Gunmen killed at least seven civilians", " on Sunday", ", a local official said.",
    "The army said 12 fighters were killed.", "dozens of people were wounded", "between 3 and 5",
    "more than 1,200", "twenty-eight", "since 10 September", "last week", "Tuesday and Wednesday",
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<a href=\"javascript:alert(3)\">x</a>",
    "<div><p>", "</p></div>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&lt;b&gt;", "&#0;", "&#x110000;",
    "\u202e", "\u200b", "\ufeff", "\ud7ff", "\U0001F4A3", "\x00", "\x1b[31m", "\r\n", "\r", "\n\n", "\t",
    "Subscribe to our newsletter", "Related stories", "Read more:", "Advertisement", "©2023 All rights reserved",
    "'; DROP TABLE incidents; --", "../../etc/passwd", "%00", "{{7*7}}", "${jndi:x}", "ﾠ", "İ", "ß" * 3,
    "9" * 40, "1e308", "-5", "0", "a 24-year-old", "at 10:30 a.m.", "December 31", "29 February 2023",
]

texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=30).map("".join)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10)


@st.composite
def jsonl_records(draw: Any) -> dict[str, Any]:
    """A record with the reader's fields, each either sensible or hostile."""
    rec: dict[str, Any] = {}
    for name, good in (("id", st.text(max_size=20)), ("url", st.sampled_from(
            ["https://example.org/a", "javascript:alert(1)", "", "ftp://x"])), ("published", st.sampled_from(
            ["2023-04-18", "2023-02-30", "yesterday", "18/04/2023", "not a date", "9999-99-99", ""])),
            ("title", texts), ("text", texts)):
        if draw(st.integers(0, 4)):
            rec[name] = draw(st.one_of(good, json_values) if draw(st.booleans()) else good)
    rec.update(draw(st.dictionaries(st.text(max_size=6), json_values, max_size=2)))
    return rec


@st.composite
def jsonl_bytes(draw: Any) -> bytes:
    """JSON Lines: valid records, mutated ones (cut, flipped bytes), blank lines and raw garbage."""
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 4))
        if kind <= 1:
            line = json.dumps(draw(jsonl_records()), ensure_ascii=draw(st.booleans())).encode()
        elif kind == 2:
            whole = json.dumps(draw(jsonl_records())).encode()
            line = whole[:draw(st.integers(0, len(whole)))]
        elif kind == 3:
            line = bytearray(json.dumps(draw(jsonl_records())).encode())
            for _ in range(draw(st.integers(1, 4))):
                line[draw(st.integers(0, len(line) - 1))] = draw(st.integers(0, 255))
            line = bytes(line)
        else:
            line = draw(st.binary(max_size=60))
        lines.append(line)
    sep = draw(st.sampled_from([b"\n", b"\r\n"]))
    return sep.join(lines) + draw(st.sampled_from([b"", b"\n"]))


text_files = st.one_of(
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    texts.map(lambda t: t.encode("utf-16")),
    texts.map(lambda t: t.encode("latin-1", "replace")),
    st.binary(max_size=300),
)
