#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keeps docker/ in step with the scripts and the package list it relies
# on (ctest docs.docker).  No Docker engine runs the files here, so this
# checks what can go stale:
#   - every repository path docker/ names exists;
#   - every /opt/credshim/<path> compose.yaml runs is copied into the image;
#   - the Dockerfile installs its packages through tests/deps.sh, which
#     reads tests/packages.txt: the build stage the uses "build", the stage
#     "postgres" "pgserver", the image "runtime" and "demo" (the demo's two
#     halves run in it), each stage after copying packages.txt and deps.sh
#     in and after apt-get upgrade (deps.sh upgrades nothing, and the base
#     image may be older than the archive);
#   - the build stage makes the .deb with odbcinst/build-deb.sh and the
#     image installs it;
#   - compose.yaml has the services postgres, mockpam and client; mockpam
#     and client run tests/demo.sh --mockpam / --client, options demo.sh
#     has; client shares mockpam's network (the mock listens on loopback
#     only);
#   - every image compose.yaml runs is built from docker/Dockerfile (postgres
#     from its stage "postgres"), none pulled, and its network is internal.
# tests/container_test.sh builds and runs the files for real (Podman).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dockerfile="$src/docker/Dockerfile"
compose="$src/docker/compose.yaml"
# shellcheck source=lib/tally.sh
. "$src/tests/lib/tally.sh"

for f in "$dockerfile" "$compose"; do
  [[ -f "$f" ]] || { echo "FAIL missing ${f#"$src"/}"; echo "0 passed, 1 failed"; exit 1; }
done

