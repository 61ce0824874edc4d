# shellcheck shell=bash
# Sourced by bench/run: the emulator, the mount, timing, call counts and peak RSS.
# Every process started here is remembered by pid, and teardown (the trap in bench/run) stops
# exactly those, so an interrupted run leaves no mount and no process behind.

EMU_PID=""
FUSE_PID=""
EMU_URL=""
TOKEN="bench-token"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# True when something is mounted at $1; reads mountinfo instead of touching the mount, which
# could hang if dbfs-fuse is stuck.
is_mounted() { awk -v t="$1" '$5 == t { found = 1 } END { exit !found }' /proc/self/mountinfo; }

# Waits up to $2 seconds for process $1 to end.
wait_gone() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
}

# Stops process $1: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" 5 || { kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 5 || true; }
}

# --- dbfs-emulator ---------------------------------------------------------------------------

# start_emulator ROOT EXTRA_ARGS...: serves ROOT on a free port and sets EMU_URL.
start_emulator() {
  local root=$1; shift
  local out="$SCRATCH/emulator.out"
  # A session of its own: a Ctrl-C in the terminal stops the step in the foreground, and the
  # emulator stays up until teardown has unmounted (a dead server would leave dbfs-fuse and the
  # ceiling program retrying for minutes).
  DBFS_EMULATOR_TOKEN=$TOKEN setsid "$BUILD/src/emulator/dbfs-emulator" --root "$root" --port 0 \
    --log-level warn "$@" >"$out" 2>"$SCRATCH/emulator.err" &
  EMU_PID=$!
  local deadline=$((SECONDS + 10))
  until grep -q 'listening on ' "$out" 2>/dev/null; do
    if ! kill -0 "$EMU_PID" 2>/dev/null || ((SECONDS >= deadline)); then
      cat "$SCRATCH/emulator.err" >&2
      die "dbfs-emulator did not start"
    fi
    sleep 0.05
  done
  EMU_URL=$(sed -n 's/^dbfs-emulator listening on //p' "$out" | head -n1)
}

stop_emulator() { stop_pid "$EMU_PID"; EMU_PID=""; }

control() {
  curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" "$@"
}
reset_stats() { control -X POST -d '' "$EMU_URL/emulator/v1/reset" >/dev/null; }

# The calls since the last reset, e.g. "get-status 1, read 1024"; statuses other than 200 follow
# in brackets, so a 404 lookup or a retried 429 shows.
calls() {
  control "$EMU_URL/emulator/v1/stats" | jq -r '
    ([.requests | to_entries[] | select(.value > 0) | "\(.key) \(.value)"] | join(", "))
    + ([.statuses | to_entries[] | select(.key != "200" and .value > 0) | "\(.key): \(.value)"]
       | if length > 0 then " [" + join(", ") + "]" else "" end)
    | if . == "" then "none" else . end'
}

# The API client environment of the ceiling program and of dbfs-fuse: this emulator only, and
# none of the runner's own Databricks settings.
# An array, not a function, so that `env "${API_ENV[@]}" prog &` leaves prog's pid in $!.
api_env_args() {
  API_ENV=(-u DATABRICKS_CONFIG_PROFILE -u DATABRICKS_CONFIG_FILE -u DATABRICKS_CLIENT_ID
    -u DATABRICKS_CLIENT_SECRET -u DATABRICKS_AUTH_TYPE HOME="$SCRATCH/home"
    DATABRICKS_HOST="$EMU_URL" DATABRICKS_TOKEN="$TOKEN")
}

# ceiling MODE ARGS...: runs the raw-API program and prints its figure. The machine's CPU seconds
# during it go to $SCRATCH/ceiling-cpu (callers run it in a subshell), for the row that follows.
ceiling() {
  local before rc=0
  before=$(machine_cpu_seconds)
  api_env_args
  env "${API_ENV[@]}" "$BUILD/bench/dbfs-api-ceiling" "$@" || rc=$?
  awk -v a="$before" -v b="$(machine_cpu_seconds)" 'BEGIN { printf "%.2f", b - a }' \
    >"$SCRATCH/ceiling-cpu"
  return $rc
}

# --- dbfs-fuse -------------------------------------------------------------------------------

mount_fuse() {
  mkdir -p "$MNT" "$SCRATCH/cache"
  api_env_args
  # $FUSE_OPTS is split into words on purpose: it holds several arguments.
  # shellcheck disable=SC2086
  env "${API_ENV[@]}" "$BUILD/src/fuse/dbfs-fuse" -f dbfs:/ "$MNT" -o "cache_dir=$SCRATCH/cache" \
    -o log_level=warn $FUSE_OPTS 2>>"$SCRATCH/fuse.err" &
  FUSE_PID=$!
  local deadline=$((SECONDS + 15))
  until is_mounted "$MNT"; do
    if ! kill -0 "$FUSE_PID" 2>/dev/null || ((SECONDS >= deadline)); then
      tail -n 20 "$SCRATCH/fuse.err" >&2
      die "dbfs-fuse did not mount $MNT"
    fi
    sleep 0.05
  done
  set_read_ahead
}

