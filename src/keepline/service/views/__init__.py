"""Service network pages: coverage with its history, key projects, the two lists of visits,
working groups, and "my work", the one place where a commissioner sees what they cover."""
