#!/usr/bin/env bash
# Times `funnel run` against the peer engines of ../shared/bench (DuckDB, chdb) on the same
# files, alternating runs (A B C A B C ...), and checks that the counts agree.
#   scripts/bench.sh [RUNS]          (default 5 runs per engine after one warm-up)
# Needs: ../shared/bench (gen_events.py, setup_peers.sh, peer_funnel.py), python3 with numpy.
# The JSON Lines rows use scripts/peer_jsonl.py (DuckDB's read_json) in the same virtualenv.
# Data goes to /tmp (never into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
BENCH="${BENCH_DIR:-../shared/bench}"
PEERS="${PEERS_VENV:-/tmp/funnel-peers}"
FUNNEL=".build/release/funnel"
[ -x "$FUNNEL" ] || swift build -c release --product funnel
[ -d "$BENCH" ] || { echo "no $BENCH: the benchmark needs the shared bench folder" >&2; exit 2; }
[ -x "$PEERS/bin/python" ] || PEERS_VENV="$PEERS" sh "$BENCH/setup_peers.sh"
PY="$PEERS/bin/python"
for n in 1m 10m; do
  events=$([ "$n" = 1m ] && echo 1000000 || echo 10000000)
  [ -f "/tmp/ev$n.csv" ] || "$PY" "$BENCH/gen_events.py" --events "$events" --seed 1 --format csv --out "/tmp/ev$n.csv"
done
work=$(mktemp -d)
for by in "" "device"; do
  cat > "$work/bench${by:+_$by}.funnel" <<FUNNEL
source events = csv("/tmp/ev1m.csv") { user = user_id  time = event_time  event = event_type }
funnel bench {
  window 7d
  step view = "view"
  step cart = "cart"
  step purchase = "purchase"
  ${by:+by $by}
}
FUNNEL
done

# One timed run: prints "seconds KiB" and leaves the output in $work/out.
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>/dev/null; cat "$work/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf "| file | task | engine | wall median s | peak RSS MiB | ratio to funnel | counts |\n|---|---|---|---|---|---|---|\n"
for n in 1m 10m; do
  for by in "" "device"; do
    f="$work/bench${by:+_$by}.funnel"
    declare -A wall=() mem=() counts=()
    engines=(funnel duckdb chdb)
    for round in $(seq 0 "$RUNS"); do          # round 0 warms the page cache and is not counted
      for e in "${engines[@]}"; do
        if [ "$e" = funnel ]; then
          t=$(timed "$FUNNEL" run "$f" --events "/tmp/ev$n.csv" --format csv)
          c=$(awk -F, 'NR>1 && $2=="" {printf "%s ", $4}' "$work/out")
          [ -n "$by" ] && c="$c| $(awk -F, 'NR>1 && $2!="" {printf "%s:%s ", $2, $4}' "$work/out")"
        else
          t=$(timed "$PY" "$BENCH/peer_funnel.py" --engine "$e" --csv "/tmp/ev$n.csv" ${by:+--breakdown $by})
          c=$(cat "$work/out")
        fi
        [ "$round" = 0 ] && continue
        wall[$e]="${wall[$e]:-} $(echo "$t" | cut -d' ' -f1)"
        mem[$e]="${mem[$e]:-} $(echo "$t" | cut -d' ' -f2)"
        counts[$e]="$c"
      done
    done
    fm=$(echo ${wall[funnel]} | tr ' ' '\n' | median)
    for e in "${engines[@]}"; do
      m=$(echo ${wall[$e]} | tr ' ' '\n' | median)
      r=$(echo ${mem[$e]} | tr ' ' '\n' | sort -n | tail -1)
      printf "| %s | %s | %s | %.3f | %d | %.2f | %s |\n" "$n" "${by:-plain}" "$e" "$m" "$((r / 1024))" "$(echo "$m / $fm" | bc -l)" "${counts[$e]}"
    done
    unset wall mem counts
  done
done

