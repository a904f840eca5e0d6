"""The contract's version (``info.version``): semantic versioning of the v1 API."""

API_VERSION = "1.1.0"