# The Dockerfile without comments and with continuation lines joined.
df=$(sed -e 's/^[[:space:]]*#.*$//' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta')

# ---- paths ----
mapfile -t paths < <(cat "$src"/docker/* | sed 's/#.*$//' |
  grep -oE '(^|[^A-Za-z0-9_.-])(tests|docker|packaging|odbcinst|docs|cmake|driver)/[A-Za-z0-9_./-]*' |
  sed -E 's/^[^tdpoc]//' | sort -u)
[[ ${#paths[@]} -gt 0 ]] || bad "no repository paths found in docker/"
for p in "${paths[@]}"; do
  check "docker/ names $p, which exists" test -e "$src/$p"
done

# ---- stages ----
# Prints stage $1 (1-based) of the Dockerfile.
stage() { awk -v n="$1" 'toupper($1) == "FROM" { s++ } s == n' <<<"$df"; }
# Prints the stage named $1 (FROM ... AS $1).
named_stage() {
  awk -v n="$1" 'toupper($1) == "FROM" { on = (toupper($3) == "AS" && $4 == n) } on' <<<"$df"
}
nstages=$(grep -ciE '^[[:space:]]*FROM[[:space:]]' <<<"$df" || true)
check "the Dockerfile has three stages: build, postgres, the image (found $nstages)" test "$nstages" = 3
build_stage=$(stage 1)
pg_stage=$(named_stage postgres)
image_stage=$(stage "$nstages")
check "the Dockerfile's first stage is named build" grep -qiE '^FROM [^ ]+ AS build$' <<<"$build_stage"
check "the Dockerfile has a stage named postgres, not the last" \
  test -n "$pg_stage" -a "$pg_stage" != "$image_stage"
check "every stage starts from debian:bookworm" \
  test "$(grep -ciE '^[[:space:]]*FROM debian:bookworm( |$)' <<<"$df" || true)" = "$nstages"

# The uses a stage passes to tests/deps.sh, one a line.
deps_uses() {
  grep -E '^[[:space:]]*RUN' <<<"$1" | grep -oE 'tests/deps\.sh( +[a-z]+)*' |
    sed 's|tests/deps.sh||' | tr ' ' '\n' | sed '/^$/d' | sort -u
}
# True when the stage copies packages.txt and deps.sh before running deps.sh.
copies_list_first() {
  awk '/^[[:space:]]*COPY/ && /tests\/packages\.txt/ && /tests\/deps\.sh/ { c = 1 }
       /^[[:space:]]*RUN/ && /tests\/deps\.sh/ { exit !c }
       END { if (!c) exit 1 }' <<<"$1"
}
# True when no RUN line apt-get installs anything but the credshim .deb.
no_named_install() {
  ! grep -E '^[[:space:]]*RUN' <<<"$1" | grep -E 'apt-get install' | grep -vqE 'credshim_\*\.deb'
}
no_inline_list() { ! grep -qE '^[[:space:]]*CS_DEPS=\([^)]' "$1"; }
installs_deb() {
  grep -qE '^[[:space:]]*COPY --from=build .*credshim_\*\.deb' <<<"$1" &&
    grep -qE 'apt-get install .*credshim_\*\.deb' <<<"$1"
}
for spec in "build:build" "postgres:pgserver" "image:runtime demo"; do
  name="${spec%%:*}"
  want="${spec#*:}"
  case "$name" in
    build) text="$build_stage" ;;
    postgres) text="$pg_stage" ;;
    *) text="$image_stage" ;;
  esac
  uses=$(deps_uses "$text")
  for u in $want; do
    check "the $name stage installs the \"$u\" packages through tests/deps.sh" grep -qx "$u" <<<"$uses"
  done
  check "the $name stage copies tests/packages.txt and tests/deps.sh before running deps.sh" \
    copies_list_first "$text"
  check "the $name stage installs no package by name (only through deps.sh)" no_named_install "$text"
  check "the $name stage upgrades the base image before tests/deps.sh (which upgrades nothing)" \
    grep -qE '^[[:space:]]*RUN .*apt-get upgrade .*tests/deps\.sh' <<<"$text"
done
# deps.sh knows those uses and finds packages for them.
for u in build pgserver runtime demo; do
  n=$("$src/tests/deps.sh" --list "$u" | wc -l)
  check "tests/packages.txt lists packages for \"$u\" ($n)" test "$n" -gt 0
done
check "tests/deps.sh has no package list of its own (it reads tests/packages.txt)" \
  no_inline_list "$src/tests/deps.sh"
check "the build stage builds the package with odbcinst/build-deb.sh" \
  grep -qE '^[[:space:]]*RUN .*odbcinst/build-deb\.sh' <<<"$build_stage"
check "the image installs the package built in the build stage" installs_deb "$image_stage"

# ---- what compose runs is in the image ----
# Repository paths the image stage copies in, relative to its WORKDIR.
workdir=$(awk 'toupper($1) == "WORKDIR" { w = $2 } END { print w }' <<<"$image_stage")
check "the image's WORKDIR is /opt/credshim (found ${workdir:-none})" test "$workdir" = /opt/credshim
mapfile -t copied < <(awk 'toupper($1) == "COPY" && $2 !~ /^--from/ { for (i = 2; i < NF; i++) print $i }' \
                        <<<"$image_stage")
mapfile -t runs < <(sed 's/#.*$//' "$compose" | grep -oE '/opt/credshim/[A-Za-z0-9_./-]+' | sort -u)
[[ ${#runs[@]} -gt 0 ]] || bad "compose.yaml names nothing under /opt/credshim"
in_image() {
  local rel="${1#/opt/credshim/}" c
  for c in "${copied[@]}"; do
    c="${c%/}"
    [[ "$rel" == "$c" || "$rel" == "$c"/* ]] && return 0
  done
  return 1
}
for r in "${runs[@]}"; do
  check "compose.yaml's $r is copied into the image" in_image "$r"
done

# ---- compose services ----
services=$(awk '/^services:/ { s = 1; next } /^[^[:space:]]/ { s = 0 }
                s && /^  [A-Za-z0-9_-]+:/ { sub(":", "", $1); print $1 }' "$compose")
for s in postgres mockpam client; do
  check "compose.yaml has the service $s" grep -qx "$s" <<<"$services"
done
# The lines of one service.
service() { awk -v s="  $1:" '$0 == s { on = 1; next } on && /^  [^ ]/ { on = 0 } on' "$compose"; }
check "mockpam runs tests/demo.sh --mockpam" grep -q '"/opt/credshim/tests/demo.sh", "--mockpam"' <<<"$(service mockpam)"
check "client runs tests/demo.sh --client" grep -q '"/opt/credshim/tests/demo.sh", "--client"' <<<"$(service client)"
check "client shares mockpam's network namespace" grep -qE 'network_mode: *"?service:mockpam"?' <<<"$(service client)"
# ---- images: built here, from the Dockerfile; no outside network ----
# The value of key $2 in service $1 (or in the block it merges, <<: *x).
service_key() {
  local text
  text=$(service "$1")
  if grep -qE '^    <<: \*' <<<"$text"; then
    text+=$'\n'$(awk -v a="$(sed -n 's/^    <<: \*//p' <<<"$text")" \
      '$0 ~ "^x-[A-Za-z0-9_-]+: &" a "$" { on = 1; next } on && /^[^ ]/ { on = 0 } on' "$compose")
  fi
  grep -E "^ +$2:" <<<"$text" | head -n 1 | sed -E "s/^ +$2: *//; s/\"//g"
}
for s in $services; do
  img=$(service_key "$s" image)
  check "service $s names the image it builds (${img:-none})" test -n "$img" -a -n "$(service_key "$s" dockerfile)"
  check "service $s builds docker/Dockerfile" test "$(service_key "$s" dockerfile)" = docker/Dockerfile
done
check "service postgres builds the Dockerfile's stage postgres" test "$(service_key postgres target)" = postgres
check "the other services build the image (the last stage, no target)" \
  test -z "$(service_key mockpam target)$(service_key client target)"
# True when the top-level networks: block makes the default network internal.
default_net_internal() {
  awk '/^[^ #]/ { top = $1 } top == "networks:" && /^  [^ ]/ { net = $1 }
       top == "networks:" && net == "default:" && /^    internal: *true *$/ { found = 1 }
       END { exit !found }' "$compose"
}
check "compose.yaml's default network is internal (no way out of the demo)" default_net_internal

for opt in --mockpam --client; do
  check "tests/demo.sh has the option $opt" grep -qE "^[[:space:]]*$opt\)" "$src/tests/demo.sh"
done

cs_tally_end
