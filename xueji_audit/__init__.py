"""xueji-audit."""
