"""Constants the tests share: where things are, and the seed case's ids.

The seed case is service/store/seed_data/afghanistan.json.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CONTRACT = PROJECT_ROOT / "openapi.yaml"

PROBLEM = "application/problem+json"

GOVERNMENT = "af-islamic-emirate"
RELATIONS = f"/v1/governments/{GOVERNMENT}/relations"
RECOGNITION_ID = "rcg_8c6475f1647032195d51"  # Russia's de jure recognition
RECOGNITION = f"/v1/recognitions/{RECOGNITION_ID}"
EXCHANGE_ID = "amb_ef2a62b16b2afcb65991"
CNN = "src_c486c3f5034b49a73224"  # the CNN report every seed record cites

G2C, C2G = "government_to_country", "country_to_government"
