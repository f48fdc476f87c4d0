#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck source-path=SCRIPTDIR
# docker/Dockerfile and docker/compose.yaml, built and run for real with
# Podman: compose.yaml's demo (PostgreSQL, the mock PAM, the isql client)
# runs to its end, and the client's exit status is this script's.  A CI
# pass (.ci/run); needs root (or sudo), Debian 12, and some minutes.
#
#   1. installs what is missing of tests/packages.txt's "container" use
#      (tests/deps.sh container)
#   2. when Podman has no debian:bookworm, makes it: a debootstrap
#      --variant=minbase root file system from the Debian source this
#      machine's apt uses, imported with podman import.  It is kept for the
#      next run; no image registry is ever asked for anything
#   3. builds every image compose.yaml names from docker/Dockerfile
#   4. runs compose.yaml as `docker compose up --exit-code-from client`
#      does: its network (internal: the containers reach each other and
#      nothing else) and volume, each service once the depends_on
#      conditions of compose.yaml hold (this script runs the healthchecks),
#      the client in the foreground
#   5. removes the containers, network, volume and images it made (not the
#      base image), also when interrupted or failing
#
# compose.yaml is read, not copied (python3-yaml): a key this script does
# not know how to run fails the run rather than being skipped.  What this
# machine needs of Podman beyond what Docker users do is set in one place,
# "Podman here" below.  Logs: build-container/ (CS_CT_LOG_DIR).
#
#   tests/container_test.sh
#
# Environment: CS_SKIP_DEPS=1 (no apt-get), CS_CT_TIMEOUT (seconds the
# client may run, default 300), CS_CT_LOG_DIR.
set -euo pipefail

CS_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
. "$CS_SOURCE_DIR/tests/lib/common.sh"

# ---- Podman here ---------------------------------------------------------
# Everything that differs from `docker compose up --build`, named once:
#  - runc with the cgroupfs manager: crun refuses this sandbox's hybrid
#    cgroup set-up;
#  - containers.conf with default_ulimits = [] (through CONTAINERS_CONF):
#    Podman's default open-files limit is above what the sandbox allows;
#  - builds on the host's network (--network=host), the way they reach the
#    package source; --pull=never everywhere, so no registry is asked;
#    --layers=false, so a build leaves no intermediate images behind;
#  - the base image debian:bookworm is made here (step 2), not pulled.
# All are harmless on an ordinary Debian machine.
CS_CT_PODMAN_FLAGS=(--runtime runc --cgroup-manager cgroupfs)
CS_CT_CONTAINERS_CONF='[containers]
default_ulimits = []'
CS_CT_BUILD_FLAGS=(--network=host --pull=never --layers=false)
CS_CT_RUN_FLAGS=(--pull=never)
CS_CT_BASE_IMAGE=debian:bookworm
CS_CT_SUITE=bookworm
# The suites of the host's apt sources the base image's apt gets.
CS_CT_APT_SUITES=(bookworm bookworm-updates bookworm-security)

CS_CT_COMPOSE="$CS_SOURCE_DIR/docker/compose.yaml"
CS_CT_MAIN_SERVICE=client
CS_CT_LABEL=credshim-container-test
CS_CT_TIMEOUT="${CS_CT_TIMEOUT:-300}"
CS_CT_LOG_DIR="${CS_CT_LOG_DIR:-$CS_SOURCE_DIR/build-container}"

CS_CT_TMP=""
CS_CT_CONF=""
CS_CT_ROOTFS=""
CS_CT_CHILD=""
CS_CT_PLANNED=0
CS_CT_IMAGES_BEFORE=""
CS_CT_CONTAINERS_BEFORE=""
CS_CT_BASE_ID=""

