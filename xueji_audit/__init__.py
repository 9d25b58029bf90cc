"""xueji-audit: audit and casework kit for China's primary and secondary student register (学籍).

The architecture, one subpackage per layer: :mod:`.ingest` (reading the export files) →
:mod:`.workspace` (the one stored audit every part reads) → :mod:`.rules`, :mod:`.matching`,
:mod:`.chains` (the checks) → :mod:`.cases`, :mod:`.forms` (casework) → :mod:`.reports`,
:mod:`.app` and :mod:`.widgets` (what people read and click).
"""
__version__ = "0.2.0"
