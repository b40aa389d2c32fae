"""passgate: self-hosted passwordless authentication speaking the Descope API."""

__version__ = "0.1.0"
