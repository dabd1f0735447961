"""Training the embedded teaching models: tokenizer, masked-diffusion pretraining and SFT, AR twin."""
