"""Remove what is not the report (paywalls, comment forms, crumbs, captions, bylines, related-story links).

``clean(raw)`` works line by line on the original text and records every removal as a ``Removed`` span with its
offsets into the original, so nothing disappears without a trace. Whole-line patterns match only lines that are
furniture from end to end; a news sentence that merely mentions "subscribe" or "comment" is never touched.
The cleaned text keeps the headline first and separates paragraphs with a blank line.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tally.models import CleanArticle, RawArticle, Removed
from tally.stages import metadata

PAYWALL, DISCLAIMER, COMMENTS, NEWSLETTER = "paywall", "disclaimer", "comments", "newsletter"
NAVIGATION, FURNITURE, CAPTION, METADATA, RELATED = "navigation", "furniture", "caption", "metadata", "related-story"

MAX_TITLE = 200          # a headline is shorter than this
MAX_RELATED = 150        # a related-story link is shorter than this
MIN_PARAGRAPH_WORDS = 6  # a "full news paragraph" after a paywall has at least this many words

_PRICE = r"(?:[$€£₹¥]|rs\.?|inr|usd|eur|gbp)\s?\d[\d,.]*|\d[\d,.]*\s?(?:[$€£₹]|usd|eur|inr|gbp)"
_PER = r"(?:\s*(?:/|per|a)\s*(?:month|mo|year|yr|week|wk|day|annum))?"

# Whole-line patterns (matched against the stripped line, case-insensitive), each with its reason. Each one must
# match the line from end to end, and most refuse sentence punctuation, so a news sentence is never furniture.
_RULE_SOURCE: tuple[tuple[str, str], ...] = (
    (PAYWALL, r"you[’']?ve (?:reached|used) (?:your|the|all) (?:limit|maximum|\d+)\b.{0,80}"
              r"\b(?:articles?|stories)\b.{0,40}"),
    (PAYWALL, r"subscribe (?:now|today)\b.{0,80}"),
    (PAYWALL, r"already (?:a )?(?:subscriber|subscribed|member)\b[?!.]?\s*(?:(?:log|sign) ?in\b.{0,20})?"),
    (PAYWALL, r"subscribe to (?:read|continue|unlock|access|keep reading)\b.{0,80}"),
    (PAYWALL, r"(?:renews|billed|renewed) automatically\b.{0,60}|cancel any ?time\.?"),
    (PAYWALL, rf"(?:{_PRICE}){_PER}"),
    (PAYWALL, r"\d{1,3}\s+(?:days?|weeks?|months?|years?)"),
    (PAYWALL, r"(?:here[’']?s )?what[’']?s included (?:in|with) (?:our|the|your|this)\b.{0,60}"),
    (DISCLAIMER, r"disclaimer\s*:.{0,240}"),
    (COMMENTS, r"(?:add (?:a |new )?|leave a |post a |write a )(?:comment|reply)\.?"),
    (COMMENTS, r"\d[\d,]* (?:users?|people|readers) ha(?:ve|s) voted\.?"),
    (COMMENTS, r"\d[\d,]* comments?|comments? \(\d+\)|comments?"),
    (COMMENTS, r"log ?in (?:or register )?to (?:post|leave|add) (?:a )?comments?\.?"),
    (COMMENTS, r"this question is for testing whether .{0,40}\bhuman\b.{0,120}"),
    (COMMENTS, r"\d{1,3}\s*[-+x×*]\s*\d{1,3}\s*=\s*\??"),
    (COMMENTS, r"solve this (?:simple )?math(?:s|ematical)? (?:problem|question)\b.{0,160}"),
    (NEWSLETTER, r"get (?:our |the )?(?:top|latest|daily|breaking) (?:stories|news|headlines)\b.{0,60}"
                 r"\b(?:emailed|delivered|sent) to (?:you|your inbox)\b.{0,30}"),
    (NEWSLETTER, r"(?:sign up|subscribe|register) (?:for|to) (?:our|the)\b.{0,40}\bnewsletters?\b.{0,60}"),
    (NAVIGATION, r"you are here\s*:?[^.!?]{0,80}"),
    (NAVIGATION, r"home\s*[>›»|/]\s*\S.{0,150}"),
    (NAVIGATION, r"(?:[^>›»\n.!?]{1,40}[>›»]){2,}[^>›»\n.!?]{1,80}"),
    (FURNITURE, r"share(?: (?:this|on|via)\b[^.!?]{0,40})?|follow us (?:on|at)\b[^.!?]{0,60}"),
    (FURNITURE, r"(?:read more|related|see also|also read|more on this)\s*(?::.{0,150})?"),
    (FURNITURE, r"advertisement|sponsored(?: content)?|scroll to continue[^.!?]{0,30}"),
    # a line ending in a photo credit: "... on Monday (AFP photo)", "(AFP/file photo)"
    (CAPTION, r".{0,400}\((?:[^()]{0,60}[/ ])?(?:file )?(?:photo|photograph|picture|image|pic)s?"
              r"(?:[ /:][^()]{0,40})?\)"),
    (CAPTION, r"(?:file )?(?:photo|picture|image)(?: credit)?\s*[:|]\s*.{0,200}"),
    (CAPTION, r"file (?:photo|picture|image)\b.{0,200}"),
    (METADATA, r".{1,60}(?:'s|’s) picture|\[\s*source\s*:[^\]]{1,80}\]"),
    (METADATA, r"[-–—]\s*(?:www\.)?[a-z0-9-]+\.[a-z.]{2,10}"),       # a credit line of its own: "– Example.com"
)
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in _RULE_SOURCE
)
_AGENCY_CREDIT = re.compile(r"\((?P<who>[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,3})(?:/[^()]{1,40})?\)$")
_BYLINE = re.compile(r"[Bb]y\s+[A-Z][^\n]{1,120}")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_QUOTE_END = re.compile(r"[\"”]$")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphens and zero-width marks


@dataclass(frozen=True, slots=True)
class _Line:
    start: int       # offsets of the line's kept part in the original text (newline excluded)
    end: int
    text: str        # original[start:end]

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def clean(raw: RawArticle) -> CleanArticle:
    """Strip page furniture from one report and fill in title, date, outlet, language and content hash."""
    lines, trimmed = _trim_affixes(raw.text, _split_lines(raw.text))
    reasons = [None if line.blank else _line_reason(line.text) for line in lines]
    _contextual_metadata(lines, reasons)
    body = _body_start(lines, reasons)
    _paywall_tail(lines, reasons, body)
    style = _paragraph_style(lines, reasons)
    if style == "wrapped":
        body = _paragraph_start(lines, reasons, body)
    _related_stories(lines, reasons, body, style)
    text = _assemble(lines, reasons, style)
    title = raw.title or _title(lines, reasons, body)
    if raw.title and not _norm(text).startswith(_norm(raw.title)):
        text = f"{_norm(raw.title)}\n\n{text}" if text else _norm(raw.title)
    elif raw.title and text.startswith(_norm(raw.title)) and text[len(_norm(raw.title)):][:1].isalnum():
        # scraped pages glue the headline to the lead ("...woman heldCaitlin Caskey was..."): split them
        n = len(_norm(raw.title))
        text = f"{text[:n]}\n\n{text[n:]}"
    published, published_from = (raw.published, "record") if raw.published else \
        metadata.publication_date(raw.text, raw.url)
    return CleanArticle(
        key=raw.key, origin=raw.origin, text=text, original=raw.text,
        removed=_removed_spans(raw.text, lines, reasons, trimmed),
        url=raw.url, title=_norm(title) if title else None,
        published=published, published_from=published_from,
        outlet=raw.outlet or metadata.outlet(raw.text, raw.url), language=_language(text),
        content_hash=content_hash(text), extra=dict(raw.extra),
    )


def content_hash(text: str) -> str:
    """sha256 of the text with every run of whitespace made one space."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for piece in text.split("\n"):
        lines.append(_Line(start, start + len(piece), piece))
        start += len(piece) + 1
    return lines


