"""Helpers the tests share: databases on both engines, record builders, served apps, contract runs."""
