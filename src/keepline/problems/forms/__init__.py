"""Forms of the problem pages, by sub-domain; they parse input, the services decide."""
