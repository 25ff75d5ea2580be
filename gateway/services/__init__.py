"""The rules of the gateway, grouped by domain; no Flask, no request globals, an explicit actor.

Each domain package owns one part of the business and says in its docstring what lives where:

- `catalog`: what a customer may see and buy, at which price (assortments, search, pricing,
  catalog import and export).
- `ordering`: carts and orders from every source (shop checkout, guests, cXML OrderRequests),
  and the documents and mails that follow an order.
- `punchout`: procurement systems punching in (cXML setup, SAP OCI) and the cart going back.
- `partners`: the trading partners behind those systems: registration, settings, simulator.
- `people`: users, their customers and sessions, invitations and password links, staff work,
  shopping as a customer.
- `purchasing`: the customer's own purchasing rules: budgets and approvals.

The loose modules are shared by several domains: `outbox` (durable delivery of documents and
mails), `message_log` (every document in and out), `throttle` (failed-attempt counting),
`monitoring` (figures for /metrics) and `demo` (the demo data).

Services `flush()`; the request boundary (or the CLI's `session_scope`) commits. A domain
package is used through its public modules; modules whose name starts with `_` are its own.
"""
