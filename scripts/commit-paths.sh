#!/bin/bash
# Usage: scripts/commit-paths.sh "message" path...   (paths from the repository root)
# Commits exactly these paths' working-tree versions on top of HEAD through a private index, and moves
# the branch only if HEAD has not moved meanwhile (compare-and-swap, retried): safe when several
# people or agents share one working tree and its index.
set -euo pipefail
msg="$1"; shift
cd "$(git rev-parse --show-toplevel)"
for attempt in 1 2 3 4 5; do
  old=$(git rev-parse HEAD)
  export GIT_INDEX_FILE=$(mktemp /tmp/lead-idx.XXXX); rm -f $GIT_INDEX_FILE
  git read-tree $old
  git add -- "$@"
  tree=$(git write-tree)
  new=$(git commit-tree $tree -p $old -m "$msg")
  rm -f $GIT_INDEX_FILE; unset GIT_INDEX_FILE
  if git update-ref "$(git symbolic-ref HEAD)" $new $old; then
    git reset -q $new -- "$@" 2>/dev/null || true   # main index: these paths = new HEAD
    git log --oneline -1 $new; exit 0
  fi
  sleep 1
done
echo "could not commit"; exit 1
