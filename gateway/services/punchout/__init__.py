"""Buyers' procurement systems punching in, and the cart going back to them.

- `inbox`: `POST /cxml`: parse, authenticate, dispatch (setup, order, profile), answer.
- `cxml_punchout`: the cXML PunchOutSetupRequest and the PunchOutOrderMessage back.
- `oci_punchout`: the SAP OCI launch, its FUNCTION calls and the `NEW_ITEM-*` form back.
- `sessions`: what both share: settings, the single-use start link, the shop session it opens,
  the punchout's cart and its ending.
- `cart_mapping`, `oci_mapping`: how one buyer wants our cart lines (units, classifications,
  extrinsics, OCI fields); `_product_attributes` is the list both may name.
- `profile`: the cXML ProfileResponse (what we accept, with which options).
- `identities`: the user a punchout acts as (the partner's punchout users); `connections`: the
  customer's superuser's view of its partners and their switch for matching shop accounts.
"""
