"""What the Voila apps (``notebooks/apps``) and their widgets (``widgets/``) call.

:mod:`.config` holds an app's settings (workspace folder, user, date, profile), :mod:`.session`
the loaded data and audit shared by the apps; one module per app holds its data functions.
"""
from .config import AppConfig
from .session import Session

__all__ = ["AppConfig", "Session"]
