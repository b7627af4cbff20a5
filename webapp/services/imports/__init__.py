"""Bulk CSV imports: ventures (a cohort) and investors by staff, portfolio history by investors.

Every import reads the whole file, checks every row, and only then writes, in one transaction:
with `ImportMode.ALL_OR_NOTHING` a file with any bad row writes nothing; with
`ImportMode.GOOD_ROWS` the good rows are written and the bad ones reported. A row is never half
written. Rows already present are duplicates and are skipped, so uploads can be repeated.
"""

from webapp.services.imports.investors import import_investors
from webapp.services.imports.portfolio import import_portfolio
from webapp.services.imports.report import ImportMode, ImportReport, RowError
from webapp.services.imports.ventures import import_ventures

__all__ = [
    "ImportMode",
    "ImportReport",
    "RowError",
    "import_investors",
    "import_portfolio",
    "import_ventures",
]
