"""The trading partners behind the procurement systems: who they are, how they are recognised,
and what an integrator configures and tries before a buyer goes live.

- `registry`: registration (cXML and OCI) and recognition from cXML credentials.
- `admin`: partner administration: edit, disable, rotate secrets, preview mappings, test URLs.
- `order_settings`: a partner's order exchange: acknowledgement, CredentialMac, outbound
  address and secret, signatures.
- `deployment`: which cXML deploymentMode (production, test) a partner may send.
- `simulator`: the buyer simulator.
"""
