#!/usr/bin/env bash
# Runs the four full-step workloads in PyTorch (Debian's python3-torch with OpenBLAS) and in this
# engine, alternating, with the same batch size and thread count, and prints medians and ratios.
# With --djl it also runs them on libtorch 2.7.1 through DJL (bench/djl, built with the Maven
# profile `djl`, natives from Maven Central, run offline). Not part of CI.
#   usage: bench/compare-pytorch.sh [--djl] [THREADS] [BATCH] [ROUNDS]
# CLADEC_JAR names the engine's jar (default cladec/target/cladec.jar), so that a rebuild during the
# run cannot swap it between rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
DJL=0
if [ "${1:-}" = "--djl" ]; then DJL=1; shift; fi
THREADS=${1:-$(nproc)}
BATCH=${2:-128}
ROUNDS=${3:-3}
STEPS=3
REPEATS=5
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "installing python3-torch and libopenblas0-pthread (apt)" >&2
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread
fi
JAR=${CLADEC_JAR:-cladec/target/cladec.jar}
[ -f "$JAR" ] || mvn -q -DskipTests package
PEER=bench/djl/target/cladec-bench-djl-0.1.0-SNAPSHOT.jar
if [ "$DJL" = 1 ] && [ ! -f "$PEER" ]; then
  echo "building the libtorch 2.7.1 peer (mvn -Pdjl)" >&2
  mvn -q -Pdjl -DskipTests package -pl bench/djl -am
fi
out=$(mktemp -d)
touch "$out/djl.txt"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS: engine" >&2
  # the heap on 2 MB pages (Linux; where the kernel's THP mode is "madvise" only on request);
  # the peers are offered the same: libtorch reads THP_MEM_ALLOC_ENABLE (C10_THP_MEM_ALLOC_ENABLE in
  # its first releases with it) and madvises its buffers of 2 MB and more; PyTorch 1.13 ignores both
  java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -jar "$JAR" bench --threads "$THREADS" --batch-size "$BATCH" --steps "$STEPS" --repeats "$REPEATS" \
    2>/dev/null | grep '=' >> "$out/engine.txt"
  echo "round $r/$ROUNDS: pytorch 1.13" >&2
  # NOTE: OpenBLAS tuning variables set for other programs must not leak into PyTorch's run
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$THREADS" THP_MEM_ALLOC_ENABLE=1 C10_THP_MEM_ALLOC_ENABLE=1 \
    /usr/bin/python3 bench/scripts/torch_workloads.py "$THREADS" "$BATCH" "$STEPS" "$REPEATS" >> "$out/torch.txt"
  if [ "$DJL" = 1 ]; then
    echo "round $r/$ROUNDS: libtorch 2.7.1 (DJL)" >&2
    # a workload whose gradients are not finite prints name=nan and exits 1: keep the others
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$THREADS" THP_MEM_ALLOC_ENABLE=1 C10_THP_MEM_ALLOC_ENABLE=1 \
      java -Dai.djl.offline=true -cp "$PEER:bench/djl/target/lib/*" org.cladec.bench.djl.DjlWorkloads \
      "$THREADS" "$BATCH" "$STEPS" "$REPEATS" 2>"$out/djl.err" | grep '=' >> "$out/djl.txt" || cat "$out/djl.err" >&2
  fi
done
python3 - "$out" "$THREADS" "$BATCH" <<'PY'
import sys, statistics, collections
out, threads, batch = sys.argv[1], sys.argv[2], sys.argv[3]
def read(f):
    d = collections.defaultdict(list)
    for line in open(f):
        k, v = line.strip().split("=")
        d[k].append(float(v.split()[0]))
    return d
e, t, j = read(f"{out}/engine.txt"), read(f"{out}/torch.txt"), read(f"{out}/djl.txt")
print(f"\n{threads} threads, batch {batch}, medians over rounds (img/s)")
head = f"{'workload':18} {'engine':>10} {'pytorch1.13':>12} {'ratio':>7}"
if j:
    head += f" {'libtorch2.7.1':>14} {'ratio':>7}"
print(head)
for k in ["classifier_train", "cladec_train", "refae_train", "classifier_infer"]:
    me, mt = statistics.median(e[k]), statistics.median(t[k])
    line = f"{k:18} {me:10.1f} {mt:12.1f} {me / mt:6.2f}x"
    if j:
        # a round whose gradients were not finite printed name=nan: the median is over the others
        ok = [v for v in j[k] if v == v]
        mj = statistics.median(ok) if ok else float("nan")
        line += f" {mj:14.1f} {me / mj:6.2f}x"
        if len(ok) < len(j[k]):
            line += f"  ({len(j[k]) - len(ok)} of {len(j[k])} libtorch rounds had NaN gradients)"
    print(line)
PY
