"""Registering residents from a spreadsheet: read the file, map its columns, check, import, report.

Imports storage.core and storage.register.
"""
