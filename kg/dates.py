"""Dates: find date expressions in a sentence and resolve them, with dateparser, at the precision the text gives."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from kg.lexicon import load_lexicon
from kg.records import DateValue

_PERIOD_LEN = {"year": 4, "month": 7, "day": 10}
_ANY_BASE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class DateExpr:
    """A date expression found in text: its span and either a value or the reason it stays undated."""

    start: int
    end: int
    text: str
    value: DateValue | None
    reason: str | None = None


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    lex = load_lexicon("dates")
    month = "(?:" + "|".join(sorted(lex["months"], key=len, reverse=True)) + r")\.?"
    weekday = "(?:" + "|".join(lex["weekdays"]) + ")"
    relative = "(?:" + "|".join(sorted(map(re.escape, lex["relative"]), key=len, reverse=True)) + ")"
    day = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
    year = r"(?:19[5-9]\d|20[0-4]\d)"
    blockers = "|".join(map(re.escape, lex["year_blockers"]))
    b = r"(?<![\w$€£.,])"
    e = r"(?![\w])"
    return [
        ("day", re.compile(rf"{b}{year}-[01]\d-[0-3]\d{e}")),
        ("day", re.compile(rf"{b}{day}(?:\s*[-–]\s*{day})?\s+(?:of\s+)?{month},?\s+{year}{e}", re.I)),
        ("day", re.compile(rf"{b}{month}\s+{day}(?:\s*[-–]\s*{day})?,?\s+{year}{e}", re.I)),
        ("day", re.compile(rf"{b}[0-3]?\d\.[01]?\d\.{year}{e}")),
        ("month", re.compile(rf"{b}{month},?\s+(?:of\s+)?{year}{e}", re.I)),
        ("month_relyear", re.compile(rf"{b}{month}\s+(?:of\s+)?(?:last|this|next|the previous|the following)\s+year{e}", re.I)),
        ("day_noyear", re.compile(rf"{b}{day}(?:\s*[-–]\s*{day})?\s+(?:of\s+)?{month}{e}", re.I)),
        ("day_noyear", re.compile(rf"{b}{month}\s+{day}(?:\s*[-–]\s*{day})?{e}(?!\s*(?:%|per))", re.I)),
        ("weekday", re.compile(rf"{b}{weekday}{e}", re.I)),
        ("relative", re.compile(rf"{b}{relative}{e}", re.I)),
        ("month_noyear", re.compile(rf"\b(?:in|since|from|until|till|by|during|early|late|mid|of|last|this|next)\s+(?P<d>{month}){e}", re.I)),
        ("year", re.compile(rf"{b}{year}{e}(?!\s*(?:{blockers})\b)(?![-–/]\d)", re.I)),
    ]


def _parser(base: dt.datetime, prefer: str):  # noqa: ANN202 - dateparser has no public type for it
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer, "RETURN_TIME_AS_PERIOD": False},
    )


@functools.lru_cache(maxsize=4096)
def _dateparse(text: str, base: dt.date, prefer: str) -> tuple[dt.date, str] | None:
    data = _parser(dt.datetime(base.year, base.month, base.day), prefer).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


@functools.cache
def _month_numbers() -> dict[str, int]:
    """Every month word of the lexicon (names first, January to December, then abbreviations) -> its number."""
    words = load_lexicon("dates")["months"]
    return {w: next(n for n, name in enumerate(words[:12], 1) if name.startswith(w)) for w in words}


def _words(phrase: str) -> list[str]:
    return phrase.lower().replace(".", " ").split()


def _day_and_month(first: str, second: str) -> tuple[int, int] | None:
    """(day, month number) of two words in either order ("14", "june" or "june", "14"); None if they are not."""
    months = _month_numbers()
    day, month = (first, second) if second in months else (second, first)
    if month in months and re.fullmatch(r"\d{1,2}", day):
        return int(day), months[month]
    return None


def _written_date(phrase: str) -> tuple[dt.date, str] | None:
    """A cleaned date written in full with its year ("14 June 2023", "June 14 2023", "June 2023", "2023-06-14"),
    read directly; None for any other form (dateparser reads those)."""
    parts = _words(phrase)
    months = _month_numbers()
    try:
        if len(parts) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[0]):
            return dt.date.fromisoformat(parts[0]), "day"
        if len(parts) == 2 and parts[0] in months and re.fullmatch(r"\d{4}", parts[1]):
            return dt.date(int(parts[1]), months[parts[0]], 1), "month"
        if len(parts) == 3 and re.fullmatch(r"\d{4}", parts[2]) and (day_month := _day_and_month(parts[0], parts[1])):
            return dt.date(int(parts[2]), day_month[1], day_month[0]), "day"
    except ValueError:  # no such day: dateparser decides
        return None
    return None


def _day_without_year(phrase: str, base: dt.date, prefer: str) -> tuple[dt.date, str] | None:
    """A cleaned day and month without a year ("14 June", "June 14") in the year that puts it on or before `base`
    (prefer "past") or after it ("future"), as dateparser places it; None when that day does not exist in the
    year tried (29 February: dateparser decides)."""
    parts = _words(phrase)
    day_month = _day_and_month(*parts) if len(parts) == 2 else None
    if day_month is None:
        return None
    try:
        date = dt.date(base.year, day_month[1], day_month[0])
        if prefer == "past" and date > base:
            date = date.replace(year=base.year - 1)
        elif prefer == "future" and date <= base:
            date = date.replace(year=base.year + 1)
    except ValueError:
        return None
    return date, "day"


def _clean(kind: str, text: str) -> str:
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", text)
    text = re.sub(r"\s*[-–]\s*\d+", "", text, count=1) if kind in {"day", "day_noyear"} and "-" not in text[:5] else text
    return re.sub(r"\bof\s+", "", text).replace(",", " ").strip()


def resolve(kind: str, text: str, published: str | None, future: bool = False, year: int | None = None) -> tuple[DateValue | None, str | None]:
    """Resolve one expression of a known kind against the published date, or a month or day without its year in the
    narrative's `year` when one is given; (None, reason) when it cannot be."""
    lex = load_lexicon("dates")
    base = dt.date.fromisoformat(published) if published else None
    if year is not None and kind in {"day_noyear", "month_noyear"}:
        base, future = dt.date(year, 12, 31), False
    absolute = kind in {"day", "month", "year"}
    if base is None and not absolute:
        return None, f"{text!r} needs the published date, which is unknown"
    if kind == "year":
        return DateValue(re.search(r"\d{4}", text).group(0), text, "text"), None  # type: ignore[union-attr]
    if kind == "month_relyear":
        assert base is not None
        offset = -1 if re.search(r"last|previous", text, re.I) else 1 if re.search(r"next|following", text, re.I) else 0
        parsed = _dateparse(text.split()[0].rstrip("."), base, "past")
        if parsed is None:
            return None, f"{text!r} could not be resolved"
        return DateValue(f"{base.year + offset:04d}-{parsed[0].month:02d}", text, "relative"), None
    if kind == "weekday":
        assert base is not None
        wanted = [w for w in lex["weekdays"] if w == text.lower()][0]
        delta = (base.weekday() - lex["weekdays"].index(wanted)) % 7
        day = base + dt.timedelta(days=(7 - delta) % 7 if future and delta else -delta)
        return DateValue(day.isoformat(), text, "relative"), None
    phrase = lex["relative"].get(text.lower(), text) if kind == "relative" else _clean(kind, text)
    # a date written with its year does not depend on the published date: one parse serves every article
    base = _ANY_BASE if absolute or base is None else base
    prefer = "past" if absolute or not future else "future"
    direct = _written_date(phrase) if absolute else _day_without_year(phrase, base, prefer) if kind == "day_noyear" else None
    parsed = direct or _dateparse(phrase, base, prefer)
    if parsed is None:
        return None, f"{text!r} could not be resolved"
    day, period = parsed
    if kind in {"month", "month_noyear"}:
        period = "month"
    value = day.isoformat()[: _PERIOD_LEN.get(period, 10)]
    source = "relative" if kind in {"relative", "weekday", "day_noyear", "month_noyear"} else "text"
    return DateValue(value, text, source), None  # type: ignore[arg-type]


def find_dates(text: str, published: str | None, offset: int = 0, future: bool = False, year: int | None = None) -> list[DateExpr]:
    """Every date expression in `text`, longest first where they overlap, with offsets shifted by `offset`; a month or
    day without a year is read in `year` when given (the year the narrative is in), else against the published date."""
    taken: list[tuple[int, int]] = []
    found: list[DateExpr] = []
    for kind, pattern in _patterns():
        for m in pattern.finditer(text):
            start, end = m.span("d") if "d" in pattern.groupindex else m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            value, reason = resolve(kind, text[start:end], published, future, year)
            found.append(DateExpr(offset + start, offset + end, text[start:end], value, reason))
    return sorted(found, key=lambda d: d.start)


def parse_published(raw: str) -> str | None:
    """An article's published date as ISO YYYY-MM-DD, or None when it cannot be read or is impossible."""
    raw = raw.strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+\-Z]*)?$", raw)
    if match:
        try:
            return dt.date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    if not re.search(r"\d{4}", raw):
        return None
    parsed = _dateparse(raw, dt.date(2000, 1, 1), "past")
    return parsed[0].isoformat() if parsed and parsed[1] == "day" else None
