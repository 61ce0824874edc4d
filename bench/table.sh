# shellcheck shell=bash
# Sourced by bench/run: the Markdown output. Rows are kept as tab-separated lines until the
# latency's run ends, then printed as one table.

machine_header() {
  local mem
  mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  cat <<EOF
# dbfs-fuse benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')

Machine: $(nproc) CPUs ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)),
kernel $(uname -r), $mem memory. Source $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo "?") (-dirty: uncommitted changes were measured).
Sequential file ${BIG_MIB} MiB; read ceiling ${PARALLEL} reads in flight; fio ${FIO_SECONDS} s;
dbfs-fuse options: ${FUSE_OPTS:-defaults}; kernel read_ahead_kb: ${BENCH_READ_AHEAD_KB:-default}.

Ratio: dbfs-fuse / ceiling for rates, ceiling / dbfs-fuse for times, so 1.00 = as fast as the
ceiling. API calls: dbfs-fuse's, from /emulator/v1/stats reset before each phase (statuses other
than 200 in brackets). Peak RSS: dbfs-fuse's VmHWM during the phase (reset through
/proc/PID/clear_refs before it; every workload also remounts). CPU s: user + system CPU seconds
dbfs-fuse used during the phase. Machine CPU s: CPU seconds the whole machine was busy (emulator,
dbfs-fuse, the command; or emulator and ceiling program), dbfs-fuse's phase / the ceiling's run.
EOF
}

begin_table() { ROWS="$SCRATCH/rows-$1.tsv"; : >"$ROWS"; }

# row NAME FUSE CEILING UNIT KIND CEILING_LABEL [CALLS RSS CPU]: a row with CPU figures also
# gets the machine's CPU seconds in the phase and in the ceiling run just before it.
row() {
  local IFS=$'\t' fields=("$@")
  while ((${#fields[@]} < 9)); do fields+=(""); done
  if [[ -n ${9:-} ]]; then
    fields+=("${MACHINE_CPU:-?} / $(cat "$SCRATCH/ceiling-cpu" 2>/dev/null || echo "?")")
  fi
  echo "${fields[*]}" >>"$ROWS"
}

print_table() {
  printf '\n## Emulator latency %s ms\n\n' "$1"
  echo '| workload | dbfs-fuse | ceiling | ratio | API calls (dbfs-fuse) | peak RSS MiB | CPU s | machine CPU s |'
  echo '|---|---:|---|---:|---|---:|---:|---:|'
  awk -F'\t' '
    function cell(v, unit) { return v == "" ? "failed" : v " " unit }
    {
      name = $1; fuse = $2; ceil = $3; unit = $4; kind = $5; label = $6
      if (fuse != "") fuse = sprintf(kind == "time" ? "%.3f" : "%.1f", fuse)
      if (ceil != "") ceil = sprintf(kind == "time" ? "%.3f" : "%.1f", ceil)
      ratio = "—"
      if (fuse != "" && ceil != "" && fuse + 0 > 0 && ceil + 0 > 0)
        ratio = sprintf("%.2f", kind == "rate" ? fuse / ceil : ceil / fuse)
      ceiling = ceil == "" ? "failed (" label ")" : ceil " " unit " (" label ")"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name, cell(fuse, unit), ceiling, \
             ratio, $7, $8, $9, $10
    }' "$ROWS"
}
