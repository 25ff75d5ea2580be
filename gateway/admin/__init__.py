"""Administration pages for integrators and the supplier's administrators."""
