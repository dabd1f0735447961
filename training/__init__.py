"""Training the embedded teaching models: tokenizer, masked-diffusion pretraining and SFT, AR twin.

Outside the app: it imports llada_demo's lower layers, the app reaches it only through the CLI's training
commands, and the Space bundle leaves it out.
"""
