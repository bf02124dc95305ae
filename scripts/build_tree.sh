#!/usr/bin/env bash
# Lay out the collection at .build/ansible_collections/ontap/rest, the path shape ansible-test needs.
# Copies the tracked files plus the untracked, not ignored ones (`git ls-files -co --exclude-standard`), so the tree
# is what a commit of the working tree would contain. The copy is fresh on every run (no stale files).
# Prints the tree's path on stdout.
# Usage: bash scripts/build_tree.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST="$ROOT/.build/ansible_collections/ontap/rest"

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
copy_collection "$DEST"
printf '%s\n' "$DEST"
