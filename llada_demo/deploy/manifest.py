"""The deploy manifest is the app's runtime configuration (llada_demo/config.py), read the same way here."""

from ..config import MANIFEST, ROOT, ManifestError, limits, manifest, read_manifest

__all__ = ["MANIFEST", "ROOT", "ManifestError", "limits", "manifest", "read_manifest"]
