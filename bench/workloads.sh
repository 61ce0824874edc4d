# shellcheck shell=bash
# Sourced by bench/run: the seven workloads of issue 7. Each remounts dbfs-fuse, so every
# workload starts cold (a new FUSE superblock has no page cache), and measures its ceiling
# against the same emulator just before.
#
# row NAME FUSE CEILING UNIT KIND CEILING_LABEL CALLS RSS CPU appends one table row; KIND "rate"
# (higher is better, ratio = fuse / ceiling) or "time" (seconds, ratio = ceiling / fuse), so a
# ratio of 1 always means "as fast as the ceiling".

# Seeds the emulator's folder directly (it is plain files): quicker than the API, and none of it
# is counted or timed.
seed() {
  local root=$1 d
  mkdir -p "$root/bench/dir10k" "$root/bench/tree"
  log "seeding ${BIG_MIB} MiB file, 10,000-entry directory, 100x100 tree"
  head -c "$((BIG_MIB << 20))" /dev/urandom >"$root/bench/big"
  (cd "$root/bench/dir10k" && seq -f 'f%05g' 10000 | xargs touch)
  for d in $(seq -f 'd%03g' 0 99); do
    mkdir "$root/bench/tree/$d"
    (cd "$root/bench/tree/$d" && seq -f 'f%03g' 0 99 | xargs touch)
  done
  # Local sources: 2,000 files of 8 KiB; 500 files of 16 KiB in 10 directories.
  rm -rf "$LOCAL" && mkdir -p "$LOCAL/small"
  head -c $((SMALL_FILES * 8192)) /dev/urandom | (cd "$LOCAL/small" && split -b 8192 -a 5 -d - f)
  for d in $(seq -f 'd%02g' 0 9); do
    mkdir -p "$LOCAL/rsync/$d"
    head -c $((50 * 16384)) /dev/urandom | (cd "$LOCAL/rsync/$d" && split -b 16384 -a 3 -d - f)
  done
}

w_sequential_read() {
  local mib=$BIG_MIB ceil serial cold
  log "1-2. sequential read of ${mib} MiB, cold then warm"
  cat "$ROOT/bench/big" >/dev/null  # the server's own disk cache is warm for every reader
  # The parallel ceiling last: its machine CPU is the one the cold read's row shows.
  serial=$(ceiling read /bench/big 1) || serial=""
  ceil=$(ceiling read /bench/big "$PARALLEL") || ceil=""
  mount_fuse
  fuse_phase dd if="$MNT/bench/big" of=/dev/null bs=1M
  cold=$(rate "$mib" "$ELAPSED")
  row "1. seq read ${mib} MiB, cold" "$cold" "$(rate "$mib" "$ceil")" MiB/s rate \
    "$PARALLEL parallel 1 MiB reads" "$CALLS" "$RSS" "$CPU"
  row "1. same, vs serial baseline" "$cold" "$(rate "$mib" "$serial")" MiB/s rate \
    "1 read in flight, as CLI and SDKs" "" ""
  # What of the file the kernel's page cache still holds: the warm re-read fetches the rest. A
  # host that reclaims idle page cache (this VM's DAMON pageout scheme) leaves holes.
  local resident
  echo "$MACHINE_CPU" >"$SCRATCH/ceiling-cpu"  # the warm row's "ceiling" is the cold read
  resident=$(fincore --bytes --noheadings --output RES "$MNT/bench/big" 2>/dev/null |
             awk '{ printf "%d", $1 / 1048576 }') || resident="?"
  fuse_phase dd if="$MNT/bench/big" of=/dev/null bs=1M
  row "2. re-read, warm" "$(rate "$mib" "$ELAPSED")" "$cold" MiB/s rate \
    "the cold read; target 10x; page cache held ${resident:-?} of ${mib} MiB" "$CALLS" "$RSS" "$CPU"
  unmount_fuse
}

w_random_read() {
  local ceil fio_out
  log "3. 4 KiB random reads for ${FIO_SECONDS} s"
  ceil=$(ceiling random-read /bench/big 4096 "$FIO_SECONDS") || ceil=""
  mount_fuse
  fio_out="$SCRATCH/fio.json"
  fuse_phase fio --name=randread --filename="$MNT/bench/big" --readonly --rw=randread --bs=4k \
    --ioengine=psync --iodepth=1 --size="${BIG_MIB}M" --runtime="$FIO_SECONDS" --time_based \
    --randseed=42 --output-format=json --output="$fio_out"
  local iops=""
  [[ -n $ELAPSED ]] && iops=$(jq -r '.jobs[0].read.iops | . * 10 | round / 10' "$fio_out")
  row "3. fio 4 KiB random read, 1 job" "$iops" "$ceil" ops/s rate "serial 4 KiB reads" \
    "$CALLS" "$RSS" "$CPU"
  unmount_fuse
}

