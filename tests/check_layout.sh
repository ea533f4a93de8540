#!/usr/bin/env bash
# The folders read top to bottom; no folder includes one above it (docs/ARCHITECTURE.md):
#   capi (public headers only); db -> compaction -> version -> sstable, memtable, wal -> keys -> util
# A folder may include itself, the public headers (strata/) and the folders it lists below.
# Prints each include that breaks the rule and fails if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A allowed=(
  [util]="util"
  [keys]="keys util"
  [wal]="wal keys util"
  [memtable]="memtable keys util"
  [sstable]="sstable keys util"
  [version]="version sstable memtable wal keys util"
  [compaction]="compaction version sstable memtable wal keys util"
  [db]="db compaction version sstable memtable wal keys util"
  [capi]="capi"
)

bad=0
for folder in "${!allowed[@]}"; do
  [ -d "$folder" ] || { echo "missing folder $folder"; bad=1; continue; }
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"${line#*:}")
    [ "$target" = strata ] && continue
    if ! grep -qw -- "$target" <<<"${allowed[$folder]}"; then
      echo "$file includes $target/: $folder/ may include only ${allowed[$folder]} (and strata/)"
      bad=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$folder" --include='*.h' --include='*.cc' || true)
done
if [ "$bad" = 0 ]; then echo "layout: every include points down"; fi
exit "$bad"
