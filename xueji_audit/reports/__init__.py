"""Parameterised audit reports: the data behind the notebooks in ``notebooks/``
(:mod:`.findings`, :mod:`.movement`), their display (:mod:`.display`), masking of personal
numbers (:mod:`.privacy`), the demo county used by default (:mod:`.demo_cache`) and running
the notebooks into HTML (:mod:`.run`)."""
