#!/usr/bin/env bash
# Java vs MSeg's own PyTorch code, side by side on this machine, in one run: the only kind of ratio the README quotes.
#
# Runs, interleaved (Java, Python, Java, Python, ...) so that both sides see the same machine load:
#   train:  bin/mseg-cli bench train --width 48 --crop 257 --batch 2 --steps 3 --precision fp32,bf16 --json
#           vs /usr/bin/python3 tools/bench_upstream_train.py --upstream DIR (same size, batch, classes, loss, SGD)
#   loader: bin/mseg-cli bench loader --threads 1 --seconds 20 --json
#           vs /usr/bin/python3 tools/bench_upstream_loader.py --upstream DIR --seconds 20 (one thread each)
# and prints the CPU model (lscpu), the load average around every run, both numbers and the ratios. Every JSON
# result is also appended to the --out file.
#
# Needs: the Java build (bin/mseg-cli builds it), Debian's Python with
#   apt-get update && apt-get install -y python3-torch python3-opencv python3-numpy python3-yaml python3-imageio
# and a checkout of the training branch of mseg-dataset/mseg-semantic (see tools/upstream_compat.py):
#   git clone -b training https://github.com/mseg-dataset/mseg-semantic /tmp/mseg-semantic-training
#
# Usage: tools/bench_vs_upstream.sh --upstream DIR [--rounds N] [--only train|loader] [--steps N] [--seconds S]
#                                   [--omp-wait-policy passive|active|unset] [--out FILE]
# The Python runs get OMP_WAIT_POLICY=passive by default: PyTorch's OpenMP threads otherwise spin at every op, and
# on a machine shared with other jobs a spinning thread that loses its core stalls every barrier. Measured on the
# 2-core AMD EPYC under load 12-17, one W48 step at 33x33 took 17-36 s that way against 1.9-3.3 s passive (2.3-2.6 s
# with one thread). On a quiet machine the policy matters little; --omp-wait-policy unset keeps PyTorch's default.
# Without --upstream the train comparison uses the project's mirror of seg_hrnet.py (tools/make_hrnet_fixtures.py)
# and says so; the loader comparison needs the checkout and is skipped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY=/usr/bin/python3
UPSTREAM=""
ROUNDS=2
ONLY=""
STEPS=3
SECONDS_PER_RUN=20
OMP_POLICY=passive
OUT="${TMPDIR:-/tmp}/bench_vs_upstream.$(date -u +%Y%m%dT%H%M%SZ).jsonl"

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --upstream) UPSTREAM="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --omp-wait-policy) OMP_POLICY="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench_vs_upstream: unknown argument $1" >&2; usage 2 ;;
  esac
done
case "$ONLY" in ""|train|loader) ;; *) echo "bench_vs_upstream: --only train or --only loader" >&2; exit 2 ;; esac
[ -x "$PY" ] || { echo "bench_vs_upstream: $PY is missing; install Debian's python3-torch python3-opencv" >&2; exit 1; }
"$PY" -c 'import torch, cv2, numpy, yaml' 2>/dev/null || {
  echo "bench_vs_upstream: $PY lacks torch/cv2/numpy/yaml; apt-get install -y python3-torch python3-opencv" \
       "python3-numpy python3-yaml python3-imageio" >&2; exit 1; }

case "$OMP_POLICY" in
  passive|active) export OMP_WAIT_POLICY="$OMP_POLICY" ;;  # read by Python's OpenMP; TensorFlow's pool ignores it
  unset) unset OMP_WAIT_POLICY ;;
  *) echo "bench_vs_upstream: --omp-wait-policy passive, active or unset" >&2; exit 2 ;;
esac

UP_ARGS=()
[ -n "$UPSTREAM" ] && UP_ARGS=(--upstream "$UPSTREAM")
CLI="$ROOT/bin/mseg-cli"
load() { cut -d' ' -f1-3 /proc/loadavg; }

