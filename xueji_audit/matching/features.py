"""What the matcher compares: a column mapping (:class:`MatchSpec`) and the derived features.

A mapping names the record key and, for each compared column, its *kind*:

``name_zh``  a Chinese personal name (:mod:`xueji_audit.names`): keys ``:sound``, ``:shape``,
             ``:surname`` (pinyin of the surname), ``:raw`` (cleaned, not simplified),
             ``:head`` / ``:tail`` (the sound of the surname and the given name's first / last
             character; blocking only);
``name``     a Latin-script name (lower-cased);
``text``     free text such as an address (lower-cased, no spaces);
``id_cn``    a 居民身份证 number: ``:id18`` (the 18-digit form of a valid number, 15 → 18),
             ``:id15`` (the 15-digit form: no century digits, no check digit), ``:valid``, ``:p14`` (region + birth, digits 1–14, also of an invalid number);
``code``     any other identifier compared character by character;
``date``     a date (``datetime64`` or ``YYYYMMDD`` text): ``:ym``, ``:y``, ``:swap`` (the same
             for a date and its day/month swap);

Any column also has ``:first2``, ``:last2``, ``:first4``, ``:last4`` for blocking; these and
``:ym``, ``:y``, ``:p14`` are computed only when a blocking rule names them.
``exact``    a categorical value compared for equality.

Every feature column is text (object) with ``""`` for missing, so blocking keys join simply.
:func:`prepare_coded` gives, besides, integer codes of the columns that blocking and the
comparison test for equality (computed with the features, once per distinct value where it
can), so that neither factorizes nor compares text again.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pandas as pd

from .. import names as zh
from ..ids import _id18_codes, _id_checks, base11
from ..schema import STRING

KINDS: tuple[str, ...] = ("name_zh", "name", "text", "id_cn", "code", "date", "exact")


@dataclass(frozen=True)
class FieldSpec:
    """One compared column: its name in the data, its kind and its Chinese label."""

    column: str
    kind: str
    label: str = ""
    tf: bool = False  # term-frequency adjustment of an exact agreement
    group: str = ""  # fields of one group (e.g. the household) count as one piece of evidence

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}; use one of {KINDS}")


@dataclass(frozen=True)
class MatchSpec:
    """A column mapping for :func:`xueji_audit.matching.match`.

    ``blocks`` are the blocking rules: each a tuple of feature names (a column, or
    ``column:key``) that must all be equal and non-empty for two records to be compared;
    without them :func:`xueji_audit.matching.match` proposes them from the data
    (:mod:`.propose`).
    ``source`` names a column telling the data sets apart when linking two of them: only
    pairs across sources are then compared. A block above ``max_block`` records gives only
    each record's pairs with its next ``window`` records sorted by ``order`` (a feature;
    by default the first name's sound); so do a rule's largest blocks (with a narrower window
    if need be) when all its blocks together give more than ``rule_budget`` pairs per record.
    ``guards`` are (name field, household fields):
    when the names differ clearly while a household field agrees, the pair is taken for
    siblings (twins) and kept apart. ``renames`` are (name field, fields): names with no more
    than the surname in common while every one of the fields agrees exactly (birth date,
    guardian, address) make a suspected name change (疑似改名), at least 待复核 unless two
    valid ID numbers tell the records apart.
    """

    key: str
    fields: tuple[FieldSpec, ...]
    blocks: tuple[tuple[str, ...], ...] = ()
    source: str | None = None
    max_block: int = 2000
    window: int = 20
    rule_budget: int = 10
    order: str = ""
    guards: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    renames: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    repair: tuple[tuple[str, str | None, str | None], ...] = field(default=())

    @property
    def order_by(self) -> str:
        """The feature sorting an oversized block (``order``, else the first name's sound or
        the first field)."""
        if self.order:
            return self.order
        for f in self.fields:
            if f.kind == "name_zh":
                return f"{f.column}:sound"
        return self.fields[0].column if self.fields else ""

    def field(self, column: str) -> FieldSpec:
        for f in self.fields:
            if f.column == column:
                return f
        raise KeyError(column)


def _safe_table(case) -> np.ndarray:
    """A table over all code points: True where ``case`` (str.lower / str.upper) keeps the
    character and it is no whitespace — printable ASCII, CJK ideographs, and NUL."""
    table = np.zeros(0x110000, dtype=bool)
    table[0x21:0x7F] = True
    letters = slice(0x41, 0x5B) if case is str.lower else slice(0x61, 0x7B)
    table[letters] = False
    table[0x3400:0x4DC0] = True
    table[0x4E00:0xA000] = True
    table[0] = True
    return table


_SAFE: dict = {}


def _safe(case) -> np.ndarray:
    if case not in _SAFE:
        _SAFE[case] = _safe_table(case)
    return _SAFE[case]


def _by_unique(s: pd.Series, fn) -> pd.DataFrame | pd.Series:
    """``fn`` applied to the distinct values of ``s`` only, spread back to every row."""
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    res = fn(pd.Series(uniq, dtype=object))
    res = res.iloc[codes]
    res.index = s.index
    return res


def _strings(s: pd.Series) -> np.ndarray | None:
    """The values of a text column as an object array of ``str`` (``""`` where missing), or
    None when the column holds anything but text."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.to_numpy(dtype=object, na_value="")
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        arr = s.to_numpy(dtype=object, copy=True)
        arr[pd.isna(arr)] = ""
        return arr
    return None


