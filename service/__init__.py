"""The recognition-status service: who recognizes which government, since when, says who."""

from .app import create_app

__all__ = ["create_app"]
