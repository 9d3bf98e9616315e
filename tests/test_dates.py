"""Dates: expressions found and resolved at the precision the text gives, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.dates import _dateparse, _day_without_year, _month_numbers, _written_date, find_dates, parse_published, resolve


def values(text: str, published: str | None, future: bool = False) -> list[tuple[str, str | None]]:
    return [(d.text, d.value.value if d.value else None) for d in find_dates(text, published, future=future)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On November 23, Aliyev arrived.", [("November 23", "2022-11-23")]),
        ("on 17 December 2022 in Bucharest", [("17 December 2022", "2022-12-17")]),
        ("on December 17th, 2022 and 2022-12-18", [("December 17th, 2022", "2022-12-17"), ("2022-12-18", "2022-12-18")]),
        ("In July, the discovery", [("July", "2022-07")]),
        ("in November 2020 they met", [("November 2020", "2020-11")]),
        ("gas flow will start in 2023", [("2023", "2023")]),
        ("on Wednesday the ministers met", [("Wednesday", "2022-11-23")]),
        ("yesterday and earlier this month", [("yesterday", "2022-11-23"), ("earlier this month", "2022-11")]),
        ("last year they traded", [("last year", "2021")]),
        ("a 171 km pipeline, 2000 km long, $2022 million", []),
        ("the president may visit in May", [("May", "2022-05")]),
    ],
)
def test_resolution_keeps_precision(text: str, expected: list) -> None:
    assert values(text, "2022-11-24") == expected


def test_weekday_on_the_published_day_is_that_day_and_future_tense_looks_ahead() -> None:
    assert values("on Thursday", "2022-11-24") == [("Thursday", "2022-11-24")]
    assert values("will meet on Monday", "2022-11-24", future=True) == [("Monday", "2022-11-28")]


def test_relative_dates_without_published_stay_undated_with_reason() -> None:
    found = find_dates("on 17 December 2022, yesterday, on November 3", None)
    assert [(d.text, d.value.value if d.value else None) for d in found] == [
        ("17 December 2022", "2022-12-17"),
        ("yesterday", None),
        ("November 3", None),
    ]
    assert "published date" in found[1].reason


def test_offsets_point_into_the_text() -> None:
    text = "Talks were held. On 1 October 2022 the pipeline opened."
    (d,) = find_dates(text, None, offset=100)
    assert text[d.start - 100 : d.end - 100] == "1 October 2022"


def test_precision_property_and_sources() -> None:
    value, reason = resolve("relative", "last month", "2023-01-15")
    assert reason is None and value.value == "2022-12" and value.precision == "month" and value.source == "relative"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2022-11-24", "2022-11-24"), ("2022-11-24T15:43:00+04:00", "2022-11-24"), ("24 November 2022", "2022-11-24"),
     ("2022-13-45", None), ("2023-02-30", None), ("soon", None), ("November 2022", None)],
)
def test_published_dates(raw: str, expected: str | None) -> None:
    assert parse_published(raw) == expected


_MONTH_WORDS = ["January", "february", "MARCH", "Apr", "May", "june", "Jul.", "Aug", "Sept.", "sep", "October", "Nov", "dec."]


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(_MONTH_WORDS),
    day=st.integers(min_value=1, max_value=31),
    year=st.integers(min_value=1950, max_value=2049),
    form=st.sampled_from(["{d} {m} {y}", "{m} {d} {y}", "{m} {y}", "{y}-{mm:02d}-{d:02d}"]),
)
def test_dates_written_in_full_read_as_dateparser_reads_them(word: str, day: int, year: int, form: str) -> None:
    # the direct reading of full dates must agree with dateparser wherever it answers (it declines impossible days)
    month = _month_numbers()[word.lower().rstrip(".")]
    phrase = form.format(d=day, m=word, y=year, mm=month)
    ours = _written_date(phrase)
    theirs = _dateparse(phrase, dt.date(2000, 1, 1), "past")
    if ours is None:
        assert theirs is None or "{d}" in form
        return
    assert theirs is not None
    if ours[1] == "month":
        assert (ours[0].year, ours[0].month) == (theirs[0].year, theirs[0].month)
    else:
        assert ours == theirs


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(_MONTH_WORDS),
    day=st.integers(min_value=1, max_value=31),
    base=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    shift=st.sampled_from([None, -1, 0, 1]),
    prefer=st.sampled_from(["past", "future"]),
    form=st.sampled_from(["{d} {m}", "{m} {d}"]),
)
def test_days_without_a_year_placed_as_dateparser_places_them(
    word: str, day: int, base: dt.date, shift: int | None, prefer: str, form: str,
) -> None:
    # the direct reading of "14 June" against a base date must agree with dateparser wherever it answers; `shift`
    # puts the day next to the base (the year boundary of "past" and "future" is decided there)
    if shift is not None:
        near = base + dt.timedelta(days=shift)
        word, day = near.strftime("%B"), near.day
    phrase = form.format(d=day, m=word)
    ours = _day_without_year(phrase, base, prefer)
    theirs = _dateparse(phrase, base, prefer)
    if ours is None:
        return  # no such day in the year tried (31 April, 29 February): dateparser decides
    assert ours == theirs


def test_a_day_without_a_year_falls_in_the_right_year() -> None:
    assert _day_without_year("14 June", dt.date(2023, 6, 14), "past") == (dt.date(2023, 6, 14), "day")
    assert _day_without_year("June 15", dt.date(2023, 6, 14), "past") == (dt.date(2022, 6, 15), "day")
    assert _day_without_year("Sept. 3", dt.date(2023, 6, 14), "future") == (dt.date(2023, 9, 3), "day")
    assert _day_without_year("14 June", dt.date(2023, 6, 14), "future") == (dt.date(2024, 6, 14), "day")
    assert _day_without_year("29 February", dt.date(2023, 6, 14), "past") is None
    value, reason = resolve("day_noyear", "29 February", "2023-06-14")
    assert reason is None and value.value == "2020-02-29"  # dateparser's answer: the last 29 February before
