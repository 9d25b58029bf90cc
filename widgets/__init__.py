"""ipywidgets components for the Voila apps, composed from :mod:`xueji_audit` (issue 8)."""
