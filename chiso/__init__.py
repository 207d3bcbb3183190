"""chiso: the digital-transformation assessment of a Vietnamese province."""

import os

# pyHanko (the signed annex) brings lxml, and openpyxl switches to it when present. The
# workbooks chiso reads and writes were hardened and tested with the standard library's
# XML (a carriage return in a cell, hostile files): keep it, whatever else is installed.
os.environ.setdefault("OPENPYXL_LXML", "False")
