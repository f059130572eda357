"""Test stand-in for Hugging Face accelerate (see ../README.md): the Accelerator train.py uses."""
from .accelerator import Accelerator  # noqa: F401

__version__ = "0.0.0+masklab-standin"