def _trim_affixes(text: str, lines: list[_Line]) -> tuple[list[_Line], list[Removed]]:
    """Cut a leading " date 2018-11-04 " from the first line and a trailing " – Example.com" from the last."""
    trimmed: list[Removed] = []
    filled = [i for i, line in enumerate(lines) if not line.blank]
    if not filled:
        return lines, trimmed
    first, last = filled[0], filled[-1]
    match = metadata.DATE_PREFIX.match(lines[first].text)
    if match and lines[first].text[match.end():].strip():
        line = lines[first]
        trimmed.append(_removed(text, line.start, line.start + match.end(), METADATA))
        lines[first] = _Line(line.start + match.end(), line.end, text[line.start + match.end():line.end])
    match = metadata.TRAILING_OUTLET.search(lines[last].text)
    if match and lines[last].text[: match.start()].strip():
        line = lines[last]
        trimmed.append(_removed(text, line.start + match.start(), line.end, METADATA))
        lines[last] = _Line(line.start, line.start + match.start(), text[line.start:line.start + match.start()])
    return lines, trimmed


def _line_reason(line: str) -> str | None:
    """Why a whole line is furniture, or None when it may be part of the report."""
    stripped = _norm(line)
    for reason, pattern in _RULES:
        if pattern.fullmatch(stripped):
            return reason
    if _is_metadata(stripped):
        return METADATA
    credit = _AGENCY_CREDIT.search(stripped)
    if credit and not _ends_sentence(stripped[: credit.start()]) and metadata.outlet_by_alias(credit.group("who")):
        return CAPTION            # "Smoke rises over the city (Reuters)"
    return None


