"""Reports over training runs: learning curves, result tables, an HTML page."""
