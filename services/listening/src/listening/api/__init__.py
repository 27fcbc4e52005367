"""HTTP layer of the listening service: thin routes over :mod:`listening.services`."""
