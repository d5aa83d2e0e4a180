"""Reads of the supply chains: each takes the reader and returns only what they may see."""
