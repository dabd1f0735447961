"""Starts the real app on a free local port for integration and browser tests."""

import socket

from llada_demo.ui import build_demo, launch_kwargs
from llada_demo.ui.launch import configure_queue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app():
    """(demo, url): the app as `python app.py` builds it, served on loopback."""
    demo = configure_queue(build_demo())
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                **launch_kwargs())
    return demo, demo.local_url
