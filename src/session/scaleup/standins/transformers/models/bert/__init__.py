"""transformers.models.bert (stand-in)."""
