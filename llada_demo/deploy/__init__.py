"""Deploying to Hugging Face Spaces: the manifest (spaces.yaml), README front matter, bundle checks, upload."""
