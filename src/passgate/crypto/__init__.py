"""Cryptography: one-time codes, sealing secrets at rest, signing keys, JWTs."""
