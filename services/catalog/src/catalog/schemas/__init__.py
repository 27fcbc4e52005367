"""Request and response models of the catalog API, one module per resource family."""
