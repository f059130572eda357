"""transformers.models (stand-in): bert and electra only."""
