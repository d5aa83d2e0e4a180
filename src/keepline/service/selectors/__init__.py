"""Reads for the service network; each takes the reader and returns only what they may see."""