def _is_metadata(line: str) -> bool:
    """Bylines and date lines: "By AFP - Dec 06,2018", "Published 11:44 PM, ...", "Last update:", a bare date."""
    if metadata.is_date_line(line):
        return True
    if _BYLINE.fullmatch(line) and not _ends_sentence(line):
        return True
    label = metadata.LABEL_RE.match(line)
    if not label:
        return False
    rest = label.group("rest")
    if label.group("label").lower() == "date":      # "Date: 4 May 2020", not "Date palms burned on 4 May 2020"
        return metadata.is_date_line(rest)
    return not rest.strip() or metadata.leading_date(rest) is not None


def _contextual_metadata(lines: list[_Line], reasons: list[str | None]) -> None:
    """A line after a bare "Last update:" label is its value, whatever form the date takes."""
    for i, line in enumerate(lines[:-1]):
        label = metadata.LABEL_RE.match(_norm(line.text))
        if reasons[i] == METADATA and label and not label.group("rest").strip():
            j = _next_filled(lines, i)
            if j is not None and reasons[j] is None and len(lines[j].text) < 60 and not _ends_sentence(lines[j].text):
                reasons[j] = METADATA


def _body_start(lines: list[_Line], reasons: list[str | None]) -> int:
    """Index of the first kept line that is a full sentence; len(lines) when there is none."""
    for i, line in enumerate(lines):
        if reasons[i] is None and not line.blank and _ends_sentence(_norm(line.text)):
            return i
    return len(lines)


def _paywall_tail(lines: list[_Line], reasons: list[str | None], body: int) -> None:
    """Once a paywall starts after the body, everything after it but full news paragraphs is paywall too."""
    start = next((i for i in range(body, len(lines)) if reasons[i] == PAYWALL), None)
    if start is None:
        return
    for i in range(start + 1, len(lines)):
        if reasons[i] is None and not lines[i].blank and not _is_news_paragraph(_norm(lines[i].text)):
            reasons[i] = PAYWALL


def _is_news_paragraph(line: str) -> bool:
    return _ends_sentence(line) and len(line.split()) >= MIN_PARAGRAPH_WORDS


def _paragraph_style(lines: list[_Line], reasons: list[str | None]) -> str:
    """How the text marks paragraphs: "blank" (blank lines), "line" (one per line) or "wrapped" (hard-wrapped)."""
    kept = [i for i, line in enumerate(lines) if reasons[i] is None and not line.blank]
    adjacent = sum(1 for a, b in zip(kept, kept[1:]) if b == a + 1)
    if adjacent * 2 <= len(kept) - 1 or len(kept) < 2:
        return "blank"
    ended = sum(1 for i in kept if _ends_sentence(_norm(lines[i].text)))
    return "line" if ended * 5 >= len(kept) * 3 else "wrapped"


def _paragraph_start(lines: list[_Line], reasons: list[str | None], i: int) -> int:
    """In hard-wrapped text, walk back from a sentence end to the first line of its paragraph."""
    while (i > 0 and reasons[i - 1] is None and not lines[i - 1].blank
           and not _ends_sentence(_norm(lines[i - 1].text))):
        i -= 1
    return i


def _related_stories(lines: list[_Line], reasons: list[str | None], body: int, style: str) -> None:
    """A short unpunctuated paragraph between body paragraphs is a link to another story."""
    if style == "wrapped":
        return                    # every line there may be a piece of a sentence
    kept = [i for i in range(len(lines)) if reasons[i] is None and not lines[i].blank]
    for pos, i in enumerate(kept):
        if i <= body or pos + 1 >= len(kept):
            continue
        text = _norm(lines[i].text)
        prev = next((j for j in reversed(kept[:pos]) if reasons[j] is None), None)
        nxt = kept[pos + 1]
        if (_looks_like_link(text) and prev is not None and _ends_sentence(_norm(lines[prev].text))
                and _starts_paragraph(_norm(lines[nxt].text))
                and (style == "line" or (_gap(lines, prev, i) and _gap(lines, i, nxt)))
                and any(_ends_sentence(_norm(lines[k].text)) for k in kept[pos + 1:])):
            reasons[i] = RELATED


