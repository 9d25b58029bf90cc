"""Rule profiles: built-ins, inheritance, user files and every kind of bad profile."""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from xueji_audit.errors import ProfileError
from xueji_audit.profile import builtin_profiles, load_profile


def _write(tmp_path, text: str, name: str = "mine.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_builtins():
    assert builtin_profiles() == ["national-2013", "national-2025", "ningxia-xiji"]


def test_default_is_national_2025():
    p = load_profile()
    assert p.name == "national-2025" and p.chain == ("national-2025",)
    assert p.params_for("ST-03") == {"workdays": 60}
    assert p.params_for("ST-04") == {"months": 2}
    assert p.age_cutoff == (8, 31) and p.term_starts == ((9, 1), (3, 1))
    assert not p.is_enabled("LX-01") and p.is_enabled("TR-01")


def test_national_2013_inherits_and_overrides():
    p = load_profile("national-2013")
    assert p.chain == ("national-2025", "national-2013")
    assert p.params_for("ST-03") == {"workdays": 10}
    assert p.params_for("ST-04") == {"months": 1}
    assert p.params_for("TR-01") == {"workdays": 10}
    assert p.vacations == load_profile("national-2025").vacations


def test_ningxia_enables_local_rules():
    p = load_profile("ningxia-xiji")
    assert all(p.is_enabled(f"LX-0{i}") for i in range(1, 7))
    assert p.params_for("LX-03") == {"workdays": 10}
    assert p.params_for("LX-04") == {"days": 14}


def test_user_file_extends_a_builtin(tmp_path):
    path = _write(tmp_path, """
        name = "county-x"
        title = "某县"
        extends = "ningxia-xiji"
        [calendar]
        extra_holidays = [2031-01-02, "2031-01-03"]
        extra_workdays = ["2031-01-04"]
        age_cutoff = "09-30"
        vacations = [["01-15", "02-20"], ["2031-07-01", "2031-08-31"]]
        [rules]
        disable = ["LX-01", "ID-05"]
        [params.TR-01]
        workdays = 15
        [params.TR-04]
        windows = [["08-01", "12-31"]]
        [params.LX-01]
        grades = [1, 7]
        """)
    p = load_profile(str(path))
    assert p.name == "county-x" and p.title == "某县"
    assert p.chain == ("national-2025", "ningxia-xiji", "county-x")
    assert p.extra_holidays == (dt.date(2031, 1, 2), dt.date(2031, 1, 3))
    assert p.extra_workdays == (dt.date(2031, 1, 4),)
    assert p.age_cutoff == (9, 30)
    assert not p.is_enabled("LX-01") and not p.is_enabled("ID-05") and p.is_enabled("LX-02")
    assert p.params_for("TR-01") == {"workdays": 15}
    assert p.params_for("TR-04") == {"windows": [["08-01", "12-31"]]}
    cal = p.calendar()
    assert not cal.is_workday(dt.date(2031, 1, 2)) and cal.is_workday(dt.date(2031, 1, 4))
    assert p.calendar(vacations=True).is_workday(dt.date(2031, 2, 20)) is False
    assert cal.is_workday(dt.date(2031, 2, 20)) is True  # Thursday, vacations not counted only


def test_user_file_extends_another_file(tmp_path):
    _write(tmp_path, 'name = "base"\n[params.CL-01]\nmin = 50\n', "base.toml")
    child = _write(tmp_path, 'extends = "base.toml"\n[params.CL-01]\nmax = 60\n', "child.toml")
    p = load_profile(child)
    assert p.name == "child" and p.params_for("CL-01") == {"min": 50, "max": 60}


@pytest.mark.parametrize(("text", "needles"), [
    ('nmae = "x"\n', ["nmae"]),
    ('[calendar]\nvacation = []\n', ["calendar.vacation"]),
    ('[rules]\nturn_on = ["ID-01"]\n', ["rules.turn_on"]),
    ('[params.ST-03]\nworkdays = "10"\n', ["params.ST-03.workdays", "'10'", "整数"]),
    ('[params.TR-03]\nstart = "7-15"\n', ["params.TR-03.start", "7-15"]),
    ('[params.TR-04]\nwindows = ["08-15"]\n', ["params.TR-04.windows"]),
    ('[params.CL-01]\nmin = true\n', ["params.CL-01.min", "True"]),
    ('[calendar]\nage_cutoff = 831\n', ["calendar.age_cutoff", "831"]),
    ('[calendar]\nextra_holidays = "2031-01-02"\n', ["calendar.extra_holidays"]),
    ('[calendar]\nextra_holidays = ["2031-13-02"]\n', ["calendar.extra_holidays", "2031-13-02"]),
    ('[calendar]\nvacations = [["07-15"]]\n', ["calendar.vacations"]),
    ('[calendar]\nextra_holidays = ["2031-01-02"]\nextra_workdays = ["2031-01-02"]\n',
     ["2031-01-02"]),
    ('extends = 3\n', ["extends", "3"]),
    ('extends = "national-1999"\n', ["national-1999"]),
    ('[rules]\nenable = ["XX-99"]\n', ["XX-99"]),
    ('[rules]\ndisable = "ID-01"\n', ["rules.disable"]),
    ('[params.ZZ-01]\nx = 1\n', ["ZZ-01"]),
    ('[params.ST-03]\ndays = 10\n', ["ST-03", "days", "workdays"]),
    ('name = "x"\nname = "y"\n', ["TOML"]),
])
def test_bad_profiles(tmp_path, text, needles):
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    for n in needles:
        assert n in str(exc.value)


def test_extends_cycle(tmp_path):
    _write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    b = _write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    with pytest.raises(ProfileError, match="循环"):
        load_profile(b)


def test_unknown_profile_name_lists_builtins():
    with pytest.raises(ProfileError, match="national-2025"):
        load_profile("no-such-profile")
