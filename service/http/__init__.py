"""HTTP mechanics every view shares: problem+json errors, the strict argument parser,
content negotiation and CSV, cursor pages, caching and validators, preconditions,
bearer tokens, input guards, security headers and CORS.

Nothing here knows a particular resource; views combine these pieces per route.
"""
