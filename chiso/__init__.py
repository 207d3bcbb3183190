"""chiso: the digital-transformation assessment of a Vietnamese province."""

import os

# pyHanko (the signed annex) brings lxml, and openpyxl switches to it when present. The
# workbooks chiso reads and writes were hardened and tested with the standard library's
# XML (a carriage return in a cell, hostile files): keep it, whatever else is installed.
os.environ.setdefault("OPENPYXL_LXML", "False")

# numpy's OpenBLAS starts a thread per core for a matrix product and keeps them spinning
# afterwards. chiso's products are small (runs x indicators x units): a second thread
# made none of them quicker, and while a publication's Monte Carlo ran it took the core
# the request's own work needed (and under gunicorn, every worker would start its
# own). One thread, unless the environment says otherwise; set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
