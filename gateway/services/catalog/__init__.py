"""What a customer may see and buy, and at which price.

- `assortment`: which products a customer, a user within it, or a guest may see and buy.
- `assignment`: catalogs (named assortments) assigned to customers and users.
- `pricing`: the price for a customer, product, quantity and date (price lists, tiers, VAT).
- `search`: catalog search and category browsing.
- `csv_files`, `bmecat_import`: catalog import and export (CSV, BMEcat 2005).
"""
