import datetime as dt

import pytest

from xueji_audit.dates import parse_date
from xueji_audit.errors import InvalidDateError


@pytest.mark.parametrize("text", ["2026-11-20", "2026/11/20", "20261120", "2026年11月20日", " 2026-11-20 "])
def test_user_date_formats(text):
    assert parse_date(text) == dt.date(2026, 11, 20)


@pytest.mark.parametrize("text", ["2026-02-30", "20261", "明天", ""])
def test_bad_user_date(text):
    with pytest.raises(InvalidDateError, match="无法识别日期"):
        parse_date(text)
