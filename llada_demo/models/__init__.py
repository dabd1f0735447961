"""Model code and loading: the native LLaDA class (registered with transformers' Auto classes)."""

from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM

from .configuration_llada import LLaDAConfig
from .modeling_llada import LLaDAModelLM

# Registering makes AutoModel.from_pretrained(folder) work for any folder with model_type "llada",
# and lets the official hub config load without trust_remote_code.
AutoConfig.register("llada", LLaDAConfig, exist_ok=True)
AutoModel.register(LLaDAConfig, LLaDAModelLM, exist_ok=True)
AutoModelForMaskedLM.register(LLaDAConfig, LLaDAModelLM, exist_ok=True)

__all__ = ["LLaDAConfig", "LLaDAModelLM"]
