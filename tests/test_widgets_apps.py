"""The five app pages as the notebooks compose them (no browser)."""
import pytest
from conftest import APP_USER
from xueji_audit.widgets import apps
from xueji_audit.widgets.cases import CaseDesk
from xueji_audit.widgets.chains import ChainViewer
from xueji_audit.widgets.findings import FindingsBrowser
from xueji_audit.widgets.loader import DataLoader
from xueji_audit.widgets.pairs import PairReviewer

from xueji_audit.app import AppConfig
from xueji_audit.app.display import APPS, NO_DATA

PAGES = {"findings": FindingsBrowser, "pairs": PairReviewer, "chains": ChainViewer,
         "cases": CaseDesk}


@pytest.mark.parametrize("stem", list(PAGES))
def test_a_page_without_data_says_where_to_load_it(tmp_path, stem):
    page = getattr(apps, f"{stem}_app")(AppConfig(tmp_path, APP_USER))
    assert NO_DATA in page.body.value
    assert f'class="here" href="{stem}.ipynb"' in page.nav.value


@pytest.mark.parametrize("stem", list(PAGES))
def test_a_page_with_data_shows_its_component(app_session, stem):
    page = getattr(apps, f"{stem}_app")(app_session.config)
    assert isinstance(page.body, PAGES[stem])
    for other in APPS:
        assert f'href="{other}.ipynb"' in page.nav.value


def test_the_loader_page_works_before_any_data(tmp_path):
    page = apps.loader_app(AppConfig(tmp_path, APP_USER))
    assert isinstance(page.body, DataLoader) and page.body.session is None


def test_seed_data_fills_an_empty_workspace(tmp_path, app_county, app_session):
    config = AppConfig(tmp_path / "ws", APP_USER, seed_data=str(app_county))
    page = apps.findings_app(config)
    assert isinstance(page.body, FindingsBrowser)
    assert len(page.body.session.findings) == len(app_session.findings)
