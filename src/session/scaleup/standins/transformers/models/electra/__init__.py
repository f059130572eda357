"""transformers.models.electra (stand-in)."""
