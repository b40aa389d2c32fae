"""The app as uvicorn imports it (``passgate.asgi:app``), configured from the environment."""

from passgate.config import Settings
from passgate.logs import configure_logging
from passgate.web import gc_tuning
from passgate.wiring import create_app

settings = Settings()
configure_logging(settings.log_level)
app = create_app(settings, on_started=gc_tuning.freeze_startup_heap)
gc_tuning.raise_thresholds()
