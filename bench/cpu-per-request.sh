# Sourced by bench/*-cpu-per-request.sh: start the server under test, then measure its CPU time
# (utime + stime of every thread, from /proc/PID/stat) per request of a wrk run, a figure that
# the machine's load changes far less than req/s does. Linux, wrk, curl, bc.
#
#   start_server PORT COMMAND...              # sets PID; waits until the port answers
#   cpu_per_request LUA CONNECTIONS URL UNIT  # UNIT: ms or µs; prints "N req, X UNIT CPU/req"

start_server() {
  local port=$1; shift
  "$@" > "$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
}

ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

cpu_per_request() {
  local lua=$1 connections=$2 url=$3 unit=$4 t0 t1 out n scale factor
  if [ "$unit" = ms ]; then scale=2; factor=1000; else scale=0; factor=1000000; fi
  t0=$(ticks); out=$(wrk -t1 -c"$connections" -d8s -s "$lua" "$url"); t1=$(ticks)
  n=$(echo "$out" | awk '/requests in/{print $1}')
  echo "$n req, $(echo "scale=$scale; ($t1 - $t0) * $factor / $(getconf CLK_TCK) / $n" | bc) $unit CPU/req$(echo "$out" | awk '/Non-2xx/{print ", non-2xx: "$NF}')"
}
