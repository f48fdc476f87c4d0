#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the driver's layering (driver/CMakeLists.txt, docs/architecture.md):
#
#   util (cs_util) < core (cs_core) < pam (cs_pam) < api (credshim), agent
#   (credshim-agent, beside api: neither includes the other's headers)
#
# Every quoted #include in driver/<layer>/ names a file by its path from
# driver/ ("core/cs.h"), the file exists, and its layer is the file's own or
# one below it.  No folder of driver/ is on an include path of its own.
# With --self-test it first proves on a scratch copy that it catches an
# upward include, a flat include and a per-folder include path.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

rank() {
  case "$1" in
    util) R=0 ;; core) R=1 ;; pam) R=2 ;; api | agent) R=3 ;; *) R=-1 ;;
  esac
}

# check <driver dir>: prints each violation, returns 1 when there is one.
check() {
  local d="$1" bad=0 f layer own line inc target trank
  for f in "$d"/*/*; do
    case "$f" in *.c | *.h | *.def) ;; *) continue ;; esac
    layer=${f%/*}
    layer=${layer##*/}
    rank "$layer"
    own=$R
    if [[ "$own" -lt 0 ]]; then
      echo "${f#"$d"/}: folder $layer is no layer (util, core, pam, api, agent)"
      bad=1
      continue
    fi
    while IFS= read -r line; do
      [[ "$line" =~ \"([^\"]*)\" ]] && inc=${BASH_REMATCH[1]}
      if [[ "$inc" != */* ]]; then
        echo "${f#"$d"/}: #include \"$inc\" is not a path from driver/ (\"$layer/$inc\"?)"
        bad=1
        continue
      fi
      target=${inc%%/*}
      rank "$target"
      trank=$R
      if [[ "$trank" -lt 0 || ! -f "$d/$inc" ]]; then
        echo "${f#"$d"/}: #include \"$inc\": no such header in driver/"
        bad=1
      elif [[ "$trank" -gt "$own" ]]; then
        echo "${f#"$d"/}: #include \"$inc\": $layer is below $target and must not include it"
        bad=1
      elif [[ "$trank" -eq "$own" && "$target" != "$layer" ]]; then
        echo "${f#"$d"/}: #include \"$inc\": $layer and $target sit side by side and must not include each other"
        bad=1
      fi
    done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$f" || true)
  done
  if grep -nE 'include_directories.*/(util|core|pam|api)\b' "$d/CMakeLists.txt"; then
    echo "CMakeLists.txt: a layer folder on an include path (include by path from driver/)"
    bad=1
  fi
  return "$bad"
}

if [[ "${1:-}" == "--self-test" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for case in upward flat path; do
    rm -rf "$tmp/driver"
    cp -r "$src/driver" "$tmp/driver"
    case "$case" in
      upward) printf '#include "pam/session.h"\n' >>"$tmp/driver/core/handle.c" ;;
      flat) printf '#include "utf.h"\n' >>"$tmp/driver/util/conf.c" ;;
      path) printf 'target_include_directories(cs_core PRIVATE ${CS_DRIVER_DIR}/core)\n' \
              >>"$tmp/driver/CMakeLists.txt" ;;
    esac
    if check "$tmp/driver" >/dev/null; then
      echo "FAIL: self-test: a $case include went unnoticed"
      exit 1
    fi
    echo "self-test: a $case include is caught"
  done
fi

if check "$src/driver"; then
  n=$(cat "$src"/driver/*/*.[ch] "$src"/driver/*/*.def | grep -cE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"')
  echo "check_layers: $n includes, none upward"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi
