"""The customer's own purchasing rules: what a user may spend, and who approves.

- `budgets`: which budgets apply, what they allow, reserving and releasing amounts;
  `budget_periods`: the calendar periods they count in; `budget_admin`: budgets as the
  superuser sets them.
- `approvals`: who may decide, the inbox, approve / take over / reject / withdraw;
  `approval_tiers`: approval tiers per customer; `approval_mail`: the notifications;
  `stand_ins`: approvers' absences and who stands in; `approval_reminders`: one reminder for
  an order waiting too long.
"""
