"""Permissions and the one policy that checks them."""
