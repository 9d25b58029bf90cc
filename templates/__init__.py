"""Form and page templates; installed as the resource package ``xueji_audit.templates``
(see :mod:`xueji_audit.resources`)."""