def _looks_like_link(text: str) -> bool:
    return (len(text) < MAX_RELATED and not _ends_sentence(text) and not text.endswith((":", ",", ";", "-", "—"))
            and any(ch.isalpha() for ch in text) and _starts_paragraph(text))


def _starts_paragraph(text: str) -> bool:
    return bool(text) and not text[0].islower()


def _gap(lines: list[_Line], a: int, b: int) -> bool:
    """True when a blank line stands between lines a and b."""
    return any(lines[k].blank for k in range(a + 1, b))


def _title(lines: list[_Line], reasons: list[str | None], body: int) -> str | None:
    for i in range(min(body, len(lines))):
        text = _norm(lines[i].text)
        if reasons[i] is None and text and len(text) <= MAX_TITLE and not _ends_sentence(text):
            return text
    return None


def _assemble(lines: list[_Line], reasons: list[str | None], style: str) -> str:
    """Kept lines -> text: paragraphs joined by a blank line; a line that continues a sentence joined by a space."""
    parts: list[str] = []
    prev: int | None = None
    for i, line in enumerate(lines):
        text = _norm(line.text)
        if reasons[i] is not None or not text:
            continue
        if prev is not None:
            parts.append(" " if _continues(lines, prev, i, style) else "\n\n")
        parts.append(text)
        prev = i
    return "".join(parts)


def _continues(lines: list[_Line], prev: int, i: int, style: str) -> bool:
    if _gap(lines, prev, i) or i != prev + 1:
        return False
    before, after = _norm(lines[prev].text), _norm(lines[i].text)
    if _ends_sentence(before):
        return False
    return style == "wrapped" or after[:1].islower() or before.endswith((",", ";", "-"))


def _removed_spans(
    text: str, lines: list[_Line], reasons: list[str | None], trimmed: list[Removed]
) -> tuple[Removed, ...]:
    """One Removed per run of removed lines with the same reason (blank lines between them included)."""
    spans = sorted(trimmed + [_removed(text, line.start, line.end, reason)
                              for line, reason in zip(lines, reasons) if reason is not None],
                   key=lambda r: r.start)
    merged: list[Removed] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last and last.reason == span.reason and not text[last.end:span.start].strip():
            merged[-1] = _removed(text, last.start, span.end, span.reason)
        else:
            merged.append(span)
    return tuple(merged)


def _removed(text: str, start: int, end: int, reason: str) -> Removed:
    return Removed(start, end, reason, text[start:end])


def _next_filled(lines: list[_Line], i: int) -> int | None:
    return next((j for j in range(i + 1, len(lines)) if not lines[j].blank), None)


def _ends_sentence(text: str) -> bool:
    text = text.rstrip()
    return bool(_SENTENCE_END.search(text)) or (bool(_QUOTE_END.search(text)) and len(text.split()) >= 8)


def _norm(text: str) -> str:
    """One line as a reader sees it: no invisible characters, single plain spaces, no edges."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


# Plainly English: at least this many words, in plain ASCII, and a quarter of them among the commonest English
# function words written in lower case (running news text: 30-45%; French, Spanish or German: under 5%; an
# all-caps text has none, and py3langid may call one Lingala). py3langid says "en" for every such text of the
# demo corpus, the fixtures, the seeds and a generated corpus (tests/stages/test_clean_language.py), so the
# shortcut changes no decision and saves the classifier's time on most reports.
_PLAIN_WORDS = 40
_PLAIN_SHARE = 0.25
_FUNCTION_WORDS = frozenset(
    "the of and to in a is was were that for on with as by at from it its he she they his her their said has have "
    "had been be are an or but not this which who after".split())
_WORD = re.compile(r"[A-Za-z]+")


def _plainly_english(text: str) -> bool:
    if not text.isascii():
        return False
    words = _WORD.findall(text)
    if len(words) < _PLAIN_WORDS:
        return False
    common = sum(1 for w in words if w in _FUNCTION_WORDS)   # lower case: py3langid reads an all-caps text otherwise
    return common >= _PLAIN_SHARE * len(words)


def _language(text: str) -> str:
    """ISO 639-1 code from py3langid; "und" when there is nothing to judge."""
    if not any(ch.isalpha() for ch in text):
        return "und"
    if _plainly_english(text):
        return "en"
    import py3langid       # deferred: loading its model takes a moment and is only needed here

    lang, _score = py3langid.classify(text)
    return str(lang)
