"""PIF AI: Taiwan cosmetic Product Information File backend."""

__version__ = "0.1.0"
