"""The small demo county a report uses when no data folder is given.

A notebook run with its default parameters (``data_dir = ""``) calls :func:`resolve_data_dir`,
which generates a demo county of :data:`DEMO_STUDENTS` students once into a cache folder and
reuses it afterwards, so every report runs as it is.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from ..dates import DEFAULT_AS_OF, parse_date
from ..errors import XuejiError

DEMO_STUDENTS = 2000
DEMO_SEED = 0
CACHE_ENV = "XUEJI_AUDIT_CACHE"
"""Environment variable naming the cache folder (default: the system's temporary folder)."""


def cache_root() -> Path:
    """The folder holding cached demo counties."""
    base = os.environ.get(CACHE_ENV)
    return Path(base) if base else Path(tempfile.gettempdir()) / "xueji-audit-cache"


def demo_dir(students: int = DEMO_STUDENTS, seed: int = DEMO_SEED,
             as_of: dt.date | str = DEFAULT_AS_OF) -> Path:
    """The cached demo county for (students, seed, as_of), generated on first use.

    Generation writes into a private folder and renames it into place, so a half-written
    county is never seen by another run."""
    from ..demo import generate

    as_of = parse_date(as_of)
    target = cache_root() / f"demo-{students}-{seed}-{as_of:%Y%m%d}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        generate(work / "data", students=students, seed=seed, as_of=as_of)
        try:
            (work / "data").rename(target)
        except OSError:
            if not target.is_dir():  # another run finished first: use theirs
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def resolve_data_dir(data_dir: str | Path, as_of: dt.date | str = DEFAULT_AS_OF) -> Path:
    """``data_dir`` itself when given (it must exist), else the cached demo county."""
    if data_dir is None or str(data_dir).strip() == "":
        return demo_dir(as_of=as_of)
    path = Path(data_dir)
    if not path.is_dir():
        raise XuejiError(f"数据目录「{data_dir}」不存在，请检查路径；不填则使用示范县数据。")
    return path
