"""Delivery: the outbox (written with the secret, drained by a dispatcher) and the senders."""
