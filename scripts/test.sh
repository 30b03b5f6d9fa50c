#!/usr/bin/env bash
# The test command: installs the validators if needed, checks formatting, builds rig, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
export RIG_VENV="$PWD/.venv"

swift format lint --strict --recursive Sources Tests Package.swift
swift build
swift test
