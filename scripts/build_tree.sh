#!/usr/bin/env bash
# Lay out the collection at .build/ansible_collections/ontap/rest, the path shape ansible-test needs.
# Copies the tracked files plus the untracked, not ignored ones (`git ls-files -co --exclude-standard`), so the tree
# is what a commit of the working tree would contain. The copy is fresh on every run (no stale files).
# Prints the tree's path on stdout.
# Usage: bash scripts/build_tree.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST="$ROOT/.build/ansible_collections/ontap/rest"

# Only ever delete inside our own build directory.
case "$DEST" in
    "$ROOT"/.build/ansible_collections/ontap/rest) ;;
    *) echo "build_tree: refusing to use $DEST" >&2; exit 1 ;;
esac
rm -rf "$DEST"
mkdir -p "$DEST"

cd "$ROOT"
# Deleted-but-tracked files are still listed by git: keep only paths that exist (files or symlinks).
git ls-files -z -co --exclude-standard \
    | while IFS= read -r -d '' path; do
        if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
      done \
    | tar --null --no-recursion -T - -cf - \
    | tar -xf - -C "$DEST"

printf '%s\n' "$DEST"