usage() {
  sed -n '4,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

cs_podman() {
  CONTAINERS_CONF="$CS_CT_CONF" podman "${CS_CT_PODMAN_FLAGS[@]}" "$@"
}

# Runs a command in the background and waits for it, so that a signal
# reaches this script's traps at once; the cleanup ends the command.
cs_ct_bg() {
  local rc=0
  "$@" &
  CS_CT_CHILD=$!
  wait "$CS_CT_CHILD" || rc=$?
  CS_CT_CHILD=""
  return "$rc"
}

cs_ct_stop_child() {
  local i
  [[ -n "$CS_CT_CHILD" ]] || return 0
  kill -TERM "$CS_CT_CHILD" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$CS_CT_CHILD" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$CS_CT_CHILD" 2>/dev/null || true
  wait "$CS_CT_CHILD" 2>/dev/null || true
  CS_CT_CHILD=""
}

# Shows the last lines of a log on failure.
cs_ct_tail() {
  [[ -f "$1" ]] || return 0
  printf '   --- last lines of %s ---\n' "$1"
  tail -n "${2:-40}" "$1" | sed 's/^/   /'
}

# ---- the base image --------------------------------------------------------

# Prints "URI SUITE" for each of the host's apt sources of a suite named on
# the command line (one-line .list files and deb822 .sources files).
cs_ct_apt_sources() {
  python3 - "$@" <<'EOF'
import glob, re, sys
want = sys.argv[1:]
found = []

def add(types, uris, suites):
    if "deb" not in types:
        return
    for u in uris:
        for s in suites:
            if s in want and (u, s) not in found:
                found.append((u, s))

for f in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(f, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        w = line.split("#", 1)[0].split()
        if len(w) < 3 or w[0] != "deb":
            continue
        w = w[1:]
        if w[0].startswith("["):
            while w and not w[0].endswith("]"):
                w = w[1:]
            w = w[1:]
        if len(w) >= 2:
            add(["deb"], [w[0]], [w[1]])

for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    try:
        text = open(f, encoding="utf-8").read()
    except OSError:
        continue
    for stanza in re.split(r"\n[ \t]*\n", text):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        add(fields.get("types", "").split(), fields.get("uris", "").split(),
            fields.get("suites", "").split())

for u, s in found:
    print(u, s)
EOF
}

# Unmounts what debootstrap may have left mounted in the root file system,
# then removes it.
cs_ct_remove_rootfs() {
  local m
  [[ -n "$CS_CT_ROOTFS" && -d "$CS_CT_ROOTFS" ]] || return 0
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F "$CS_CT_ROOTFS/" | sort -r)
  rm -rf --one-file-system -- "$CS_CT_ROOTFS"
  CS_CT_ROOTFS=""
}

# Makes debian:bookworm unless Podman has it.
cs_ct_base_image() {
  local start=$SECONDS mirror log="$CS_CT_LOG_DIR/debootstrap.log" sources
  if cs_podman image exists "$CS_CT_BASE_IMAGE"; then
    CS_CT_BASE_ID=$(cs_podman image inspect -f '{{.Id}}' "$CS_CT_BASE_IMAGE")
    cs_log "base image $CS_CT_BASE_IMAGE: there already (${CS_CT_BASE_ID:0:12}), kept"
    return 0
  fi
  command -v debootstrap >/dev/null || cs_die "no debootstrap (tests/deps.sh container)"
  sources=$(cs_ct_apt_sources "${CS_CT_APT_SUITES[@]}")
  mirror=$(awk -v s="$CS_CT_SUITE" '$2 == s { print $1; exit }' <<<"$sources")
  [[ "$mirror" == http://* || "$mirror" == https://* ]] ||
    cs_die "no http(s) source for Debian $CS_CT_SUITE in this machine's apt sources" \
           "(/etc/apt/sources.list, /etc/apt/sources.list.d/): cannot make $CS_CT_BASE_IMAGE"
  cs_log "base image $CS_CT_BASE_IMAGE: debootstrap --variant=minbase $CS_CT_SUITE from $mirror (log: $log)"
  CS_CT_ROOTFS=$(mktemp -d "${TMPDIR:-/var/tmp}/credshim-rootfs.XXXXXX")
  if ! cs_ct_bg timeout 1800 debootstrap --variant=minbase "$CS_CT_SUITE" "$CS_CT_ROOTFS" "$mirror" \
       >"$log" 2>&1; then
    cs_ct_tail "$log"
    cs_die "debootstrap failed"
  fi
  # apt in the image uses the same sources as this machine; no package
  # cache, no package lists, no host name or resolver of this machine.
  awk '{ print "deb " $1 " " $2 " main" }' <<<"$sources" >"$CS_CT_ROOTFS/etc/apt/sources.list"
  rm -f "$CS_CT_ROOTFS"/var/cache/apt/archives/*.deb
  find "$CS_CT_ROOTFS/var/lib/apt/lists" -maxdepth 1 -type f -delete
  : >"$CS_CT_ROOTFS/etc/hostname"
  : >"$CS_CT_ROOTFS/etc/resolv.conf"
  tar --numeric-owner -C "$CS_CT_ROOTFS" -c . |
    cs_podman import --change 'CMD ["bash"]' --message "debootstrap --variant=minbase $CS_CT_SUITE" \
      - "$CS_CT_BASE_IMAGE" >>"$log" 2>&1 || { cs_ct_tail "$log"; cs_die "podman import failed"; }
  cs_ct_remove_rootfs
  CS_CT_BASE_ID=$(cs_podman image inspect -f '{{.Id}}' "$CS_CT_BASE_IMAGE")
  printf '   made %s (%s) in %ss; apt sources:\n' "$CS_CT_BASE_IMAGE" "${CS_CT_BASE_ID:0:12}" \
    "$((SECONDS - start))"
  awk '{ print "     deb " $1 " " $2 " main" }' <<<"$sources"
}

# ---- compose.yaml ----------------------------------------------------------

# Reads compose.yaml and prints, as bash declarations, what running it
# takes: CS_CT_PROJECT, CS_CT_NETWORK, CS_CT_NETWORK_ARGS, CS_CT_VOLUMES,
# the builds (CS_CT_NBUILDS, CS_CT_BUILD_<i>: podman build arguments,
# CS_CT_IMAGES: their tags), the services in start order (CS_CT_NSVC,
# CS_CT_SVC_<i>, CS_CT_CNAME_<i>, CS_CT_RUN_<i>: podman run arguments,
# CS_CT_DEPS_<i>: "index:condition", CS_CT_HEALTH_<i>: the healthcheck
# command and CS_CT_HEALTH_<i>_{INTERVAL,TIMEOUT,RETRIES}).  Fails on
# anything it does not know.
cs_ct_read_compose() {
  python3 - "$CS_CT_COMPOSE" "$CS_CT_MAIN_SERVICE" "$CS_CT_LABEL" <<'EOF'
import os, re, shlex, sys
import yaml

path, main, label = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(path))

def die(msg):
    sys.stderr.write("%s: %s (tests/container_test.sh runs only what it knows)\n" % (path, msg))
    sys.exit(1)

def text(v, where):
    # Compose interpolation: "$$" is a "$"; variables are not supported.
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        die("%s: expected a string, got %r" % (where, v))
    v = str(v)
    if "$" in v.replace("$$", ""):
        die("%s: variable substitution in %r" % (where, v))
    return v.replace("$$", "$")

def seconds(v, where):
    m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", text(v, where))
    if not m or not (m.group(1) or m.group(2)):
        die("%s: duration %r" % (where, v))
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)

def known(d, keys, where):
    for k in d:
        if k not in keys and not str(k).startswith("x-"):
            die("%s: unknown key %r" % (where, k))

doc = yaml.safe_load(open(path, encoding="utf-8"))
known(doc, {"name", "services", "networks", "volumes"}, "top level")
project = text(doc.get("name") or die("no top-level name"), "name")
services = doc.get("services") or die("no services")

nets = doc.get("networks") or {}
known(nets, {"default"}, "networks")
net_args = []
default_net = nets.get("default") or {}
known(default_net, {"internal"}, "networks.default")
if default_net.get("internal") is True:
    net_args.append("--internal")
network = project + "_default"

volumes = doc.get("volumes") or {}
for v, desc in volumes.items():
    if desc:
        die("volumes.%s: options are not supported" % v)

out = []
def decl(name, value):
    if isinstance(value, list):
        out.append("declare -ga %s=(%s)" % (name, " ".join(shlex.quote(str(x)) for x in value)))
    else:
        out.append("declare -g %s=%s" % (name, shlex.quote(str(value))))

decl("CS_CT_PROJECT", project)
decl("CS_CT_NETWORK", network)
decl("CS_CT_NETWORK_ARGS", net_args + ["--label", label])
decl("CS_CT_VOLUMES", [project + "_" + v for v in volumes])

# Start order: depends_on first, otherwise file order; the main service last.
if main not in services:
    die("no service %s" % main)
def deps_of(s):
    d = services[s].get("depends_on") or {}
    if isinstance(d, list):
        d = {x: {"condition": "service_started"} for x in d}
    return d
order, seen = [], set()
def visit(s, stack):
    if s in seen:
        return
    if s in stack:
        die("depends_on cycle through %s" % s)
    if s not in services:
        die("depends_on names no service %s" % s)
    for d in deps_of(s):
        visit(d, stack + [s])
    seen.add(s)
    order.append(s)
for s in services:
    if s != main:
        visit(s, [])
visit(main, [])
if order[-1] != main:
    die("service %s must start last" % main)
for s in services:
    if main in deps_of(s):
        die("%s depends on %s, which runs in the foreground" % (s, main))

def cname(s):
    return "%s-%s-1" % (project, s)

builds = {}
index = {s: i for i, s in enumerate(order)}
for i, s in enumerate(order):
    svc = services[s] or {}
    where = "services." + s
    known(svc, {"build", "image", "command", "environment", "volumes", "depends_on",
                "healthcheck", "network_mode"}, where)
    image = text(svc.get("image") or "%s-%s" % (project, s), where + ".image")
    if "build" in svc:
        b = svc["build"]
        if isinstance(b, str):
            b = {"context": b}
        known(b, {"context", "dockerfile", "target"}, where + ".build")
        ctx = os.path.normpath(os.path.join(here, text(b.get("context", "."), where + ".build.context")))
        args = ["-f", os.path.join(ctx, text(b.get("dockerfile", "Dockerfile"), where + ".build.dockerfile"))]
        if "target" in b:
            args += ["--target", text(b["target"], where + ".build.target")]
        args += ["-t", image, ctx]
        if builds.setdefault(image, args) != args:
            die("%s: image %s is built two different ways" % (where, image))
    run = ["--name", cname(s), "--label", label]
    nm = svc.get("network_mode")
    if nm is None:
        run += ["--network", network, "--network-alias", s]
    else:
        nm = text(nm, where + ".network_mode")
        if not nm.startswith("service:") or nm[8:] not in services:
            die("%s.network_mode %r: only service:<a service>" % (where, nm))
        if index.get(nm[8:], len(order)) > i:
            die("%s.network_mode: %s starts later" % (where, nm[8:]))
        run += ["--network", "container:" + cname(nm[8:])]
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
    for k, v in env.items():
        run += ["-e", k if v is None else "%s=%s" % (k, text(v, "%s.environment.%s" % (where, k)))]
    for v in svc.get("volumes") or []:
        v = text(v, where + ".volumes")
        name, _, rest = v.partition(":")
        if name not in volumes or not rest.startswith("/"):
            die("%s.volumes: %r: only <a named volume>:<path>" % (where, v))
        run += ["-v", "%s_%s:%s" % (project, name, rest)]
    run.append(image)
    cmd = svc.get("command")
    if isinstance(cmd, str):
        cmd = shlex.split(text(cmd, where + ".command"))
    run += [text(c, where + ".command") for c in (cmd or [])]
    decl("CS_CT_SVC_%d" % i, s)
    decl("CS_CT_CNAME_%d" % i, cname(s))
    decl("CS_CT_RUN_%d" % i, run)

    deps = []
    for d, desc in deps_of(s).items():
        desc = desc or {}
        known(desc, {"condition"}, "%s.depends_on.%s" % (where, d))
        cond = desc.get("condition", "service_started")
        if cond not in ("service_started", "service_healthy", "service_completed_successfully"):
            die("%s.depends_on.%s: condition %r" % (where, d, cond))
        if cond == "service_healthy" and not (services[d] or {}).get("healthcheck"):
            die("%s.depends_on.%s: service_healthy, but %s has no healthcheck" % (where, d, d))
        deps.append("%d:%s" % (index[d], cond))
    decl("CS_CT_DEPS_%d" % i, deps)

    hc = svc.get("healthcheck") or {}
    known(hc, {"test", "interval", "timeout", "retries"}, where + ".healthcheck")
    test = hc.get("test")
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    cmd = []
    if test and test[0] == "CMD":
        cmd = [text(t, where + ".healthcheck.test") for t in test[1:]]
    elif test and test[0] == "CMD-SHELL" and len(test) == 2:
        cmd = ["/bin/sh", "-c", text(test[1], where + ".healthcheck.test")]
    elif test and test[0] != "NONE":
        die("%s.healthcheck.test: %r" % (where, test))
    decl("CS_CT_HEALTH_%d" % i, cmd)
    decl("CS_CT_HEALTH_%d_INTERVAL" % i, seconds(hc.get("interval", "30s"), where + ".healthcheck.interval"))
    decl("CS_CT_HEALTH_%d_TIMEOUT" % i, seconds(hc.get("timeout", "30s"), where + ".healthcheck.timeout"))
    decl("CS_CT_HEALTH_%d_RETRIES" % i, int(hc.get("retries", 3)))

decl("CS_CT_NSVC", len(order))
decl("CS_CT_NBUILDS", len(builds))
decl("CS_CT_IMAGES", list(builds))
for i, args in enumerate(builds.values()):
    decl("CS_CT_BUILD_%d" % i, args)
print("\n".join(out))
EOF
}

# ---- build and run -----------------------------------------------------------

cs_ct_build() {
  local i log start
  for ((i = 0; i < CS_CT_NBUILDS; i++)); do
    local -n args="CS_CT_BUILD_$i"
    log="$CS_CT_LOG_DIR/build-$i.log"
    start=$SECONDS
    cs_log "podman build ${CS_CT_BUILD_FLAGS[*]} ${args[*]#"$CS_SOURCE_DIR/"} (log: $log)"
    if ! cs_ct_bg timeout 2400 env CONTAINERS_CONF="$CS_CT_CONF" \
         podman "${CS_CT_PODMAN_FLAGS[@]}" build "${CS_CT_BUILD_FLAGS[@]}" "${args[@]}" >"$log" 2>&1; then
      cs_ct_tail "$log" 60
      cs_die "the build of ${CS_CT_IMAGES[$i]} failed"
    fi
    printf '   built %s in %ss\n' "${CS_CT_IMAGES[$i]}" "$((SECONDS - start))"
    unset -n args
  done
}

# True while container $1 runs.
cs_ct_running() {
  [[ "$(cs_podman container inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" == true ]]
}

# Waits for service $1 (an index) to meet condition $2, bounded by its
# healthcheck's retries or by CS_CT_TIMEOUT.
cs_ct_wait_for() {
  local i="$1" cond="$2" n rc=0
  local -n name="CS_CT_CNAME_$i" hc="CS_CT_HEALTH_$i"
  local -n interval="CS_CT_HEALTH_${i}_INTERVAL" limit="CS_CT_HEALTH_${i}_TIMEOUT" \
           retries="CS_CT_HEALTH_${i}_RETRIES"
  case "$cond" in
    service_started) return 0 ;;
    service_completed_successfully)
      cs_ct_bg timeout "$CS_CT_TIMEOUT" env CONTAINERS_CONF="$CS_CT_CONF" \
        podman "${CS_CT_PODMAN_FLAGS[@]}" wait "$name" >/dev/null || rc=$?
      [[ "$rc" == 0 ]] && rc=$(cs_podman container inspect -f '{{.State.ExitCode}}' "$name")
      [[ "$rc" == 0 ]] || { printf '   %s did not complete successfully (%s)\n' "$name" "$rc"; return 1; }
      return 0 ;;
  esac
  for ((n = 1; n <= retries; n++)); do
    if ! cs_ct_running "$name"; then
      printf '   %s is not running\n' "$name"
      return 1
    fi
    if cs_ct_bg timeout "$((limit + 5))" env CONTAINERS_CONF="$CS_CT_CONF" \
         podman "${CS_CT_PODMAN_FLAGS[@]}" exec "$name" "${hc[@]}" >/dev/null 2>&1; then
      printf '   %s healthy (check %s)\n' "$name" "$n"
      return 0
    fi
    sleep "$interval"
  done
  printf '   %s not healthy after %s checks\n' "$name" "$retries"
  return 1
}

# Starts the services in order; the last one, the client, in the
# foreground.  Returns the client's exit status.
cs_ct_up() {
  local i d v rc=0
  cs_log "network $CS_CT_NETWORK (${CS_CT_NETWORK_ARGS[*]}), volumes ${CS_CT_VOLUMES[*]}"
  cs_podman network create "${CS_CT_NETWORK_ARGS[@]}" "$CS_CT_NETWORK" >/dev/null
  for v in "${CS_CT_VOLUMES[@]}"; do
    cs_podman volume create --label "$CS_CT_LABEL" "$v" >/dev/null
  done
  for ((i = 0; i < CS_CT_NSVC; i++)); do
    local -n svc="CS_CT_SVC_$i" deps="CS_CT_DEPS_$i" run="CS_CT_RUN_$i"
    for d in "${deps[@]}"; do
      cs_ct_wait_for "${d%%:*}" "${d#*:}" || { unset -n svc deps run; return 1; }
    done
    if ((i < CS_CT_NSVC - 1)); then
      cs_log "service $svc: podman run -d ${run[*]}"
      if ! cs_podman run -d "${CS_CT_RUN_FLAGS[@]}" "${run[@]}" >/dev/null 2>"$CS_CT_TMP/run.err"; then
        sed 's/^/   /' "$CS_CT_TMP/run.err"
        unset -n svc deps run
        return 1
      fi
    else
      cs_log "service $svc: podman run ${run[*]} (the demo's client, in the foreground)"
      cs_ct_bg timeout "$CS_CT_TIMEOUT" env CONTAINERS_CONF="$CS_CT_CONF" \
        podman "${CS_CT_PODMAN_FLAGS[@]}" run "${CS_CT_RUN_FLAGS[@]}" "${run[@]}" || rc=$?
      printf '   %s exited with status %s\n' "$svc" "$rc"
    fi
    unset -n svc deps run
  done
  return "$rc"
}

# Saves each service's output in the log directory.
cs_ct_save_logs() {
  local i
  for ((i = 0; i < ${CS_CT_NSVC:-0}; i++)); do
    local -n name="CS_CT_CNAME_$i"
    rm -f "$CS_CT_LOG_DIR/$name.log"
    if cs_podman container exists "$name"; then
      cs_podman logs "$name" >"$CS_CT_LOG_DIR/$name.log" 2>&1 || true
    fi
    unset -n name
  done
}

# ---- cleanup -------------------------------------------------------------------

# Prints the lines of $2 that are not in $1 (both one ID a line).
cs_ct_new_ids() {
  comm -13 <(sort -u <<<"$1") <(sort -u <<<"$2") | sed '/^$/d'
}

# Removes the containers, network, volumes and images of this run: those
# compose.yaml names, and any image or (build) container that appeared
# since the start, but the base image.
cs_ct_remove() {
  local i id ok=0
  local -a names=()
  for ((i = 0; i < ${CS_CT_NSVC:-0}; i++)); do
    local -n name="CS_CT_CNAME_$i"
    names+=("$name")
    unset -n name
  done
  if ((${#names[@]})); then
    cs_podman rm -f -t 5 --ignore "${names[@]}" >/dev/null 2>&1 || ok=1
  fi
  if [[ -n "$CS_CT_CONTAINERS_BEFORE$CS_CT_IMAGES_BEFORE" ]]; then
    while read -r id; do
      cs_podman rm -f "$id" >/dev/null 2>&1 || true
    done < <(cs_ct_new_ids "$CS_CT_CONTAINERS_BEFORE" "$(cs_podman ps -a --external -q --no-trunc)")
  fi
  if [[ -n "${CS_CT_NETWORK:-}" ]]; then
    cs_podman network rm -f "$CS_CT_NETWORK" >/dev/null 2>&1 || true
  fi
  for id in "${CS_CT_VOLUMES[@]}"; do
    cs_podman volume rm -f "$id" >/dev/null 2>&1 || true
  done
  for id in "${CS_CT_IMAGES[@]}"; do
    cs_podman rmi -f "$id" >/dev/null 2>&1 || true
  done
  if [[ -n "$CS_CT_IMAGES_BEFORE" ]]; then
    while read -r id; do
      [[ "$id" == "$CS_CT_BASE_ID" ]] || cs_podman rmi -f "$id" >/dev/null 2>&1 || true
    done < <(cs_ct_new_ids "$CS_CT_IMAGES_BEFORE" "$(cs_podman images -a -q --no-trunc)")
  fi
  return "$ok"
}

cs_ct_cleanup() {
  local rc=$? left
  trap - EXIT INT TERM HUP
  # A signal may come while a command's output goes to a log.
  exec 1>&7 2>&8
  cs_log "cleanup"
  cs_ct_stop_child
  cs_ct_remove_rootfs
  if [[ "$CS_CT_PLANNED" == 1 ]]; then
    cs_ct_save_logs
    cs_ct_remove || true
    left=$(cs_podman ps -a --filter "label=$CS_CT_LABEL" -q)
    left+=$(cs_podman network ls --filter "label=$CS_CT_LABEL" -q)
    left+=$(cs_podman volume ls --filter "label=$CS_CT_LABEL" -q)
    for id in "${CS_CT_IMAGES[@]}"; do
      cs_podman image exists "$id" && left+=" $id"
    done
    if [[ -n "${left// /}" ]]; then
      printf '   left behind: %s\n' "$left"
      [[ "$rc" == 0 ]] && rc=1
    else
      printf '   nothing left of containers, network %s, volumes %s, images %s; kept %s\n' \
        "$CS_CT_NETWORK" "${CS_CT_VOLUMES[*]}" "${CS_CT_IMAGES[*]}" "$CS_CT_BASE_IMAGE"
    fi
    if [[ "$rc" != 0 ]]; then
      for f in "$CS_CT_LOG_DIR"/"$CS_CT_PROJECT"-*.log; do
        [[ -e "$f" ]] && cs_ct_tail "$f" 30
      done
    fi
  fi
  [[ -n "$CS_CT_TMP" ]] && rm -rf -- "$CS_CT_TMP"
  if [[ "$rc" == 0 ]]; then
    echo "container test: OK ($((SECONDS - CS_CT_START))s)"
  else
    echo "container test: FAILED (exit status $rc, $((SECONDS - CS_CT_START))s; logs in $CS_CT_LOG_DIR)"
  fi
  exit "$rc"
}

main() {
  local plan start rc=0 internal
  case "${1:-}" in
    -h | --help) usage; return 0 ;;
    "") ;;
    *) usage >&2; return 2 ;;
  esac
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || cs_die "run me as root: I install packages and run Podman as root"
    exec sudo --preserve-env=CS_SKIP_DEPS,CS_CT_TIMEOUT,CS_CT_LOG_DIR "$0" "$@"
  fi
  CS_CT_START=$SECONDS
  if [[ "${CS_SKIP_DEPS:-0}" != 1 ]]; then
    cs_log "packages: tests/deps.sh container"
    "$CS_SOURCE_DIR/tests/deps.sh" container
  fi
  for p in podman python3 flock; do
    command -v "$p" >/dev/null || cs_die "no $p (tests/deps.sh container)"
  done

  mkdir -p "$CS_CT_LOG_DIR"
  # compose.yaml's names and the base image are Podman-wide: one run at a
  # time on this machine, whatever the source tree.
  exec 9>"${TMPDIR:-/tmp}/credshim-container-test.lock"
  flock -w 3600 9 || cs_die "another run holds ${TMPDIR:-/tmp}/credshim-container-test.lock"

  exec 7>&1 8>&2
  trap cs_ct_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  CS_CT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/credshim-container.XXXXXX")
  CS_CT_CONF="$CS_CT_TMP/containers.conf"
  printf '%s\n' "$CS_CT_CONTAINERS_CONF" >"$CS_CT_CONF"

  start=$SECONDS
  cs_ct_base_image
  printf '   base image: %ss\n' "$((SECONDS - start))"

  plan=$(cs_ct_read_compose) || cs_die "cannot run docker/compose.yaml"
  eval "$plan"
  # What this run makes is what appears from here on.
  CS_CT_IMAGES_BEFORE=$(cs_podman images -a -q --no-trunc)
  CS_CT_CONTAINERS_BEFORE=$(cs_podman ps -a --external -q --no-trunc)
  CS_CT_PLANNED=1
  # A run that was killed may have left its containers, network, volume or
  # images: the names are compose.yaml's, so they go first.
  cs_ct_remove || true
  CS_CT_IMAGES_BEFORE=$(cs_podman images -a -q --no-trunc)

  start=$SECONDS
  cs_ct_build
  printf '   builds: %ss\n' "$((SECONDS - start))"

  start=$SECONDS
  cs_ct_up || rc=$?
  printf '   demo: %ss\n' "$((SECONDS - start))"
  internal=$(cs_podman network inspect -f '{{.Internal}}' "$CS_CT_NETWORK" 2>/dev/null || true)
  cs_log "checks"
  if [[ "$internal" == true ]]; then
    printf '   ok    the containers ran on an internal network (%s)\n' "$CS_CT_NETWORK"
  else
    printf '   FAIL  network %s is not internal (%s)\n' "$CS_CT_NETWORK" "${internal:-missing}"
    [[ "$rc" == 0 ]] && rc=1
  fi
  if [[ "$rc" == 0 ]]; then
    printf '   ok    the client (tests/demo.sh --client) exited 0: checkout, query, check-in, rotation\n'
  else
    printf '   FAIL  the client exited with status %s\n' "$rc"
  fi
  return "$rc"
}

main "$@"
