"""The rule engine's catalogue: importing this package registers every implemented rule.

A rule is data plus one vectorised check (:class:`~xueji_audit.rules.catalogue.Rule`); the
families register themselves and the catalogue keeps RULES.md order whatever the import
order. :mod:`xueji_audit.audit` runs them.
"""
from . import (  # noqa: F401
    age,
    business,
    chains,
    classsize,
    duplicates,
    grades,
    identity,
    local,
    records,
    rosters,
    status,
)
from .catalogue import (
    CATALOGUE,
    SEVERITIES,
    Param,
    Rule,
    needs_text,
    parse_monthday,
    validate_param,
)
from .context import RESULT_COLUMNS, Context, Shared

__all__ = [
    "CATALOGUE", "SEVERITIES", "Param", "Rule", "needs_text", "parse_monthday", "validate_param",
    "RESULT_COLUMNS", "Context", "Shared",
]
