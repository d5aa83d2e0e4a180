"""Forms of the supply-chain pages; they parse input, the services decide."""
