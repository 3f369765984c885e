#!/usr/bin/env bash
# One-folder desktop build with PyInstaller (not run in CI: it takes minutes and ~1.5 GB with TensorFlow).
#   bash packaging/build.sh    ->  dist/playground/playground
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install pyinstaller
python packaging/make_icons.py
pyinstaller --noconfirm packaging/playground.spec
echo "built dist/playground/ (run dist/playground/playground)"
