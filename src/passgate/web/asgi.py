"""The app as uvicorn imports it (``passgate.web.asgi:app``), configured from the environment."""

from passgate.config import Settings
from passgate.web.app import create_app

app = create_app(Settings())
