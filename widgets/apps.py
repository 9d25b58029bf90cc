"""The five app pages, each composed from the components; a notebook under ``notebooks/apps``
calls one of these with its settings and displays the page."""
from __future__ import annotations

from xueji_audit.app import AppConfig, Session
from xueji_audit.errors import XuejiError

from .cases import CaseDesk
from .chains import ChainViewer
from .common import Page, no_data
from .findings import FindingsBrowser
from .loader import DataLoader
from .pairs import PairReviewer


def loader_app(config: AppConfig) -> Page:
    return Page("loader", DataLoader(config))


def _page(stem: str, component, config: AppConfig) -> Page:
    try:
        session = Session.open(config)
    except XuejiError as exc:  # a workspace that cannot be used: say why and how to mend it
        return no_data(stem, str(exc))
    if session is None:
        return no_data(stem)
    return Page(stem, component(session), session.workspace.banner)


def findings_app(config: AppConfig) -> Page:
    return _page("findings", FindingsBrowser, config)


def pairs_app(config: AppConfig) -> Page:
    return _page("pairs", PairReviewer, config)


def chains_app(config: AppConfig) -> Page:
    return _page("chains", ChainViewer, config)


def cases_app(config: AppConfig) -> Page:
    return _page("cases", CaseDesk, config)
