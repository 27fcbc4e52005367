"""One module per resource, each with its sync and async class."""
