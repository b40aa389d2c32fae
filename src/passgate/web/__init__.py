"""HTTP: Descope's paths and JSON shapes. Thin: parse, call a flow, serialise."""
