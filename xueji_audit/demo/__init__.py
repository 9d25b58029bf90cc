"""The embedded demo county: a synthetic 学籍 export with planted problems and its truth.

``generate_tables`` builds it in memory in the loader's canonical form; ``write_county`` writes
the export files (shaped like real 学籍系统 exports) and ``truth/``; ``generate`` does both.
"""
from .build import DemoCounty, generate_tables, latest_demo_date
from .exports import generate, write_county
from .truth import expected_findings, finding_key

__all__ = ["DemoCounty", "expected_findings", "finding_key", "generate", "generate_tables",
           "latest_demo_date", "write_county"]
