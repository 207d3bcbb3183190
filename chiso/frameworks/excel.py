"""Criteria tables in Excel: a framework laid out like the appendix of a decision.

A province issues its criteria as a table (code, indicator, unit, maximum points, how
it is scored, evidence, data source, verifying unit, mandatory). The work is split by
job, one module each:

- chiso/frameworks/excel_columns.py: the headings a table may use, reading its cells;
- chiso/frameworks/excel_scoring.py: scoring rules as text ("linear 0-90");
- chiso/frameworks/excel_reader.py: reading the sheets into a framework's parts;
- chiso/frameworks/excel_build.py: the framework document and its YAML, checked by the
  engine (`workbook_to_dict`, `workbook_to_yaml`);
- chiso/frameworks/excel_writer.py: a framework as a table, and the blank table
  (`framework_to_workbook`, `blank_workbook`);
- chiso/frameworks/excel_store.py: storing an imported table as a framework version.

The helpers for reading any upload (sniffing, size limits, bounded sheets) are in
chiso/lib/uploads.py. This module gathers the public names.
"""

from chiso.frameworks.excel_build import dump_yaml, workbook_to_dict, workbook_to_yaml
from chiso.frameworks.excel_scoring import method_text, parse_method
from chiso.frameworks.excel_writer import blank_workbook, framework_to_workbook, workbook_bytes
from chiso.lib.uploads import Issue, TableError

__all__ = [
    "Issue",
    "TableError",
    "blank_workbook",
    "dump_yaml",
    "framework_to_workbook",
    "method_text",
    "parse_method",
    "workbook_bytes",
    "workbook_to_dict",
    "workbook_to_yaml",
]
