"""HTTP layer of the catalog: thin routes over :mod:`catalog.services`."""
