#!/usr/bin/env bash
# Runs the four full-step workloads in PyTorch (Debian's python3-torch with OpenBLAS) and in this
# engine, alternating, with the same batch size and thread count, and prints medians and ratios.
# Not part of CI.   usage: bench/compare-pytorch.sh [THREADS] [BATCH] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-$(nproc)}
BATCH=${2:-128}
ROUNDS=${3:-3}
STEPS=3
REPEATS=5
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "installing python3-torch and libopenblas0-pthread (apt)" >&2
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread
fi
JAR=cladec/target/cladec.jar
[ -f "$JAR" ] || mvn -q -DskipTests package
out=$(mktemp -d)
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS: engine" >&2
  java --add-modules jdk.incubator.vector -jar "$JAR" bench --threads "$THREADS" --batch-size "$BATCH" --steps "$STEPS" --repeats "$REPEATS" \
    2>/dev/null | grep '=' >> "$out/engine.txt"
  echo "round $r/$ROUNDS: pytorch" >&2
  # NOTE: OpenBLAS tuning variables set for other programs must not leak into PyTorch's run
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$THREADS" \
    /usr/bin/python3 bench/scripts/torch_workloads.py "$THREADS" "$BATCH" "$STEPS" "$REPEATS" >> "$out/torch.txt"
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
e, t = read(f"{out}/engine.txt"), read(f"{out}/torch.txt")
print(f"\n{threads} threads, batch {batch}, medians over rounds (img/s)")
print(f"{'workload':18} {'engine':>10} {'pytorch':>10} {'ratio':>7}")
for k in ["classifier_train", "cladec_train", "refae_train", "classifier_infer"]:
    me, mt = statistics.median(e[k]), statistics.median(t[k])
    print(f"{k:18} {me:10.1f} {mt:10.1f} {me / mt:6.2f}x")
PY
