#!/usr/bin/env bash
# Static checks in `make test`: the include layers (tests/lint/layers.py)
# every shell script under scripts/, tests/ and .ci/ through ShellCheck, and
# the benchmark scripts through mypy --strict (make typecheck).
# Closes with "lint: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0

result() { # $1: ok|FAIL, $2: name
	echo "$1 $2"
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

if out=$(python3 tests/lint/layers.py 2>&1); then
	result ok layers
else
	result FAIL layers
	grep -v '^ok' <<<"$out"
fi

shell_scripts() {
	grep -rlE '^#!(/usr/bin/env |/bin/)(ba)?sh' scripts tests .ci | sort
}

if ! command -v shellcheck >/dev/null; then
	result FAIL "shellcheck (not installed: scripts/deps installs it)"
else
	mapfile -t files < <(shell_scripts)
	if out=$(shellcheck -f gcc "${files[@]}" 2>&1); then
		result ok "shellcheck (${#files[@]} scripts)"
	else
		result FAIL "shellcheck (${#files[@]} scripts)"
		echo "$out"
	fi
fi

if out=$(make -s typecheck 2>&1); then
	result ok "mypy --strict (scripts/benchlib and its scripts)"
else
	result FAIL "mypy --strict (scripts/benchlib and its scripts)"
	echo "$out"
fi

echo "lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
