"""The columns of the shipped unit files: shared by the loader and the script that writes them.

Plain constants, no Django: scripts/build_units.py imports this module too.
"""

UNIT_COLUMNS = (
    "code",
    "name",
    "level",
    "kind",
    "parent_level",
    "parent_code",
    "province_code",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
    "area_km2",
)
LINEAGE_COLUMNS = ("date", "level", "new_code", "old_code", "whole")
