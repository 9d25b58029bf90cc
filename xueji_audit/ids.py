"""Identifiers: 居民身份证 numbers (GB 11643) and 学籍号 (G / J / L).

Scalar functions are the plain reading of the standard; :func:`validate_ids` and
:func:`xjh_kinds` do the same on whole columns with numpy on the character codes.

Input is expected to be normalised by the loader already (half-width, no spaces, upper-case
``X``). These functions do NOT normalise: a lower-case ``x`` is an illegal character here.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import STRING, arrow_text

PROVINCE_CODES: frozenset[str] = frozenset(
    f"{c:02d}"
    for c in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
              *range(61, 66), 71, 81, 82)
)
"""GB/T 2260 province-level codes (the first two digits of an ID number)."""

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
"""ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 for the 17 body digits."""
CHECK_CHARS = "10X98765432"
"""The check character for (weighted sum mod 11) = 0, 1, …, 10."""

XJH_PATTERN_G = r"^G\d{17}[\dX]$"
XJH_PATTERN_J = r"^J\d{17}[\dX]$"
XJH_PATTERN_L = r"^L\d{18}$"
"""学籍号 shapes. Use them with ``re.ASCII`` and full-match semantics (``\\d`` would otherwise
accept full-width digits and ``$`` a trailing newline); :func:`xjh_kind` does so."""

_ID18 = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_XJH = re.compile(r"([GJ])[0-9]{17}[0-9X]|(L)[0-9]{18}", re.ASCII)
_MIN_YEAR, _MAX_YEAR = 1900, 2100

MSG_CHARS = "含非法字符"
MSG_LOWER_X = "含非法字符（末位小写x应为大写X）"
MSG_DATE = "出生日期不存在"
MSG_YEAR = "出生年份不在1900—2100年之间"


def _msg_length(n: int) -> str:
    return f"位数错误（{n}位，应为18位）"


def _msg_check(c: str) -> str:
    return f"校验位错误（应为 {c}）"


# ---------------------------------------------------------------- scalar functions


def check_digit(first17: str) -> str:
    """The GB 11643 check character of 17 body digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    total = sum(int(ch) * int(w) for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def has_valid_check(s: str) -> bool:
    """True when ``s`` is ``\\d{17}[\\dX]`` and its last character is the right check digit."""
    return isinstance(s, str) and _ID18.fullmatch(s) is not None and check_digit(s[:17]) == s[17]


def _real_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _text_or_none(s) -> str | None:
    """The value as text, None when missing (None, NaN, NA)."""
    if isinstance(s, str):
        return s
    return None if s is None or pd.isna(s) else str(s)


def _problem_and_birth(s) -> tuple[str | None, dt.date | None]:
    """(reason or None, birth date or None) of one ID number; the reference reading."""
    s = _text_or_none(s)
    if s is None:
        return None, None
    if len(s) == 18:
        if _ID18.fullmatch(s) is None:
            lower_x = s[17] == "x" and s[:17].isascii() and s[:17].isdigit()
            return (MSG_LOWER_X if lower_x else MSG_CHARS), None
        y, m, d = int(s[6:10]), int(s[10:12]), int(s[12:14])
    elif len(s) == 15:
        if not (s.isascii() and s.isdigit()):
            return MSG_CHARS, None
        y, m, d = 1900 + int(s[6:8]), int(s[8:10]), int(s[10:12])
    else:
        return _msg_length(len(s)), None
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return MSG_YEAR, None
    birth = _real_date(y, m, d)
    if birth is None:
        return MSG_DATE, None
    if len(s) == 18 and check_digit(s[:17]) != s[17]:
        return _msg_check(check_digit(s[:17])), None
    return None, birth


def id_problem(s) -> str | None:
    """Why ``s`` is not a valid 居民身份证 number (Chinese), or None when it is valid.

    A missing value (None / NA) has no problem: it is not a number at all (see ID-06).
    """
    return _problem_and_birth(s)[0]


def is_valid_id(s) -> bool:
    """18 characters ``\\d{17}[\\dX]`` with a real birth date (1900–2100) and the right check
    digit, or 15 digits with a real birth date 19YYMMDD. The province code is not checked."""
    return _problem_and_birth(s)[1] is not None


def id_birth_date(s) -> dt.date | None:
    """The birth date encoded in a valid ID number (15 or 18 digits), else None."""
    return _problem_and_birth(s)[1]


def id_sex(s) -> str | None:
    """'男' when the sequence digit (17th of 18, 15th of 15) is odd, '女' when even; None when
    the number is not valid."""
    if not is_valid_id(s):
        return None
    s = _text_or_none(s)
    return "男" if int(s[16 if len(s) == 18 else 14]) % 2 else "女"


def id_province(s) -> str | None:
    """The first two digits of a valid ID number (whether or not they are a known province;
    test ``code in PROVINCE_CODES`` for ID-04), else None."""
    return _text_or_none(s)[:2] if is_valid_id(s) else None


def upgrade_15_to_18(id15: str) -> str:
    """The 18-digit form of a legacy 15-digit number: '19' before YYMMDD, then the check digit."""
    if len(id15) != 15 or not id15.isascii() or not id15.isdigit():
        raise ValueError(f"need 15 ASCII digits, got {id15!r}")
    body = id15[:6] + "19" + id15[6:]
    return body + check_digit(body)


# ---------------------------------------------------------------- 学籍号


def xjh_kind(s) -> str | None:
    """'G', 'J' or 'L' for a well-formed 学籍号, None otherwise (format only, as XJ-01)."""
    if not isinstance(s, str):
        return None
    m = _XJH.fullmatch(s)
    return None if m is None else (m.group(1) or m.group(2))


def xjh_check_ok(s) -> bool:
    """True when ``s`` is a G or J number whose 18 characters after the letter carry the right
    MOD 11-2 check digit (a G number embeds the ID number; a J number has the same shape)."""
    return xjh_kind(s) in ("G", "J") and has_valid_check(s[1:])


# ---------------------------------------------------------------- generators (demo county)


def _seq_digits(seq: int, sex: str) -> str:
    """Digits 15–17 of an ID: ``seq % 100`` then a 17th digit of the sex's parity.

    seq 0–99 gives 17th digit 1 (男) / 0 (女); seq up to 499 varies the 17th digit further.
    """
    if not 0 <= seq <= 499:
        raise ValueError(f"seq must be 0–499, got {seq}")
    if sex not in ("男", "女"):
        raise ValueError(f"sex must be 男 or 女, got {sex!r}")
    return f"{seq % 100:02d}{2 * (seq // 100) + (1 if sex == '男' else 0)}"


def _region(region6: str) -> str:
    if len(region6) != 6 or not region6.isascii() or not region6.isdigit():
        raise ValueError(f"region6 must be 6 ASCII digits, got {region6!r}")
    return region6


def make_id(region6: str, birth: dt.date, seq: int, sex: str) -> str:
    """A valid 18-digit ID number: region, YYYYMMDD, ``seq`` (digits 15–16), a 17th digit of
    the sex's parity (odd = 男), and the check digit."""
    body = _region(region6) + birth.strftime("%Y%m%d") + _seq_digits(seq, sex)
    return body + check_digit(body)


def make_id15(region6: str, birth: dt.date, seq: int, sex: str) -> str:
    """A legacy 15-digit number (birth year 1900–1999) whose 18-digit form is
    ``make_id(region6, birth, seq, sex)``."""
    if not 1900 <= birth.year <= 1999:
        raise ValueError(f"a 15-digit number needs a birth year 1900–1999, got {birth.year}")
    return _region(region6) + birth.strftime("%y%m%d") + _seq_digits(seq, sex)


def make_xjh_g(id18: str) -> str:
    """A G 学籍号: 'G' followed by the student's 18-digit ID number."""
    if _ID18.fullmatch(id18) is None:
        raise ValueError(f"need an 18-character ID number, got {id18!r}")
    return "G" + id18


def make_xjh_j(region6_or_body: str, birth: dt.date | None = None, seq: int = 0,
               sex: str = "男") -> str:
    """A J 学籍号: 'J' + 17 digits + check digit.

    ``make_xjh_j(region6, birth, seq, sex)`` builds the 18 characters like :func:`make_id`;
    ``make_xjh_j(body17)`` appends the check digit to 17 given digits.
    """
    if birth is None:
        return "J" + region6_or_body + check_digit(region6_or_body)
    return "J" + make_id(region6_or_body, birth, seq, sex)


def make_xjh_l(region6: str, serial: int) -> str:
    """An L (temporary) 学籍号: 'L' + region + 12-digit zero-padded serial."""
    if not 0 <= serial < 10**12:
        raise ValueError(f"serial must be 0–999999999999, got {serial}")
    return "L" + _region(region6) + f"{serial:012d}"


# ---------------------------------------------------------------- vectorised


def base11(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(numbers, ok) of texts written in digits and ``X`` read as base 11: ``cols`` holds
    one row of code points per character position (k × N); ``ok`` is False where a character
    is neither (the number of such a text means nothing)."""
    key = np.zeros(cols.shape[1], dtype=np.int64)
    ok = np.ones(cols.shape[1], dtype=bool)
    for c in cols:  # Horner's rule, one character position at a time
        d = np.asarray(c, dtype=np.uint32) - np.uint32(48)  # wraps around below "0"
        d[d == ord("X") - 48] = 10
        ok &= d <= 10
        key = key * 11 + d
    return key, ok


def _codes(values: pd.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(N × width uint8 character codes, lengths capped at ``width``) of a text column.

    Values are truncated to ``width`` characters, so a length equal to ``width`` means
    "``width`` or more"; NA becomes the empty string. Code points above 255 become 255 (they
    are illegal characters anyway).
    """
    text = pc.fill_null(arrow_text(values), "")
    if len(text) and pc.all(pc.string_is_ascii(text)).as_py():  # read off the Arrow bytes
        fixed = pc.utf8_rpad(pc.utf8_slice_codeunits(text, 0, width), width, padding="\x00")
        start = np.frombuffer(fixed.buffers()[1], dtype=np.int64)[fixed.offset]
        codes = np.frombuffer(fixed.buffers()[2], dtype=np.uint8)[
            start: start + width * len(fixed)].reshape(len(fixed), width)
        return codes.copy(), np.count_nonzero(codes, axis=1)
    obj = values.to_numpy(dtype=object, na_value="")
    wide = np.asarray(obj, dtype=f"U{width}").view(np.uint32).reshape(len(obj), width)
    codes = np.minimum(wide, 255).astype(np.uint8)
    return codes, np.count_nonzero(wide, axis=1)


def _coded_text(index: np.ndarray, labels: list[str], keep: np.ndarray):
    """A pandas ``string`` array ``labels[index]``, NA where ``keep`` is False."""
    dictionary = pa.DictionaryArray.from_arrays(
        pa.array(index, mask=~keep), pa.array(labels, type=pa.string()))
    return pd.array(dictionary.cast(pa.string()), dtype=STRING)


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _number(cols: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The decimal number written by the digit columns ``cols[start:stop]`` (one row of
    ``cols`` per character position)."""
    out = np.zeros(cols.shape[1], dtype=np.int32)
    for i in range(start, stop):
        out = out * 10 + cols[i]
    return out


def _id_checks(codes: np.ndarray, length: np.ndarray, na: np.ndarray) -> dict[str, np.ndarray]:
    """The checks of :func:`validate_ids` on character codes (see :func:`_codes`): digit
    values ``d``, the shape, date and check-digit tests, ``want`` (the right check character
    per row), ``valid`` and ``ok15`` (a valid 15-digit number)."""
    d = codes - np.uint8(48)  # wraps around for codes below '0'
    digit = d < 10
    d[~digit] = 0

    is18, is15 = length == 18, length == 15
    body_digits = digit[:, :15].all(axis=1)
    chars15 = is15 & body_digits
    body_digits &= digit[:, 15] & digit[:, 16]
    chars18 = is18 & body_digits & (digit[:, 17] | (codes[:, 17] == ord("X")))
    lower_x = is18 & body_digits & (codes[:, 17] == ord("x"))

    cols = d.T.astype(np.int32, order="C")  # one contiguous row per character position
    year = np.where(is18, _number(cols, 6, 10), 1900 + _number(cols, 6, 8))
    month = np.where(is18, _number(cols, 10, 12), _number(cols, 8, 10))
    day = np.where(is18, _number(cols, 12, 14), _number(cols, 10, 12))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    date_ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays + ((month == 2) & leap))
    year_ok = (year >= _MIN_YEAR) & (year <= _MAX_YEAR)

    # The 18-digit body of a 15-digit number is region + '19' + its remaining 9 digits.
    w = np.array([int(x) for x in WEIGHTS], dtype=np.int32)
    s18 = w[:17] @ cols[:17]
    s15 = w[:6] @ cols[:6] + w[6] + 9 * w[7] + w[8:17] @ cols[6:15]
    expected = np.where(is15, s15, s18) % 11
    want = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[expected]
    check_ok = codes[:, 17] == want

    ok18 = chars18 & year_ok & date_ok & check_ok & ~na
    ok15 = chars15 & year_ok & date_ok & ~na
    return {"d": d, "is18": is18, "is15": is15, "chars18": chars18, "chars15": chars15,
            "lower_x": lower_x, "year": year, "month": month, "day": day, "date_ok": date_ok,
            "year_ok": year_ok, "expected": expected, "want": want, "check_ok": check_ok,
            "ok15": ok15, "valid": ok18 | ok15}


def _id18_codes(codes: np.ndarray, want: np.ndarray, ok15: np.ndarray) -> np.ndarray:
    """N × 18 code points of the 18-digit form: the first 18 codes, with the 15-digit numbers
    of ``ok15`` upgraded (``'19'`` inserted, check character ``want`` appended)."""
    id18 = np.zeros((len(codes), 18), dtype=np.uint32)
    id18[:] = codes[:, :18]
    rows15 = np.flatnonzero(ok15)
    id18[rows15, 8:17] = codes[rows15, 6:15]
    id18[rows15, 6:8] = [ord("1"), ord("9")]
    id18[rows15, 17] = want[rows15]
    return id18


def validate_ids(ids: pd.Series) -> pd.DataFrame:
    """Validate a column of ID numbers at once.

    Returns a frame indexed like ``ids`` with columns ``id18`` (string: the 18-digit form of a
    valid 18-digit or 15-digit number, else NA), ``valid``, ``legacy15`` (a valid 15-digit
    number), ``problem`` (Chinese reason, NA when valid or when the input is NA), ``birth``
    (datetime64[ns], NaT unless valid), ``sex`` (男/女, NA unless valid) and ``province_ok``
    (the first two characters are a GB/T 2260 province code; False when they are not, whatever
    the validity — ID-04 combines it with ``valid``).
    """
    na = ids.isna().to_numpy()
    codes, length = _codes(ids, 19)
    chk = _id_checks(codes, length, na)
    d, is18, is15, year, month, day = (chk[k] for k in ("d", "is18", "is15", "year", "month",
                                                         "day"))
    year_ok, date_ok, expected, want = (chk[k] for k in ("year_ok", "date_ok", "expected",
                                                          "want"))
    ok15, valid = chk["ok15"], chk["valid"]

    # problem: an index into ``messages``
    messages = [MSG_CHARS, MSG_LOWER_X, MSG_YEAR, MSG_DATE] + [_msg_check(c) for c in CHECK_CHARS]
    problem = np.zeros(len(ids), dtype=np.int16)
    bad = ~valid & ~na
    wrong_len = bad & ~is18 & ~is15
    if wrong_len.any():
        true_len = length.copy()
        over = np.flatnonzero(wrong_len & (length >= 19))
        true_len[over] = [len(str(v)) for v in ids.iloc[over]]
        for k in np.unique(true_len[wrong_len]):
            problem[wrong_len & (true_len == k)] = len(messages)
            messages.append(_msg_length(int(k)))
    problem[bad & chk["lower_x"]] = 1
    shaped = bad & (chk["chars18"] | chk["chars15"])
    problem[shaped & ~year_ok] = 2
    problem[shaped & year_ok & ~date_ok] = 3
    wrong_check = shaped & year_ok & date_ok & ~chk["check_ok"]
    problem[wrong_check] = 4 + expected[wrong_check]

    id18 = _id18_codes(codes, want, ok15)

    days = _days_from_civil(year.astype(np.int64), month, day)
    births = np.where(valid, days, 0).astype("datetime64[D]").astype("datetime64[ns]")
    births[~valid] = np.datetime64("NaT")

    odd = (np.where(is18, d[:, 16], d[:, 14]) % 2).astype(np.int8)
    prov = np.isin(codes[:, 0].astype(np.int32) * 256 + codes[:, 1],
                   [ord(c[0]) * 256 + ord(c[1]) for c in PROVINCE_CODES])

    return pd.DataFrame(
        {
            "id18": pd.array(pa.array(id18.view("U18").ravel(), mask=~valid, type=pa.string()),
                             dtype=STRING),
            "valid": valid,
            "legacy15": ok15,
            "problem": _coded_text(problem, messages, bad),
            "birth": births,
            "sex": _coded_text(odd, ["女", "男"], valid),
            "province_ok": prov,
        },
        index=ids.index,
    )


def xjh_kinds(xjh: pd.Series) -> pd.Series:
    """'G' / 'J' / 'L' for each well-formed 学籍号, NA otherwise (format only, as XJ-01)."""
    codes, length = _codes(xjh, 20)
    digit = (codes - np.uint8(48)) < 10
    first = codes[:, 0]
    shaped19 = length == 19
    gj = (shaped19 & ((first == ord("G")) | (first == ord("J"))) & digit[:, 1:18].all(axis=1)
          & (digit[:, 18] | (codes[:, 18] == ord("X"))))
    el = shaped19 & (first == ord("L")) & digit[:, 1:19].all(axis=1)
    kind = np.where(el, 2, np.where(first == ord("G"), 0, 1)).astype(np.int8)
    return pd.Series(_coded_text(kind, ["G", "J", "L"], gj | el), index=xjh.index)