# One benchmark run: label, then the command; appends {"side","bench","round","load_before","load_after","result"}.
run() {
  local side="$1" bench="$2" round="$3"; shift 3
  local before after result
  before="$(load)"
  echo "[$(date -u +%H:%M:%S)] $side $bench, round $round (load $before): $*" >&2
  result="$("$@" 2> >(grep -v -e 'UserWarning' -e 'warnings.warn' >&2) | tail -n 1)"
  after="$(load)"
  "$PY" -c 'import json,sys; print(json.dumps({"side":sys.argv[1],"bench":sys.argv[2],"round":int(sys.argv[3]),
"load_before":sys.argv[4],"load_after":sys.argv[5],"result":json.loads(sys.argv[6])}))' \
    "$side" "$bench" "$round" "$before" "$after" "$result" >> "$OUT"
}

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores; load $(load); $(date -u)" >&2
echo "Results: $OUT; OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-<unset>}" >&2
"$CLI" --version >/dev/null  # builds the project first if needed, outside any timed run

for round in $(seq 1 "$ROUNDS"); do
  if [ "$ONLY" != loader ]; then
    run java train "$round" "$CLI" bench train --width 48 --crop 257 --batch 2 --steps "$STEPS" \
        --precision fp32,bf16 --json
    run python train "$round" "$PY" "$HERE/bench_upstream_train.py" "${UP_ARGS[@]}" --width 48 --crop 257 \
        --batch 2 --steps "$STEPS"
  fi
  if [ "$ONLY" != train ] && [ -n "$UPSTREAM" ]; then
    run java loader "$round" "$CLI" bench loader --threads 1 --seconds "$SECONDS_PER_RUN" --json
    run python loader "$round" "$PY" "$HERE/bench_upstream_loader.py" --upstream "$UPSTREAM" \
        --seconds "$SECONDS_PER_RUN"
  fi
done

"$PY" - "$OUT" <<'EOF'
import json, statistics, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
cpu = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
cpu = next((l.split(':', 1)[1].strip() for l in cpu.splitlines() if l.startswith('Model name')), 'unknown')
loads = sorted({float(v) for r in rows for v in (r['load_before'].split()[0], r['load_after'].split()[0])})
print('CPU: %s; 1-minute load average during the runs: %s-%s' % (cpu, loads[0], loads[-1]) if loads else cpu)

def pick(side, bench):
    return [r['result'] for r in rows if r['side'] == side and r['bench'] == bench]

def med(xs):
    return statistics.median(xs) if xs else float('nan')

jt, pt = pick('java', 'train'), pick('python', 'train')
if jt and pt:
    fp32 = [r['s_per_step_const'] for r in jt]
    bf16 = [p['s_per_step_const'] for r in jt for p in r.get('precisions', []) if p['precision'] == 'bf16']
    torch = [r['s_per_step'] for r in pt]
    print('train, HRNet-W48 %s classes, batch %s at %sx%s, fixed batch, median s/step per run (runs: %d + %d):'
          % (jt[0]['classes'], jt[0]['batch'], jt[0]['crop'], jt[0]['crop'], len(jt), len(pt)))
    print('  PyTorch (%s, %d threads, OMP_WAIT_POLICY=%s): %s'
          % (pt[0]['model_source'], pt[0]['threads'], pt[0].get('omp_wait_policy'), torch))
    print('  Java fp32: %s' % fp32)
    print('  Java bf16: %s' % bf16)
    print('  medians: PyTorch %.3f, Java fp32 %.3f (%.2fx the PyTorch time), Java bf16 %.3f (%.2fx)'
          % (med(torch), med(fp32), med(fp32) / med(torch), med(bf16), med(bf16) / med(torch)))
jl, pl = pick('java', 'loader'), pick('python', 'loader')
if jl and pl:
    java = [r['crops_per_s'] for r in jl]
    java_cpu = [r['crops_per_cpu_s'] for r in jl]
    py = [r['crops_per_s'] for r in pl]
    py_cpu = [r['crops_per_cpu_s'] for r in pl]
    print('loader, 1920x1080 JPEG/PNG -> MSeg 1080p train chain -> 713x713, 1 thread (runs: %d + %d):'
          % (len(jl), len(pl)))
    print('  Java crops/s: %s (per CPU-second: %s)' % (java, java_cpu))
    print('  MSeg Python + cv2 crops/s: %s (per CPU-second: %s)' % (py, py_cpu))
    print('  medians: Java %.2f vs %.2f crops/s = %.2fx; per CPU-second %.2f vs %.2f = %.2fx'
          % (med(java), med(py), med(java) / med(py), med(java_cpu), med(py_cpu), med(java_cpu) / med(py_cpu)))
EOF
