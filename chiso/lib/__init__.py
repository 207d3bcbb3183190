"""Shared helpers every app may use; this package imports no app of chiso.

- `numbers`: figures and dates written the Vietnamese or the English way;
- `bulk`: inserts in batches;
- `uploads`: a spreadsheet upload read within its limits;
- `csv_lines`: a CSV file read line by line, refused at the first line over a limit;
- `values_csv`: the long values CSV (unit,code,value), its one reader and one writer;
- `safe_cells`: text written into CSV and XLSX so that it never runs as a formula;
- `signed_pdf`: whether a signed PDF is exactly an annex, signed by a trusted certificate;
- `testca`: a TEST certificate authority (the demo and the tests sign with it).
"""
