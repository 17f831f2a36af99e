#!/usr/bin/env bash
# The project's test command: set-up, then every test on an optimised build
# (numeric kernels are 10-100x slower in debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release -Xswiftc -enable-testing --build-tests
swift test -c release -Xswiftc -enable-testing --skip-build "$@"
