"""Ingest: reading the export files of a data folder into the tables of the data contract.

``readers*`` turn a file (xlsx, xls, csv, HTML or XML saved as .xls) into grids of text cells,
:mod:`.headers` recognises a table by its header row, :mod:`.normalize` (and
:mod:`.normalize_dates`) turn each column into its kind, and :mod:`.load` puts it together for
a file or a folder, rejecting rows with a Chinese reason and never losing one. Nothing here
imports the rules, the matching or the workspace.
"""
from .folder import SUFFIXES, data_files, scan_folder
from .load import (
    REPORT_HEADERS,
    LoadResult,
    SheetReport,
    load_file,
    load_folder,
    report_table,
    summary_text,
)
from .quality import quality_findings

DEMO_MARKER = "示范数据说明.txt"
"""Written by ``xueji-audit demo-data`` into every demo data folder: data read from a folder
holding it is the generated demo county (reports and pages then say 示范数据)."""

__all__ = ["DEMO_MARKER", "REPORT_HEADERS", "SUFFIXES", "LoadResult", "SheetReport", "data_files", "load_file",
           "load_folder", "quality_findings", "report_table", "scan_folder", "summary_text"]
