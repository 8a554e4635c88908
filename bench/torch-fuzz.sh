#!/usr/bin/env bash
# Random convolutions, transposed convolutions and batch norms, and some dense layers, matrix
# products, poolings and losses (values and gradients) computed by PyTorch (Debian's
# python3-torch) and by the engine, compared element by element: every seed's
# cases under the SIMD kernels at 512, 256 and 128 bits on the pool and on one thread, and under
# the scalar kernels. The shapes reach every kernel path (bench/scripts/torch_fuzz.py says how).
# A check for kernel changes against a reference outside the engine; not part of CI.
#   usage: bench/torch-fuzz.sh [SEEDS] [CASES]   (default 5 seeds from 1, 50 cases each)
# JAVA names the java to run the engine on (default: java on the PATH), e.g. a JDK 25's.
# Exits 1 if any case differs.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-5}
CASES=${2:-50}
for v in "$SEEDS" "$CASES"; do
  case "$v" in
    '' | *[!0-9]* | 0) echo "torch-fuzz.sh: SEEDS and CASES must be positive integers, but got '$v'" >&2; exit 2 ;;
  esac
done
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "installing python3-torch (apt)" >&2
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch
fi
JAR=${BENCH_JAR:-bench/target/benchmarks.jar}
[ -f "$JAR" ] || mvn -q -DskipTests package -pl bench -am
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
for seed in $(seq 1 "$SEEDS"); do
  /usr/bin/python3 bench/scripts/torch_fuzz.py "$seed" "$CASES" "$dir/cases.bin"
  for opts in "-Dengine.threads=2" "-Dengine.threads=1" "-Dengine.simd.bits=256" \
      "-Dengine.simd.bits=128" "-Dengine.threads=1 -Dengine.kernels=scalar"; do
    # shellcheck disable=SC2086 # opts holds several options
    if line=$("${JAVA:-java}" --add-modules jdk.incubator.vector $opts -cp "$JAR" org.cladec.bench.TorchFuzz \
        "$dir/cases.bin" 2>/dev/null); then :; else failed=1; fi
    echo "seed $seed, $opts: $line"
  done
done
exit "$failed"
