"""Subcommands of ``xueji-audit``; see :mod:`xueji_audit.cli`."""
