"""``xueji-audit rules``: list the rule catalogue under a profile."""
from __future__ import annotations

import argparse

from ..profile import DEFAULT_PROFILE, load_profile
from ..rules import CATALOGUE

HELP = "列出全部督查规则：编号、名称、严重程度、政策依据、参数及在所选配置下是否启用"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="名称或文件",
                        help=f"规则配置：内置名称或自己的 .toml 文件（默认 {DEFAULT_PROFILE}）")


def rules_text(profile_ref: str = DEFAULT_PROFILE) -> str:
    """The catalogue as Chinese text lines under the given profile."""
    profile = load_profile(profile_ref)
    lines = [f"规则配置：{profile.title}（{profile.name}）", ""]
    for r in CATALOGUE.values():
        on = "启用" if profile.is_enabled(r.id) else "未启用"
        lines.append(f"{r.id}  {r.name}  [{r.severity}]  {on}")
        lines.append(f"    依据：{r.basis}")
        lines.append(f"    说明：{r.help}")
        params = profile.params_for(r.id)
        if params:
            lines.append("    参数：" + "；".join(
                f"{p.name} = {params[p.name]}（{p.help}）" for p in r.params))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    print(rules_text(args.profile))
    return 0