# With BENCH_READ_AHEAD_KB set, the mount's kernel readahead (its bdi's read_ahead_kb, 128 by
# default, which also caps FUSE read requests at 128 KiB) is set to that: a what-if for the lead.
set_read_ahead() {
  [[ -n ${BENCH_READ_AHEAD_KB:-} ]] || return 0
  local dev
  dev=$(awk -v t="$MNT" '$5 == t { print $3 }' /proc/self/mountinfo)
  echo "$BENCH_READ_AHEAD_KB" >"/sys/class/bdi/$dev/read_ahead_kb" || log "cannot set read_ahead_kb of $dev"
}

# Unmounts and reaps dbfs-fuse whatever state it is in, each step bounded in time.
unmount_fuse() {
  local was_mounted=""
  if is_mounted "$MNT"; then
    was_mounted=1
    timeout 30 fusermount3 -u "$MNT" 2>/dev/null || true
  fi
  # A dbfs-fuse that never mounted has nothing to finish: stop it at once.
  if [[ -n $FUSE_PID && -n $was_mounted ]]; then wait_gone "$FUSE_PID" 30 || stop_pid "$FUSE_PID"; fi
  if [[ -n $FUSE_PID ]]; then stop_pid "$FUSE_PID"; fi
  if is_mounted "$MNT"; then
    timeout 10 fusermount3 -uz "$MNT" 2>/dev/null || timeout 10 umount -l "$MNT" 2>/dev/null || true
  fi
  FUSE_PID=""
}

# Peak RSS: `5` in clear_refs sets VmHWM back to the current RSS, so each phase reports its own
# peak without a remount in between.
# A dbfs-fuse that died gives no figure rather than stopping the run.
reset_peak_rss() { echo 5 >"/proc/$FUSE_PID/clear_refs" 2>/dev/null || true; }
peak_rss_mib() {
  awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$FUSE_PID/status" 2>/dev/null || true
}

# --- measuring -------------------------------------------------------------------------------

# timed CMD...: runs CMD with its output in the log and sets ELAPSED (seconds); returns CMD's
# status.
timed() {
  local start=$EPOCHREALTIME rc=0
  "$@" >>"$SCRATCH/commands.log" 2>&1 || rc=$?
  ELAPSED=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
  return $rc
}

# CPU seconds (user + system) dbfs-fuse has used so far: on a 2-core machine shared with the
# emulator, CPU per MiB is what decides the throughput once enough requests are in flight.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
    "/proc/$FUSE_PID/stat" 2>/dev/null || echo 0
}

# CPU seconds the whole machine has been busy (user, nice, system, irq, softirq of every CPU;
# not idle, iowait or steal): the emulator, the ceiling program or dbfs-fuse, and the command.
machine_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' \
    /proc/stat
}

PHASE=0
# With BENCH_PERF set, each dbfs-fuse phase is recorded (call graphs) into
# bench/out/perf-<latency>ms-<phase>.data, for `perf report -i`.
start_perf() {
  PERF_PID=""
  [[ -n ${BENCH_PERF:-} ]] || return 0
  perf record -q -F 499 -g -p "$FUSE_PID" -o "$REPO/bench/out/perf-${LATENCY}ms-$PHASE.data" \
    >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 0.5  # perf attaches asynchronously
}
stop_perf() {
  [[ -n $PERF_PID ]] || return 0
  kill -INT "$PERF_PID" 2>/dev/null || true
  wait_gone "$PERF_PID" 30 || stop_pid "$PERF_PID"
}

# fuse_phase CMD...: one dbfs-fuse measurement on the current mount, call counts and peak RSS
# from zero. Sets ELAPSED, CALLS, RSS, CPU, MACHINE_CPU; on failure ELAPSED is empty.
fuse_phase() {
  local cpu_before machine_before
  PHASE=$((PHASE + 1))
  reset_stats
  reset_peak_rss
  start_perf
  cpu_before=$(cpu_seconds)
  machine_before=$(machine_cpu_seconds)
  if ! timed "$@"; then
    log "failed: $*"
    ELAPSED=""
  fi
  CPU=$(awk -v a="$cpu_before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.2f", b - a }')
  MACHINE_CPU=$(awk -v a="$machine_before" -v b="$(machine_cpu_seconds)" \
                'BEGIN { printf "%.2f", b - a }')
  stop_perf
  CALLS=$(calls) || CALLS="?"
  RSS=$(peak_rss_mib)
}

# rate AMOUNT SECONDS: AMOUNT per second, or empty when the phase failed.
rate() {
  [[ -z $2 ]] || awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'
}
