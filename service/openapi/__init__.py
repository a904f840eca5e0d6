"""The OpenAPI contract: its words (``texts``), what every operation shares (``plugin``),
and the document built from the app and rendered as ``openapi.yaml`` (``document``).
"""
