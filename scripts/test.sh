#!/usr/bin/env bash
# The one command that checks journeyblog, on a developer's machine or a fresh Debian CI box.
#
# Installs only what is missing: Debian's chromium and a headless Java (for the browser and
# Nu Html Checker tests), the pinned npm judges in tests/tools (axe-core, vnu-jar), a virtual
# environment with the package and its `test` extra. Then runs ruff, mypy, import-linter and
# the whole pytest suite. Exits non-zero if any of them fails (pytest's own code if it failed).
# Never runs `playwright install`: the tests drive /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n==> %s\n' "$*"; }

# 1. System packages, only those missing.
packages=()
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
command -v java >/dev/null || packages+=(default-jre-headless)
command -v npm >/dev/null || packages+=(npm)
command -v python3 >/dev/null || packages+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
if ((${#packages[@]})); then
    step "apt-get install ${packages[*]}"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y "${packages[@]}"
fi

# 2. The independent judges, at the versions pinned in tests/tools/package-lock.json.
tools=tests/tools
if [[ ! -f $tools/node_modules/.package-lock.json ]] \
    || [[ $tools/package-lock.json -nt $tools/node_modules/.package-lock.json ]]; then
    step "npm ci (axe-core, vnu-jar)"
    # No install scripts: vnu-jar's would fetch a Java runtime; Debian's is used instead.
    (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund)
fi

# 3. Python.
if [[ ! -x .venv/bin/python ]]; then
    step "python3 -m venv .venv"
    python3 -m venv .venv
fi
step "pip install -e '.[test]'"
.venv/bin/python -m pip install --quiet -e '.[test]'

# 4. Checks: all of them run, so one report shows every problem.
status=0
check() {
    step "$*"
    "$@" || status=1
}
check .venv/bin/ruff format --check src tests
check .venv/bin/ruff check src tests
check .venv/bin/mypy --strict src
check .venv/bin/lint-imports

step "pytest"
tests=0
.venv/bin/python -m pytest -q || tests=$?
if ((tests != 0)); then
    exit "$tests"
fi
exit "$status"