# The cost of an exclusion: the same funnel with `exclude "remove_from_cart" between cart and
# purchase`, alternating with the plain one on the 10M file (language.md §4; at most 1.3x).
sed 's/step purchase = "purchase"/step purchase = "purchase"\n  exclude "remove_from_cart" between cart and purchase/' "$work/bench.funnel" > "$work/bench_exclude.funnel"
printf "\n| file | task | wall median s | ratio to plain | counts |\n|---|---|---|---|---|\n"
plain="" excl="" pc="" xc=""
for round in $(seq 0 "$RUNS"); do
  t=$(timed "$FUNNEL" run "$work/bench.funnel" --events /tmp/ev10m.csv --format csv); pc=$(awk -F, 'NR>1 {printf "%s ", $4}' "$work/out")
  [ "$round" = 0 ] || plain="$plain $(echo "$t" | cut -d' ' -f1)"
  t=$(timed "$FUNNEL" run "$work/bench_exclude.funnel" --events /tmp/ev10m.csv --format csv); xc=$(awk -F, 'NR>1 {printf "%s ", $4}' "$work/out")
  [ "$round" = 0 ] || excl="$excl $(echo "$t" | cut -d' ' -f1)"
done
pm=$(echo $plain | tr ' ' '\n' | median); xm=$(echo $excl | tr ' ' '\n' | median)
printf "| 10m | plain | %.3f | 1.00 | %s |\n" "$pm" "$pc"
printf "| 10m | exclude remove_from_cart between cart and purchase | %.3f | %.2f | %s |\n" "$xm" "$(echo "$xm / $pm" | bc -l)" "$xc"
# The same funnel over the events as JSON Lines (gen_events.py --format jsonl), against DuckDB's
# read_json formulation (scripts/peer_jsonl.py), alternating runs; counts must agree.
printf "\n| file | engine | wall median s | peak RSS MiB | ratio to funnel | counts |\n|---|---|---|---|---|---|\n"
for n in 1m 10m; do
  events=$([ "$n" = 1m ] && echo 1000000 || echo 10000000)
  [ -f "/tmp/ev$n.jsonl" ] || "$PY" "$BENCH/gen_events.py" --events "$events" --seed 1 --format jsonl --out "/tmp/ev$n.jsonl"
  sed "s#csv(\"/tmp/ev1m.csv\")#jsonl(\"/tmp/ev$n.jsonl\")#" "$work/bench.funnel" > "$work/bench_jsonl.funnel"
  fw="" dw="" fmem="" dmem="" fc="" dc=""
  for round in $(seq 0 "$RUNS"); do
    t=$(timed "$FUNNEL" run "$work/bench_jsonl.funnel" --format csv); fc=$(awk -F, 'NR>1 {printf "%s ", $4}' "$work/out")
    [ "$round" = 0 ] || { fw="$fw $(echo "$t" | cut -d' ' -f1)"; fmem="$fmem $(echo "$t" | cut -d' ' -f2)"; }
    t=$(timed "$PY" scripts/peer_jsonl.py --jsonl "/tmp/ev$n.jsonl"); dc=$(cat "$work/out")
    [ "$round" = 0 ] || { dw="$dw $(echo "$t" | cut -d' ' -f1)"; dmem="$dmem $(echo "$t" | cut -d' ' -f2)"; }
  done
  fm=$(echo $fw | tr ' ' '\n' | median); dm=$(echo $dw | tr ' ' '\n' | median)
  printf "| %s | funnel | %.3f | %d | 1.00 | %s |\n" "$n" "$fm" "$(( $(echo $fmem | tr ' ' '\n' | sort -n | tail -1) / 1024 ))" "$fc"
  printf "| %s | duckdb read_json | %.3f | %d | %.2f | %s |\n" "$n" "$dm" "$(( $(echo $dmem | tr ' ' '\n' | sort -n | tail -1) / 1024 ))" "$(echo "$dm / $fm" | bc -l)" "$dc"
done
rm -rf "$work"
