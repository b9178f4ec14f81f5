"""Run `python -m followup ARGS...` in this process, then print the imported modules, sorted.

Several runs may be given, separated by `::` (`--help :: add --help`). For each run, stdout
gets one JSON line: {"args": [...], "exit": CODE, "new": [modules first imported by this run]};
the command's own output goes to stderr. Used by tests/test_startup.py, after fastapi/typer's
tests/assets/print_modules.py.
"""

import contextlib
import json
import runpy
import sys

runs, current = [], []
for arg in sys.argv[1:]:
    if arg == "::":
        runs.append(current)
        current = []
    else:
        current.append(arg)
runs.append(current)

for args in runs:
    before = set(sys.modules)
    sys.argv = ["followup", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(sys.stderr):
            runpy.run_module("followup", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code
    new = sorted(set(sys.modules) - before)
    print(json.dumps({"args": args, "exit": code, "new": new}), flush=True)