def _objects(values) -> np.ndarray:
    """A list (or other iterable) as a 1-D object array."""
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _wide(arr: np.ndarray, width: int) -> np.ndarray:
    """N × ``width`` code points of the strings of ``arr`` (cut at ``width``; 0 pads, and a
    NUL character reads as 0 too)."""
    return np.asarray(arr, dtype=f"U{width}").view(np.uint32).reshape(len(arr), width)


def _kept(arr: np.ndarray, case, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows of ``arr`` that ``case`` keeps and that hold no whitespace — told from their
    characters alone, so they need no work —, their N × width code points). A row of
    ``width`` characters or more counts as changed."""
    wide = _wide(arr, width)
    keep = _safe(case)[wide].all(axis=1) & (wide[:, -1] == 0)
    return keep, wide


def _map_changed(fn, arr: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``arr`` with ``fn`` applied where ``keep`` is False (``fn`` is the identity elsewhere)."""
    out = arr.copy()
    rows = np.flatnonzero(~keep)
    if len(rows):
        out[rows] = _objects(map(fn, arr[rows].tolist()))
    return out


# ---------------------------------------------------------------- integer codes
# ``codes[column]``: equal codes ⇔ equal text, -1 ⇔ "". Blocking and comparison use them
# instead of the text. A column gets none when one of its texts holds a NUL character: pandas'
# hash tables (which blocking uses on text) read a text only up to a NUL, Python's == does
# not, and a column without codes keeps the text route of both.


def _text_codes(values: np.ndarray) -> np.ndarray | None:
    """Codes of an object array of text by factorizing it, or None (see above)."""
    codes, uniq = pd.factorize(values)
    if not (uniq[codes] == values).all():  # pandas merged texts that differ after a NUL
        return None
    empty = np.flatnonzero(uniq == "")
    return np.where(codes == empty[0], -1, codes) if len(empty) else codes


