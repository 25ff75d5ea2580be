"""The web layer's plumbing, shared by every blueprint: the Flask app wiring (`app`), the
request-scoped database session (`database`), the current shopper (`context`), cookies,
security headers, throttling answers, error pages, Dutch/English (`i18n`) and what the form
classes share (`forms`).

The blueprints themselves live beside it (`gateway.shop`, `gateway.punchout`, `gateway.admin`,
`gateway.ops`): thin adapters that read a request, call a service and render its answer.
Services never import this package.
"""
