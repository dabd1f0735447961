"""Entry point (Hugging Face Spaces app_file): build the LLaDA demo and serve it."""

import os

try:  # ZeroGPU Spaces need `spaces` imported before anything touches CUDA
    import spaces  # noqa: F401
except ImportError:
    pass

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from llada_demo.ui import build_demo, launch_kwargs
from llada_demo.ui.launch import configure_queue

demo = configure_queue(build_demo())

if __name__ == "__main__":
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0"), **launch_kwargs())
