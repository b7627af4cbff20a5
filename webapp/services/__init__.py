"""Services own every write and every transaction.

Each is a keyword-only function taking the session explicitly
(`create_venture(*, session, owner, data)`), so the web, the API, the CLI, workers and tests
all call the same code. They raise the errors in `webapp.services.common.errors`, never HTTP ones.
They are grouped by area; each package's docstring says what it holds, and the import-linter
contracts in `pyproject.toml` say which areas may use which.
"""
