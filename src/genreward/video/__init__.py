"""The goal-video model: frame autoencoder, text encoder, latent video denoiser, pipeline."""
