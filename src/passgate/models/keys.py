"""Signing-key algorithms: the allow-list for signing *and* verifying.

RS256 (what Descope uses), ES256 (default: 10x cheaper to sign, verified by every JOSE
library), EdDSA. The keys themselves are ``crypto/keys.py``'s.
"""

from __future__ import annotations

from typing import Literal

Algorithm = Literal["RS256", "ES256", "EdDSA"]
SUPPORTED_ALGORITHMS: tuple[Algorithm, ...] = ("RS256", "ES256", "EdDSA")
DEFAULT_ALGORITHM: Algorithm = "ES256"
