#!/usr/bin/env bash
# Builds Apollo (installing what is missing) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The Python module's tests (python/tests), with the interpreter it was built
# for (Debian's, whose packages provide numpy, pytest, optuna, matplotlib).
python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' build/CMakeCache.txt)
PYTHONPATH="$PWD/build/python${PYTHONPATH:+:$PYTHONPATH}" "${python:-/usr/bin/python3}" -m pytest -q python/tests
