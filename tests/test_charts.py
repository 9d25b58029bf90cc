"""Charts: the tables carry the right numbers and the pictures render CJK without a missing glyph."""
import datetime as dt
import io
import warnings

import pandas as pd
import pytest
from matplotlib import font_manager

from xueji_audit.chains import build_chains
from xueji_audit.charts import (
    CJK_FAMILY,
    chain_timeline_table,
    draw_chain_timeline,
    draw_overdue_by_unit,
    draw_renji_by_school,
    overdue_by_unit_table,
    renji_by_school_table,
    use_cjk_font,
)
from xueji_audit.reconcile import reconcile
from xueji_audit.timing import bulletin_summary, monthly_overdue
from xueji_audit.workdays import WorkCalendar


def render(fig) -> bytes:
    """Draw to PNG with matplotlib's missing-glyph warning turned into an error."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        fig.savefig(buf, format="png")
    data = buf.getvalue()
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    return data


def test_font_is_registered_and_default():
    assert use_cjk_font() == CJK_FAMILY
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]),
                                 fallback_to_default=False)
    assert "NotoSansCJK" in path


def test_missing_glyph_would_fail_the_render():
    # The guard is real: DejaVu Sans alone has no 汉字, so the same render raises.
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().set_title("学籍", family="DejaVu Sans")
    with pytest.raises(UserWarning):
        render(fig)


def chain_fixture():
    st = pd.DataFrame({"学籍号": ["G1"], "姓名": ["张伟"], "身份证件号": [None],
                       "身份证件类型": [None], "学校标识码": ["第一小学"], "学籍状态": ["在校"],
                       "入学年月": pd.to_datetime(["2020-09-01"])})
    ch = pd.DataFrame({
        "业务编号": ["T1", "X1", "T2"], "业务类型": ["转学", "休学", "转学"],
        "学籍号": ["G1"] * 3, "转出学校标识码": ["第一小学", None, "第二小学"],
        "转入学校标识码": ["第二小学", None, "第一小学"], "业务状态": ["核办通过"] * 3,
        "发起日期": pd.to_datetime(["2023-02-20", "2024-03-01", "2025-02-25"]),
        "办结日期": pd.to_datetime(["2023-03-01", "2024-03-05", "2025-03-03"])})
    return build_chains(st, ch)


def test_chain_timeline():
    t = chain_timeline_table(chain_fixture(), "G1", dt.date(2026, 11, 20))
    assert t["学校"].tolist() == ["第一小学", "第二小学", "第二小学", "第一小学"]
    assert t["状态"].tolist() == ["在校", "在校", "休学", "在校"]
    assert t["开始"].iloc[0] == pd.Timestamp("2020-09-01")
    assert t["结束"].tolist()[-1] == pd.Timestamp("2026-11-20")
    assert (t["开始"].iloc[1:].to_numpy() == t["结束"].iloc[:-1].to_numpy()).all()
    render(draw_chain_timeline(t, "张伟 学籍变动时间线"))


def test_overdue_per_unit():
    st = pd.DataFrame({"业务编号": ["A", "B", "C"], "环节序号": [1, 1, 1],
                       "环节名称": ["转入校审核"] * 3, "处理单位": ["甲校", "甲校", "县教育体育局"],
                       "到达日期": pd.to_datetime(["2026-11-02"] * 3),
                       "处理日期": pd.to_datetime([None, "2026-11-20", None])})
    s = bulletin_summary(monthly_overdue(st, "2026-11", WorkCalendar()))
    t = overdue_by_unit_table(s)
    assert t.to_dict("list") == {"处理单位": ["甲校", "县教育体育局"], "超期环节数": [2, 1],
                                 "未办理环节数": [1, 1], "已超期办理环节数": [1, 0]}
    render(draw_overdue_by_unit(t))


def test_renji_per_school():
    st = pd.DataFrame({"学籍号": ["G1", "G2", "G3", "G4"], "姓名": ["张伟", "李娜", "王芳", "赵敏"],
                       "性别": ["男", "女", "女", "女"], "学校标识码": ["S1", "S1", "S2", "S3"],
                       "班级": ["1班"] * 4, "学籍状态": ["在校"] * 4})
    ro = pd.DataFrame({"学校标识码": ["S1", "S1", "S2"], "班级": ["1班"] * 3,
                       "姓名": ["張偉", "陈某", "赵敏"], "性别": ["男", "男", "女"]})
    t = renji_by_school_table(reconcile(st, ro), pd.Series({"S1": "第一小学"}))
    assert t.to_dict("list") == {"学校标识码": ["S1", "S2"], "学校": ["第一小学", "S2"],
                                 "人籍一致": [1, 0], "在籍不在校": [1, 1], "在校不在籍": [1, 0],
                                 "人籍分离": [0, 1]}
    render(draw_renji_by_school(t))
