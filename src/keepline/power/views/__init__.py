"""The power pages: meter-data imports, the power resumption index, alerts and timelines."""
