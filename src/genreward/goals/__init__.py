"""Goal-frame selection: CLIP/SigLIP through transformers, and the shipped offline scorer."""
