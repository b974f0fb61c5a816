from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kruzhok.imports.schedule import ScheduleError, Slot, format_schedule, parse_schedule


def slots(*items: tuple[int, str, str]) -> list[Slot]:
    return sorted(Slot(d, time.fromisoformat(a), time.fromisoformat(b)) for d, a, b in items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Пн,Ср 15:00-16:30; Сб 10:00-11:30",
            [(0, "15:00", "16:30"), (2, "15:00", "16:30"), (5, "10:00", "11:30")],
        ),
        ("mon,wed 15:00-16:30", [(0, "15:00", "16:30"), (2, "15:00", "16:30")]),
        ("Пн-Пт 9:00-10:00", [(d, "09:00", "10:00") for d in range(5)]),
        ("пн–ср 15.00–16.30", [(d, "15:00", "16:30") for d in range(3)]),
        ("Понедельник, среда 15.00 — 16.30", [(0, "15:00", "16:30"), (2, "15:00", "16:30")]),
        ("по вторникам и четвергам с 17:00 до 18:30", [(1, "17:00", "18:30"), (3, "17:00", "18:30")]),
        ("Monday 10:00-11:00, Saturday 12:00-13:00", [(0, "10:00", "11:00"), (5, "12:00", "13:00")]),
        ("Пн 15:00-16:00, Ср 17:00-18:00", [(0, "15:00", "16:00"), (2, "17:00", "18:00")]),
        ("выходные 11:00-12:00", [(5, "11:00", "12:00"), (6, "11:00", "12:00")]),
        ("", []),
        ("  ", []),
    ],
)
def test_parses_the_ways_people_write_a_timetable(text, expected):
    assert parse_schedule(text) == slots(*expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Пн 25:00-26:00", "25:00"),
        ("Пн 15:60-16:00", "15:60"),
        ("Пн 16:30-15:00", "позже начала"),
        ("Пн 15:00-15:00", "позже начала"),
        ("15:00-16:30", "не указан день"),
        ("Пн,Ср", "не указано время"),
        ("Пн 15:00", "нет конца"),
        ("Funday 10:00-11:00", "funday"),
        ("Пн-Хз 10:00-11:00", "пн-хз"),
        ("Пн 10:00-11:00 (группа 2)", "(группа"),
    ],
)
def test_rejects_impossible_or_unclear_schedules_with_a_russian_message(text, fragment):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert fragment in caught.value.message


def test_format_groups_days_with_the_same_hours_and_compresses_runs():
    parsed = parse_schedule("ср 15:00-16:30; пн 15:00-16:30; вт,чт,пт 9:00-10:00; сб 10:00-11:30")
    assert format_schedule(parsed) == "Пн,Ср 15:00-16:30; Вт,Чт,Пт 09:00-10:00; Сб 10:00-11:30"
    assert format_schedule(parse_schedule("Пн-Пт 9:00-10:00")) == "Пн-Пт 09:00-10:00"


def test_a_very_long_cell_is_refused_without_parsing():
    with pytest.raises(ScheduleError):
        parse_schedule("Пн 10:00-11:00; " * 200)


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ПнСрВтЧтмоwed0123456789:.-–— ,;сдо")), max_size=60)
    | st.text(max_size=80)
)
def test_any_text_either_parses_or_raises_a_schedule_error(text):
    try:
        result = parse_schedule(text)
    except ScheduleError as exc:
        assert exc.message
    else:
        assert all(0 <= s.weekday <= 6 and s.starts_at < s.ends_at for s in result)


slot_strategy = st.builds(
    lambda day, start, length: Slot(
        day, time(start // 60, start % 60), time((start + length) // 60, (start + length) % 60)
    ),
    st.integers(0, 6),
    st.integers(0, 22 * 60),
    st.integers(1, 60),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(slot_strategy, max_size=12))
def test_formatted_schedule_parses_back_to_the_same_slots(generated):
    assert parse_schedule(format_schedule(generated)) == sorted(set(generated))
