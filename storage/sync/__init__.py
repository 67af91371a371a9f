"""Moving events between databases: the bundle file, export, merge, the conflict queue, the dump.

Imports storage.core and storage.register.
"""
