"""The demo county's organisation settings (synthetic contacts): the bureau and its departments,
a government per township and a contact per school, written into a demo workspace so its forms
name their issuers (``make demo`` calls :func:`set_demo_organisation`)."""
from __future__ import annotations

from pathlib import Path

from ..cases import organisation
from .schools import BUREAU, COUNTY, TOWNS


def set_demo_organisation(workspace: str | Path) -> None:
    """Write the demo county's settings into ``workspace`` (schools from its register)."""
    from ..workspace import Workspace

    settings = organisation.load(workspace)
    settings["教育局"] = {"单位": BUREAU, "责任人": "马局长", "联系电话": "0954-7010000"}
    settings["技术部门"] = {"单位": f"{BUREAU}教育信息技术中心", "责任人": "杨主任",
                        "联系电话": "0954-7010001"}
    settings["行政部门"] = {"单位": f"{BUREAU}基础教育股", "责任人": "何股长",
                        "联系电话": "0954-7010002"}
    settings["乡镇"] = {t: {"单位": f"{COUNTY}{t}人民政府", "责任人": f"{t}教育专干",
                          "联系电话": f"0954-72{k:05d}"} for k, t in enumerate(TOWNS)}
    with Workspace.open(workspace, check_inputs=False) as ws:
        schools = ws.students[["学校标识码", "学校名称"]].dropna().drop_duplicates("学校标识码")
    settings["学校"] = {str(code): {"单位": str(name), "责任人": "教务主任",
                                  "联系电话": f"0954-73{k:05d}"}
                      for k, (code, name) in enumerate(schools.itertuples(index=False))}
    organisation.save(workspace, settings)
