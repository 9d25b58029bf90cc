"""The case store: an embedded SQLite file of cases, their findings, duplicate-pair decisions,
the history of every change and the access log (:class:`~.store.CaseStore`)."""
from .store import ACCESS_ACTIONS, KINDS, TRANSITIONS, CaseStore, StaleCaseError

__all__ = ["ACCESS_ACTIONS", "KINDS", "TRANSITIONS", "CaseStore", "StaleCaseError"]
