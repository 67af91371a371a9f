"""`python -m gridcare`: the same as the `gridcare` command (tui/cli.py).

The code lives in the packages tui/, screens/ and storage/; this package only names the program,
for machines where the venv's Scripts folder is not on PATH (`py -m gridcare` on Windows).
"""
