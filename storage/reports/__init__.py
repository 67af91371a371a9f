"""The monthly report: its figures and the files it is written to (XLSX, CSV).

Imports storage.core and storage.register.
"""