def _number_codes(num: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Codes of non-negative numbers written as decimal text (``""`` where not ``ok``)."""
    return np.where(ok, num, -1)


_TEXT_CODES = 7 * 10**18  # above every number of up to 18 base-11 digits (with its offset)


def _digit_codes(values: np.ndarray, wide: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Codes (not consecutive) of ID-like text without NUL characters: ``wide`` holds its
    code points and ``length`` its lengths. Texts of digits and ``X`` up to 18 long are read
    as base-11 numbers, each length in a range of its own; other texts are factorized."""
    n, w = wide.shape
    top = min(w, 18)
    codes = np.full(n, -1, dtype=np.int64)
    other = [np.flatnonzero(length > top)]
    for size in np.unique(length[(length > 0) & (length <= top)]).tolist():
        rows = np.flatnonzero(length == size)
        key, ok = base11(np.ascontiguousarray(
            (wide[:, :size] if len(rows) == n else wide[rows, :size]).T))
        key += (11**size - 1) // 10
        codes[rows[ok]] = key[ok]
        other.append(rows[~ok])
    rest = np.concatenate(other)
    if len(rest):
        c, _ = pd.factorize(values[rest])
        codes[rest] = c + _TEXT_CODES
    return codes


# ---------------------------------------------------------------- features by kind


def _text(s: pd.Series) -> np.ndarray:
    """Text (object), stripped, ``""`` where missing."""
    arr = _strings(s)
    if arr is not None:
        return _objects(map(str.strip, arr.tolist()))

    def clean(u: pd.Series) -> pd.Series:
        out = u.where(u.notna(), "").astype(str).str.strip()
        return out.where(u.notna(), "").astype(object)
    return _by_unique(s, clean).to_numpy(dtype=object)


def _date_text(s: pd.Series) -> pd.Series:
    t = pd.Series(_text(s), index=s.index).str.replace(r"[^0-9]", "", regex=True)
    return t.where(t.str.len() == 8, "")


def _number_text(num: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Integers as decimal text (once per distinct value), ``""`` where not ``ok``."""
    codes, uniq = pd.factorize(num)
    text = uniq.astype(str).astype(object)[codes]
    text[~ok] = ""
    return text


def _date_features(name: str, s: pd.Series, codes: dict | None) -> dict[str, np.ndarray]:
    if pd.api.types.is_datetime64_any_dtype(s):
        ok = s.notna().to_numpy()
        y = s.dt.year.fillna(0).to_numpy(np.int64)
        m = s.dt.month.fillna(0).to_numpy(np.int64)
        d = s.dt.day.fillna(0).to_numpy(np.int64)
        ymd, swap = y * 10000 + m * 100 + d, y * 10000 + np.minimum(m, d) * 100 + np.maximum(m, d)
        if codes is not None:  # distinct numbers, distinct texts
            codes[name], codes[f"{name}:swap"] = _number_codes(ymd, ok), _number_codes(swap, ok)
        return {name: _number_text(ymd, ok), f"{name}:swap": _number_text(swap, ok)}
    t = _date_text(s)
    ok = t != ""
    mm, dd = t.str[4:6], t.str[6:8]
    first = mm <= dd
    lo, hi = mm.where(first, dd), dd.where(first, mm)
    swap = (t.str[:4] + lo + hi).where(ok, "")
    return {name: t.to_numpy(dtype=object), f"{name}:swap": swap.to_numpy(dtype=object)}


def _from_wide(wide: np.ndarray) -> np.ndarray:
    """The strings (object) of N × k code points without NUL characters."""
    k = wide.shape[1]
    return np.ascontiguousarray(wide).view(f"U{k}").ravel().astype(object)


def _id_arrays(name: str, raw: np.ndarray, p14: bool, wide: np.ndarray | None = None,
               codes: dict | None = None, wanted: frozenset = frozenset()
               ) -> dict[str, np.ndarray]:
    """The ID features of upper-cased, stripped numbers ``raw`` (``""`` where missing); also
    ``:p14`` when asked. ``wide``: the code points of ``raw`` (20 wide) when known; codes go
    to ``codes`` for the ``wanted`` (blocking) keys. Only the rows with a number are worked
    on (a guardian's number is often missing): an empty number has empty features and no
    code (-1)."""
    n = len(raw)
    filled = np.flatnonzero(raw != "")
    if len(filled) == n:
        return _filled_id_arrays(name, raw, p14, wide, codes, wanted)
    some: dict | None = None if codes is None else {}
    part = _filled_id_arrays(name, raw[filled], p14, None if wide is None else wide[filled],
                             some, wanted)
    out = {}
    for key, values in part.items():
        out[key] = np.full(n, "", dtype=object)
        out[key][filled] = values
    for key, values in (some or {}).items():
        codes[key] = np.full(n, -1, dtype=np.int64)
        codes[key][filled] = values
    return out


def _filled_id_arrays(name: str, raw: np.ndarray, p14: bool, wide: np.ndarray | None,
                      codes: dict | None, wanted: frozenset) -> dict[str, np.ndarray]:
    """:func:`_id_arrays` of numbers none of which is empty."""
    n = len(raw)
    wide = _wide(raw, 20) if wide is None else wide
    length = np.fromiter(map(len, raw.tolist()), dtype=np.int64, count=n)
    nonzero = np.count_nonzero(wide, axis=1)
    exact = nonzero == length  # no NUL, at most 20 characters
    head = wide[:, :19]
    chk = _id_checks(np.minimum(head, 255).astype(np.uint8), np.count_nonzero(head, axis=1),
                     length == 0)
    valid = chk["valid"]
    r18, r15 = length == 18, length == 15
    id18 = np.full(n, "", dtype=object)
    plain = valid & r18 & exact  # the number itself
    id18[plain] = raw[plain]
    upgraded = np.flatnonzero(valid & ~plain)
    codes18 = _id18_codes(head[upgraded], chk["want"][upgraded], chk["ok15"][upgraded])
    id18[upgraded] = _from_wide(codes18)

    id15 = np.full(n, "", dtype=object)
    id15[r15] = raw[r15]
    fast = np.flatnonzero(r18 & exact)
    wide15 = np.concatenate([wide[fast, :6], wide[fast, 8:17]], axis=1)
    id15[fast] = _from_wide(wide15)
    slow = np.flatnonzero(r18 & ~exact)
    id15[slow] = _objects(x[:6] + x[8:17] for x in raw[slow].tolist())
    out = {name: raw, f"{name}:id15": id15, f"{name}:id18": id18,
           f"{name}:valid": np.where(valid, "1", "").astype(object)}
    other = upgraded[~r18[upgraded]]
    if p14:  # digits 1–14 of the number as written (18 characters), else of its 18-digit form
        p = np.full(n, "", dtype=object)
        p[fast] = _from_wide(wide[fast, :14])
        p[slow] = _objects(x[:14] for x in raw[slow].tolist())
        p[other] = _from_wide(codes18[~r18[upgraded], :14])
        out[f"{name}:p14"] = p
    if codes is not None and not (nonzero < np.minimum(length, 20)).any() and not any(
            "\x00" in x for x in raw[length > 20].tolist()):  # no NUL; blocking keys only
        codes[f"{name}:valid"] = np.where(valid, 0, -1)
        if name in wanted:
            codes[name] = _digit_codes(raw, wide, length)
        if f"{name}:id18" in wanted:
            w18 = wide[:, :18].copy()
            w18[upgraded] = codes18
            codes[f"{name}:id18"] = _digit_codes(id18, w18, np.where(valid, 18, 0))
        if f"{name}:id15" in wanted:
            w15 = wide[:, :15].copy()
            w15[fast] = wide15
            codes[f"{name}:id15"] = _digit_codes(id15, w15, np.where(r15 | r18, 15, 0))
        if p14:
            w14 = wide[:, :14].copy()
            w14[other] = codes18[~r18[upgraded], :14]
            codes[f"{name}:p14"] = _digit_codes(out[f"{name}:p14"], w14,
                                                np.where(r18 | valid, 14, 0))
    return out


def _id_features(name: str, s: pd.Series, wanted: frozenset,
                 codes: dict | None) -> dict[str, np.ndarray]:
    p14 = f"{name}:p14" in wanted
    arr = _strings(s)
    if arr is None:
        return _id_arrays(name, _objects(map(str.upper, _text(s).tolist())), p14)
    keep, wide = _kept(arr, str.upper, 20)
    raw = _map_changed(lambda x: x.strip().upper(), arr, keep)
    changed = np.flatnonzero(~keep)
    if len(changed):
        wide[changed] = _wide(raw[changed], 20)
    return _id_arrays(name, raw, p14, wide, codes, wanted)


def _slice(start: int | None, stop: int | None):
    """A derived key: a slice of every text of a feature column."""
    def derive(f: pd.DataFrame, c: str) -> np.ndarray:
        return _objects(map(itemgetter(slice(start, stop)), f[c].tolist()))
    return derive


def _p14(features: pd.DataFrame, name: str) -> np.ndarray:
    raw = features[name].to_numpy(dtype=object)
    return _id_arrays(name, raw, True)[f"{name}:p14"]


_DERIVED = {
    "first2": _slice(None, 2), "last2": _slice(-2, None),
    "first4": _slice(None, 4), "last4": _slice(-4, None),
    "ym": _slice(None, 6), "y": _slice(None, 4), "p14": _p14,
}
"""Keys computed only when a blocking rule names them."""


def _squeeze(s: pd.Series, case, sep: str) -> np.ndarray:
    """Stripped text in ``case`` (str.lower / str.upper), each run of whitespace → ``sep``."""
    arr = _strings(s)
    if arr is not None:  # str.split() and the regex \s both split at str.isspace characters
        keep, _ = _kept(arr, case, 32)
        return _map_changed(lambda x: sep.join(case(x).split()), arr, keep)
    return _by_unique(s, lambda u: getattr(pd.Series(_text(u)).str, case.__name__)()
                      .str.replace(r"\s+", sep, regex=True).astype(object)).to_numpy(object)


_NAME_KEYS = {"": "name", ":raw": "raw", ":sound": "sound", ":shape": "shape",
              ":surname": "pinyin_surname", ":given": "given"}


def _sound_parts(sound: np.ndarray, given: np.ndarray) -> dict[str, np.ndarray]:
    """``head``: the sound code of the surname and the given name's first character (the
    name without the given name's last character when it has two); ``tail``: of the surname
    and the given name's last character. A dropped, added or changed character of a two-
    character given name keeps one of them. ``""`` for a name without given name."""
    head, tail = [], []
    for s, g in zip(sound.tolist(), given.tolist(), strict=True):
        k = len(s) - len(g)
        ok = len(g) > 0 and k > 0
        head.append(s[:k + 1] if ok else "")
        tail.append(s[:k] + s[-1] if ok else "")
    return {"head": _objects(head), "tail": _objects(tail)}


def _name_zh(c: str, s: pd.Series, codes: dict | None, wanted: frozenset = frozenset()
             ) -> dict[str, np.ndarray]:
    """The Chinese-name features, computed once per distinct name; ``:head`` and ``:tail``
    (:func:`_sound_parts`) when a blocking rule names them."""
    keys = dict(_NAME_KEYS)
    keys.update({f":{k}": k for k in ("head", "tail") if f"{c}:{k}" in wanted})
    arr = _strings(s)
    if arr is None:
        n, raw = zh.normalize_names(s), zh.clean_names(s).fillna("")
        forms = {v: (raw if v == "raw" else n[v]).to_numpy(dtype=object) for v in
                 _NAME_KEYS.values()}
        if len(keys) > len(_NAME_KEYS):
            forms.update(_sound_parts(forms["sound"], forms["given"]))
        return {c + k: forms[v] for k, v in keys.items()}
    rows, forms = zh.distinct_forms(arr, pinyin=False)  # a missing name and "" alike
    if len(keys) > len(_NAME_KEYS):
        forms.update(_sound_parts(forms["sound"], forms["given"]))
    if codes is not None:
        for k, v in keys.items():
            if v != "given":
                at = _text_codes(forms[v])
                if at is not None:
                    codes[c + k] = at[rows]
    return {c + k: forms[v][rows] for k, v in keys.items()}


def _field(f: FieldSpec, s: pd.Series | None, n: int, wanted: frozenset, coded: bool
           ) -> tuple[dict, dict, dict]:
    """(feature columns, codes, derived keys) of one field, ``s`` its column (None when
    the data lack it) of ``n`` records."""
    c, codes = f.column, ({} if coded else None)
    cols: dict[str, np.ndarray] = {}
    ready: dict[str, np.ndarray] = {}  # derived keys computed with their column
    if s is None:  # an absent column: every value empty, with the features of its kind
        s = pd.Series(pd.NA, index=pd.RangeIndex(n), dtype=STRING)
    if f.kind == "name_zh":
        cols.update(_name_zh(c, s, codes, wanted))
    elif f.kind in ("name", "text"):
        cols[c] = _squeeze(s, str.lower, " " if f.kind == "name" else "")
    elif f.kind == "id_cn":
        feats = _id_features(c, s, wanted, codes)
        ready.update({k: v for k, v in feats.items() if k.endswith(":p14")})
        cols.update({k: v for k, v in feats.items() if not k.endswith(":p14")})
    elif f.kind == "code":
        cols[c] = _squeeze(s, str.upper, "")
    elif f.kind == "date":
        cols.update(_date_features(c, s, codes))
    else:
        cols[c] = _text(s)
        if codes is not None:
            at = _text_codes(cols[c])
            if at is not None:
                codes[c] = at
    return cols, codes or {}, ready


THREADS = 200_000
"""From this many records, the fields are prepared in two threads: the Chinese names in
one (pure Python, one at a time), everything else in the other (mostly numpy, which lets
the other thread run meanwhile)."""


def _features(df: pd.DataFrame, spec: MatchSpec, codes: dict | None) -> pd.DataFrame:
    wanted = frozenset(item for rule in spec.blocks for item in rule)
    cols: dict[str, np.ndarray] = {"_key": _text(df[spec.key])}
    if spec.source:
        cols["_source"] = _text(df[spec.source])

    columns = {f.column: df[f.column] if f.column in df.columns else None for f in spec.fields}

    def run(fields):
        return [_field(f, columns[f.column], len(df), wanted, codes is not None)
                for f in fields]

    names = [f for f in spec.fields if f.kind == "name_zh"]
    rest = [f for f in spec.fields if f.kind != "name_zh"]
    if len(df) >= THREADS and names and rest:
        with ThreadPoolExecutor(2) as pool:
            later = pool.submit(run, names)
            done = dict(zip([f.column for f in rest], run(rest), strict=True))
            done.update(zip([f.column for f in names], later.result(), strict=True))
    else:
        done = dict(zip([f.column for f in spec.fields], run(spec.fields), strict=True))
    ready: dict[str, np.ndarray] = {}
    for f in spec.fields:  # in the order of the mapping
        more, more_codes, more_ready = done[f.column]
        cols.update(more)
        ready.update(more_ready)
        if codes is not None:
            codes.update(more_codes)
    out = pd.DataFrame(cols, index=pd.RangeIndex(len(df)), copy=False)  # fresh arrays: no copy
    for rule in spec.blocks:
        for item in rule:
            if item not in out.columns:
                base, _, key = item.partition(":")
                if key not in _DERIVED:
                    raise ValueError(f"unknown blocking key {item!r}")
                out[item] = ready[item] if item in ready else _DERIVED[key](out, base)
    return out


def prepare(df: pd.DataFrame, spec: MatchSpec) -> pd.DataFrame:
    """The feature frame of ``df`` (row order kept, a fresh 0..n-1 index)."""
    return _features(df, spec, None)


def prepare_coded(df: pd.DataFrame, spec: MatchSpec
                  ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`prepare` and integer codes of feature columns (equal codes ⇔ equal text,
    -1 ⇔ ``""``) for blocking and comparison; columns without codes keep the text route."""
    codes: dict[str, np.ndarray] = {}
    return _features(df, spec, codes), codes
