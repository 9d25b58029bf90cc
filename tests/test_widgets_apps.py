"""The five app pages as the notebooks compose them (no browser)."""
import pytest
from conftest import APP_USER, AS_OF
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
    page = getattr(apps, f"{stem}_app")(AppConfig(tmp_path, APP_USER, AS_OF))
    assert NO_DATA in page.body.value
    assert f'class="here" href="{stem}.ipynb"' in page.nav.value


@pytest.mark.parametrize("stem", list(PAGES))
def test_a_page_with_data_shows_its_component(app_session, stem):
    page = getattr(apps, f"{stem}_app")(app_session.config)
    assert isinstance(page.body, PAGES[stem])
    for other in APPS:
        assert f'href="{other}.ipynb"' in page.nav.value


def test_the_loader_page_works_before_any_data(tmp_path):
    page = apps.loader_app(AppConfig(tmp_path, APP_USER, AS_OF))
    assert isinstance(page.body, DataLoader) and page.body.session is None


def test_demo_data_is_marked_on_every_page(app_session):
    for stem in ("findings", "pairs", "chains", "cases"):
        page = getattr(apps, f"{stem}_app")(app_session.config)
        assert "示范数据" in page.banner.value  # the test county is the demo generator's


def test_a_page_on_an_unusable_workspace_says_why_and_how_to_mend_it(app_session):
    manifest = app_session.config.workspace / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        '"format": 1', '"format": 0'), encoding="utf-8")
    page = apps.findings_app(app_session.config)
    assert "另一版本" in page.body.value and "xueji-audit audit" in page.body.value
    loader = apps.loader_app(app_session.config).body
    assert loader.session is None and "另一版本" in loader.message.value
    assert loader.folder.value == app_session.data_dir  # offered to audit it again
