"""Carts and orders, from every source: the shop's checkout, guests, and the purchase orders
buyers' systems send as cXML OrderRequests; and what follows an order.

- `carts`: adding, changing and removing lines; the priced cart pages and protocols read.
- `checkout`: the shop's checkout: gather, check (budgets, approval rules), place.
- `guests`: guest (B2C) checkout, storing only what delivery needs.
- `intake`: cXML OrderRequest new/update/delete, idempotently (`_order_lines` checks the lines).
- `documents`: staff decisions on received orders and the cXML documents they queue.
- `history`, `queries`: a customer's orders for its users (reorder) and for operators.
- `confirmation_mail`: the order confirmation (a guest's sealed: it holds the private link),
  queued in the outbox with the order.
"""
