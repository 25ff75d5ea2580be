"""Who acts: users and the customers they belong to, how they log in and are invited, and the
supplier's staff, who also shop on a customer's behalf.

- `users`: users and their links to customers; punchout users; the built-in roles.
- `shop_sessions`: server-side sessions: opened at login or punchout start, resolved into an
  `Actor` on every request; switching customers.
- `password_login`: the shop's password login (throttled, the same work for unknown addresses).
- `members`: a customer's users as its superuser manages them (roles, catalogs, supervisors).
- `organisation`: the customer's own data and addresses, and its staff-access switch (I-7).
- `invitations`, `password_resets`: single-use e-mail links (both through `links`), their mails
  queued sealed in the outbox with the link; an invitation makes a member only when the person
  invited accepts it (an existing account while logged in, a new one by choosing a password).
- `staff`: staff accounts and their roles; `customers`: staff work on customers.
- `impersonation`: shopping as a customer (b2b-rules §6).
"""
