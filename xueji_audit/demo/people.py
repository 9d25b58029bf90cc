"""Students of the demo county, drawn in bulk with numpy.

Every record drawn here is clean for every rule: birth dates fit the grade (a few ±1), IDs are
valid, unique and consistent with birth and sex, 学籍号 = 'G' + ID except a few J (no 居民身份证)
and L (created this school year) numbers, dates fit the business rules. Siblings share
guardians, address, phone, region and surname.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import names as nm
from .idgen import build_ids, check_chars, unique_seq, ymd
from .schools import COUNTY, COUNTY_CODE, PREFECTURE, PROVINCE, class_name, village

MIGRANT_REGIONS: tuple[tuple[str, str], ...] = (
    ("620421", "甘肃省白银市靖远县"), ("621102", "甘肃省定西市安定区"),
    ("610302", "陕西省宝鸡市渭滨区"), ("410102", "河南省郑州市中原区"),
    ("511321", "四川省南充市南部县"), ("150102", "内蒙古自治区呼和浩特市新城区"),
    ("632121", "青海省海东市平安区"), ("370102", "山东省济南市历下区"),
)
UYGHUR_REGION = ("650102", "新疆维吾尔自治区乌鲁木齐市天山区")
FOREIGN_TYPES = (("香港特区护照/身份证明", "中国香港", "H"), ("澳门特区护照/身份证明", "中国澳门", "M"),
                 ("台湾居民来往大陆通行证", "中国台湾", ""), ("护照", "俄罗斯", "E"))
MAX_CLASS = 46


def _days(y, m, d) -> np.ndarray:
    """datetime64[D] of year arrays and fixed (or array) month/day."""
    y = np.asarray(y, dtype=np.int64)
    months = (y - 1970) * 12 + np.asarray(m, dtype=np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(d) - 1)


def birth_for_grade(rng, grade, sy: int, shift=0) -> np.ndarray:
    """A birth date whose expected grade in school year ``sy`` is ``grade`` (+``shift`` years
    older); uniform over the 12 months Sep 1 … Aug 31."""
    grade = np.asarray(grade, dtype=np.int64)
    start = _days(sy - grade - 6 - np.asarray(shift), 9, 1)
    span = (_days(sy - grade - 5 - np.asarray(shift), 9, 1) - start).astype(np.int64)
    return start + (rng.random(len(grade)) * span).astype(np.int64)


def phones(rng, n) -> np.ndarray:
    prefix = np.array([13, 15, 18, 17, 19])[rng.integers(0, 5, n)]
    return (prefix * 10**9 + rng.integers(0, 10**9, n)).astype("U11").astype(object)


def allocate(rng, schools: pd.DataFrame, n: int) -> pd.DataFrame:
    """(school row, grade, class) for ``n`` students; classes of at most ``MAX_CLASS``."""
    per_grade = np.full(12, n // 12)
    per_grade[: n % 12] += 1
    cells = []
    for g in range(1, 13):
        serve = schools[(schools["_lo"] <= g) & (schools["_hi"] >= g)]
        p = serve["_weight"].to_numpy() / serve["_weight"].sum()
        counts = rng.multinomial(per_grade[g - 1], p)
        floor = np.minimum(serve["_min"].to_numpy(), per_grade[g - 1] // 4)
        short = np.maximum(floor - counts, 0)
        if short.any():  # topped up from the biggest cell, which has students to spare
            counts = counts + short
            counts[np.argmax(counts - floor)] -= short.sum()
        cells.append(pd.DataFrame({"_school": serve.index.to_numpy(), "年级": g, "n": counts}))
    cells = pd.concat(cells, ignore_index=True)
    cells = cells[cells["n"] > 0].reset_index(drop=True)
    k = -(-cells["n"] // MAX_CLASS)
    cell = np.repeat(np.arange(len(cells)), cells["n"].to_numpy())
    starts = np.r_[0, np.cumsum(cells["n"].to_numpy())[:-1]]
    rank = np.arange(len(cell)) - starts[cell]
    return pd.DataFrame({"_school": cells["_school"].to_numpy()[cell],
                         "年级": cells["年级"].to_numpy()[cell],
                         "_class": rank % k.to_numpy()[cell] + 1})


def native_codes(k: int) -> np.ndarray:
    """The region codes of the county's own children: its code, and in a county too big for
    one code's sequence numbers (above about 1.5 million pupils) the ``k - 1`` codes after it
    (as after a merger of counties, children born before it keep their old codes)."""
    return np.array([f"{int(COUNTY_CODE) + j:06d}" for j in range(k)])


def _region_seq(migrant, uyghur, mig_pick, fam, bdays, male, seq_base: int, spread: int):
    """Each child's ID region (siblings share their family head's) and a sequence number
    unique within (region, birth date, sex). Bulk children (``seq_base`` 0) must stay below
    300 (300–499 are the graduates', the big classes' and the planted IDs' ranges): the
    county's own children get as many region codes as that needs."""
    k = 1
    while True:
        region = np.where(migrant, np.array([r for r, _ in MIGRANT_REGIONS])[mig_pick],
                          native_codes(k)[np.arange(len(fam)) % k])
        region[uyghur] = UYGHUR_REGION[0]
        region = region[fam]
        seq = unique_seq([region, bdays, male], bdays * 7 + np.int64(3), base=seq_base,
                         spread=spread)
        if seq_base or seq.max(initial=0) < 300:
            return region, seq
        k += 1


def draw_students(rng, schools: pd.DataFrame, slots: pd.DataFrame, sy: int, as_of, term0,
                  seq_base: int = 0, siblings: float = 0.12, spread: int = 40) -> pd.DataFrame:
    """Students for the given slots (``_school`` row, ``年级``, ``_class``), clean."""
    n = len(slots)
    school = schools.loc[slots["_school"].to_numpy()]
    grade = slots["年级"].to_numpy()
    male = rng.random(n) < 0.52
    shift = np.where(rng.random(n) < 0.01, 1, 0) - np.where(rng.random(n) < 0.003, 1, 0)
    birth = birth_for_grade(rng, grade, sy, shift)

    fam = np.arange(n)
    perm = rng.permutation(n)
    m = int(n * siblings)
    heads, kids = perm[:m], perm[m:2 * m]
    ok = np.abs(grade[heads] - grade[kids]) >= 2
    fam[kids[ok]] = heads[ok]

    u = rng.random(n)
    uyghur = u < nm.UYGHUR_RATE
    migrant = (u >= nm.UYGHUR_RATE) & (u < 0.1)
    ethnic = np.where(rng.random(n) < 0.77, "汉族", "回族").astype(object)
    ethnic[rng.random(n) < 0.012] = "蒙古族"
    ethnic[uyghur] = "维吾尔族"
    mig_pick = rng.integers(0, len(MIGRANT_REGIONS), n)
    hukou_other = np.array([h for _, h in MIGRANT_REGIONS], dtype=object)[mig_pick]
    surname = nm.draw_surnames(rng, n)
    father_given = nm.draw_given(rng, np.ones(n, bool), adult=True)
    mother_given = nm.draw_given(rng, np.zeros(n, bool), adult=True)
    mother_sur = nm.draw_surnames(rng, n)
    ug_father = np.array(nm.UYGHUR_FATHER, dtype=object)[rng.integers(0, 8, n)]
    ug_grand = np.array(nm.UYGHUR_FATHER, dtype=object)[rng.integers(0, 8, n)]
    town = school["_town"].to_numpy()
    vil = np.array([village(k) for k in range(60)], dtype=object)[rng.integers(0, 60, n)]
    addr = (f"{PROVINCE}{PREFECTURE}{COUNTY}" + town + vil + rng.integers(1, 9, n).astype(str)
            + "组" + rng.integers(1, 80, n).astype(str) + "号")
    phone1, phone2 = phones(rng, n), phones(rng, n)
    f_birth = _days(rng.integers(1978, 1993, n), rng.integers(1, 13, n), rng.integers(1, 29, n))
    m_birth = _days(rng.integers(1980, 1995, n), rng.integers(1, 13, n), rng.integers(1, 29, n))
    left_behind = np.where(rng.random(n) < 0.08, "是", "否").astype(object)
    # family attributes: gather from the head
    for arr in (uyghur, migrant, ethnic, hukou_other, surname, father_given,
                mother_given, mother_sur, ug_father, ug_grand, town, vil, addr, phone1, phone2,
                f_birth, m_birth, left_behind):
        arr[:] = arr[fam]

    given = nm.draw_given(rng, male)
    name = (surname + given).astype(object)
    name[uyghur] = (np.where(male[uyghur], np.array(nm.UYGHUR_MALE, dtype=object)[
        rng.integers(0, 8, uyghur.sum())], np.array(nm.UYGHUR_FEMALE, dtype=object)[
        rng.integers(0, 8, uyghur.sum())]) + "·" + ug_father[uyghur])
    father = (surname + father_given).astype(object)
    father[uyghur] = ug_father[uyghur] + "·" + ug_grand[uyghur]
    mother = (mother_sur + mother_given).astype(object)

    bdays = birth.astype(np.int64)
    region, seq = _region_seq(migrant, uyghur, mig_pick, fam, bdays, male, seq_base, spread)
    ids = build_ids(region, birth, seq, male)
    f_ids = build_ids(region, f_birth, rng.integers(0, 300, n), np.ones(n, bool))
    m_ids = build_ids(region, m_birth, rng.integers(0, 300, n), np.zeros(n, bool))

    stage_lo = np.where(grade >= 10, 10, np.where((grade >= 7) & (school["_lo"].to_numpy() >= 7),
                                                  7, 1))
    entry_year = sy - (grade - stage_lo)
    entry = _days(entry_year, 9, 1)
    build_year = np.where(grade >= 10, entry_year, sy - grade + 1)
    built = _days(build_year, 9, 1) + rng.integers(2, 28, n)
    as_of64 = np.datetime64(as_of, "D")
    built = np.minimum(built, as_of64)
    term64 = np.datetime64(term0, "D")
    span = max(int((as_of64 - term64).astype(np.int64)), 0)
    checked = term64 + (rng.random(n) * (span + 1)).astype(np.int64)

    xjh = ("G" + ids).astype(object)
    idtype = np.full(n, "居民身份证", dtype=object)
    nation = np.full(n, "中国", dtype=object)
    new_entry = (grade == 1) | (grade == 10)
    temp = new_entry & (rng.random(n) < 0.04) & (built >= as_of64 - 300)
    serial = np.arange(n) + seq_base * 10**6 + 1
    if temp.any():
        xjh[temp] = "L" + COUNTY_CODE + (sy * 10**8 + serial[temp]).astype(str).astype(object)
    foreign = (rng.random(n) < 0.003) & ~temp & ~uyghur & ~migrant
    if foreign.any():
        kind = rng.integers(0, len(FOREIGN_TYPES), foreign.sum())
        idtype[foreign] = np.array([t for t, _, _ in FOREIGN_TYPES], dtype=object)[kind]
        nation[foreign] = np.array([c for _, c, _ in FOREIGN_TYPES], dtype=object)[kind]
        docs = rng.integers(10**7, 10**8, foreign.sum()).astype(str).astype(object)
        ids[foreign] = np.array([p for _, _, p in FOREIGN_TYPES], dtype=object)[kind] + docs
        fdays = bdays[foreign]
        # per batch a range of its own (bulk 900…, graduates 930…, big classes 940…): a
        # J number of a planted class equalled a bulk child's (1M students, seed 13)
        jseq = (900 + seq_base // 10 + unique_seq([fdays], fdays, spread=1)).astype(str).astype(object)
        jbody = (COUNTY_CODE + ymd(birth[foreign]).astype(object) + jseq).astype(str)
        xjh[foreign] = "J" + np.char.add(jbody, check_chars(jbody)).astype(object)
    hukou = np.where(migrant | uyghur, hukou_other, f"{PROVINCE}{PREFECTURE}{COUNTY}" + town)
    hukou[uyghur] = UYGHUR_REGION[1]
    out = pd.DataFrame({
        "学籍号": xjh, "姓名": name, "性别": np.where(male, "男", "女").astype(object),
        "出生日期": birth.astype("datetime64[ns]"), "身份证件类型": idtype, "身份证件号": ids,
        "学校标识码": school["学校标识码"].to_numpy(), "学校名称": school["学校名称"].to_numpy(),
        "年级": grade, "班级": class_name(grade, slots["_class"].to_numpy()),
        "学籍状态": "在校", "入学年月": entry.astype("datetime64[ns]"), "民族": ethnic,
        "国籍/地区": nation, "户口所在地": hukou, "现住址": addr,
        "是否留守儿童": left_behind,
        "是否进城务工人员随迁子女": np.where(migrant | uyghur, "是", "否").astype(object),
        "成员1姓名": father, "成员1关系": "父亲", "成员2姓名": mother, "联系电话": phone1,
        "成员1身份证件号": f_ids, "成员1联系电话": phone1, "成员2身份证件号": m_ids,
        "建籍日期": built.astype("datetime64[ns]"), "最后核查日期": checked.astype("datetime64[ns]"),
    })
    out["_fam"] = fam
    out["_school"] = slots["_school"].to_numpy()
    out["_class"] = slots["_class"].to_numpy()
    out["_region"] = region
    out["_phone2"] = phone2
    return out
