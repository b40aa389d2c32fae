"""The product: authentication flows. No HTTP, no vendor SDKs; storage through its port."""
