"""The register of key persons: residents, visits, referrals, risk, the visit policy, and the reads
behind Home, search and a resident's page.

Domain rules live here too (categories, ID numbers, names and their pinyin). Imports storage.core only.
"""
