"""Request and response JSON shapes: the one place Descope's field names live, a module per
area mirroring ``auth/`` and ``mgmt/`` (``base`` holds what they share)."""
