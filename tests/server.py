"""The live app for integration and browser tests (kept importable as `server`; the code is devtools/app_server.py)."""

from devtools.app_server import free_port, start_app

__all__ = ["free_port", "start_app"]