w_sequential_write() {
  local mib=$BIG_MIB ceil
  log "4. sequential write of ${mib} MiB"
  ceil=$(ceiling write /bench/ceiling-write "$((mib << 20))") || ceil=""
  rm -f "$ROOT/bench/ceiling-write"
  mount_fuse
  fuse_phase dd if=/dev/zero of="$MNT/bench/written" bs=1M count="$mib"
  row "4. seq write ${mib} MiB (until close)" "$(rate "$mib" "$ELAPSED")" "$(rate "$mib" "$ceil")" \
    MiB/s rate "create, serial add-blocks, close" "$CALLS" "$RSS" "$CPU"
  unmount_fuse
  rm -f "$ROOT/bench/written"
}

w_small_files() {
  local ceil
  log "5. cp -r of ${SMALL_FILES} files of 8 KiB, in and out"
  ceil=$(ceiling put-many /bench/ceiling-small "$SMALL_FILES" 8192) || ceil=""
  mount_fuse
  fuse_phase cp -r "$LOCAL/small" "$MNT/bench/small"
  row "5. cp -r ${SMALL_FILES} x 8 KiB in" "$(rate "$SMALL_FILES" "$ELAPSED")" \
    "$(rate "$SMALL_FILES" "$ceil")" files/s rate "1 put per file, serially" "$CALLS" "$RSS" "$CPU"
  unmount_fuse
  ceil=$(ceiling get-many /bench/small) || ceil=""
  rm -rf "$LOCAL/small-out"
  mount_fuse
  fuse_phase cp -r "$MNT/bench/small" "$LOCAL/small-out"
  row "5. cp -r ${SMALL_FILES} x 8 KiB out" "$(rate "$SMALL_FILES" "$ELAPSED")" \
    "$(rate "$SMALL_FILES" "$ceil")" files/s rate "1 list + 1 read per file, serially" \
    "$CALLS" "$RSS" "$CPU"
  unmount_fuse
  if [[ -n $ELAPSED ]] && ! diff -rq "$LOCAL/small" "$LOCAL/small-out" >/dev/null; then
    log "warning: files copied out differ from the originals"
  fi
}

w_metadata() {
  local ceil
  log "6. ls -l of 10,000 entries; find over 100 x 100"
  ceil=$(ceiling walk /bench/dir10k 10000) || ceil=""
  mount_fuse
  fuse_phase ls -l "$MNT/bench/dir10k"
  row "6. ls -l, 10,000 entries" "$ELAPSED" "$ceil" s time "1 list" "$CALLS" "$RSS" "$CPU"
  unmount_fuse
  ceil=$(ceiling walk /bench/tree 10100) || ceil=""
  mount_fuse
  fuse_phase find "$MNT/bench/tree"
  row "6. find, 100 dirs x 100 files" "$ELAPSED" "$ceil" s time "1 list per directory (101)" \
    "$CALLS" "$RSS" "$CPU"
  unmount_fuse
}

w_rsync() {
  local ceil
  log "7. rsync -a of 500 files, then rsync -a --size-only again"
  ceil=$(ceiling put-many /bench/ceiling-rsync 500 16384) || ceil=""
  mount_fuse
  fuse_phase rsync -a "$LOCAL/rsync/" "$MNT/bench/rsync/"
  row "7. rsync -a, 500 x 16 KiB" "$ELAPSED" "$ceil" s time "1 put per file, serially" \
    "$CALLS" "$RSS" "$CPU"
  unmount_fuse
  ceil=$(ceiling walk /bench/rsync 510) || ceil=""
  mount_fuse
  fuse_phase rsync -a --size-only "$LOCAL/rsync/" "$MNT/bench/rsync/"
  row "7. rsync -a --size-only, again" "$ELAPSED" "$ceil" s time "1 list per directory (11)" \
    "$CALLS" "$RSS" "$CPU"
  unmount_fuse
}
