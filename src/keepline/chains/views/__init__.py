"""Supply-chain pages: the network of links, industry chains, lockdown scenarios and the
keep-running ranking."""
