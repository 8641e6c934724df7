"""Programs that check or measure a running stack from the host, for the scripts: never shipped in an
image (the page's own package, python/dashboard, is)."""
