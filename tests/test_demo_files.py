"""The demo county on disk: export shapes, determinism, the loader round trip, the CLI."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF

from xueji_audit.cli import main
from xueji_audit.demo import generate, generate_tables, write_county
from xueji_audit.ingest import load_folder


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    county = generate(out, students=3000, seed=0, as_of=AS_OF)
    return county, out


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(written, tmp_path):
    county, out = written
    again = tmp_path / "again"
    write_county(generate_tables(3000, seed=0, as_of=AS_OF), again)
    assert _files(out) == _files(again)
    other = tmp_path / "other"
    generate(other, students=3000, seed=1, as_of=AS_OF)
    assert _files(out)["truth/findings.csv"] != _files(other)["truth/findings.csv"]


def test_export_shapes(written):
    county, out = written
    manifest = json.loads((out / "truth" / "manifest.json").read_text(encoding="utf-8-sig"))
    assert manifest["seed"] == 0 and manifest["as_of"] == "2026-11-20"
    for rel in manifest["files"]:
        assert (out / rel).is_file()
    wb = openpyxl.load_workbook(out / "学生信息" / "清川县中小学生学籍信息.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(max_row=3, values_only=True))
    assert rows[0][0] == "清川县中小学生学籍信息" and rows[1][0].startswith("导出时间：2026-11-20")
    assert "全国学籍号*" in rows[2] and "身份证件号码" in rows[2]
    text = (out / "学生信息" / "高中学生学籍信息.csv").read_bytes().decode("gbk")
    assert "E+17" in text and text.rstrip().splitlines()[-1].startswith("合计")
    rosters = list((out / "在校名单").glob("*.xlsx"))
    schools = county.tables["schools"]
    assert len(rosters) == len(schools) - 1  # one school never took its roster
    wb = openpyxl.load_workbook(rosters[0], read_only=True)
    first = wb[wb.sheetnames[0]]
    title, header = list(first.iter_rows(max_row=2, values_only=True))
    assert title[0] == f"{wb.sheetnames[0]}在校学生名单" and header[:4] == ("学校标识码", "班级", "姓名", "性别")


def test_loader_reproduces_the_tables(written):
    county, out = written
    loaded = load_folder(out)
    rejects = county.truth["rejects"]
    mangled = set(rejects["学籍号"].dropna()) - {""}
    for key, frame in county.tables.items():
        got = loaded.tables[key]
        got = got[[c for c in got.columns if not c.startswith("_")]]
        want = frame[~frame["学籍号"].isin(mangled)] if key == "students" else frame
        cols = list(want.columns)
        got = got.sort_values(cols[:4]).reset_index(drop=True)
        want = want.sort_values(cols[:4]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=key)
    lr = loaded.rejects
    assert sorted(zip(lr["file"], lr["row"].astype(int), strict=True)) == sorted(
        zip(rejects["file"], rejects["row"].astype(int), strict=True))
    assert set(rejects["kind"]) == {"excel_number", "excel_sci", "totals_row"}


def test_cli_summary(tmp_path, capsys):
    assert main(["demo-data", "--out", str(tmp_path / "d"), "--students", "3000", "--seed", "2"]) == 0
    said = capsys.readouterr().out
    assert "示范县已生成" in said and "AG-01" in said and "LX-06" in said
    assert (tmp_path / "d" / "truth" / "findings.csv").is_file()


@pytest.mark.parametrize(("students", "seed"), [(600, 15), (1000, 11)])
def test_a_small_county_still_holds_every_planted_case(students, seed):
    # these once ran out of 五四 fifth-graders or of ordinary classes to put a roster child in
    county = generate_tables(students, seed, as_of=AS_OF)
    planted = county.truth["findings"]
    wusi = county.tables["schools"].loc[county.tables["schools"]["学制"] == "五四", "学校标识码"]
    fifth = county.tables["students"]
    fifth = fifth[fifth["学校标识码"].isin(wusi) & (fifth["年级"] == 5)]
    assert len(fifth) >= 6
    assert {"ST-08", "RJ-03"} <= set(planted["rule_id"])


def test_a_county_too_small_for_the_planted_cases_is_refused_in_chinese(tmp_path, capsys):
    assert main(["demo-data", "--out", str(tmp_path / "d"), "--students", "599"]) != 0
    assert "至少要有 600 名学生" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
