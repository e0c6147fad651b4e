#!/usr/bin/env python3
"""Turn the closing lines of Python's unittest ("Ran N tests", "OK" or
"FAILED (failures=F, errors=E)"), echoed through, into 'bench: P passed, F failed'."""
import re
import sys

text = sys.stdin.read()
sys.stdout.write(text)
ran = re.search(r"Ran (\d+) tests?", text)
bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", text))
if not ran:
    print("bench: 0 passed, 1 failed (no unittest summary)")
    sys.exit(1)
total = int(ran.group(1))
print(f"bench: {total - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
