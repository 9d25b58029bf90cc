"""Report notebooks and Voila app pages; installed as the resource package
``xueji_audit.notebooks`` (see :mod:`xueji_audit.resources`)."""
