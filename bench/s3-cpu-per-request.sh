#!/bin/bash
# Server CPU time (utime + stime of every thread, from /proc/PID/stat) per S3 PutObject and
# GetObject of 1 MiB under wrk (4 connections, 8 s each): a figure that the machine's load
# changes far less than req/s does. Linux, wrk, curl, bc.
#
#   bench/s3-cpu-per-request.sh LABEL PORT COMMAND...
#   bench/s3-cpu-per-request.sh fetchstack 4822 node dist/cli.js --port 4822
#   bench/s3-cpu-per-request.sh moto 4823 moto_server -p 4823
set -e
LABEL=$1; PORT=$2; shift 2
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
head -c 1048576 /dev/urandom > "$WORK/body"
AUTH='AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000'
HEADERS="wrk.headers[\"authorization\"] = \"$AUTH\"
wrk.headers[\"x-amz-date\"] = \"20261122T000000Z\"
wrk.headers[\"x-amz-content-sha256\"] = \"UNSIGNED-PAYLOAD\""
cat > "$WORK/put.lua" <<LUA
$HEADERS
wrk.method = "PUT"
local f = io.open("$WORK/body", "rb"); wrk.body = f:read("*a"); f:close()
local i = 0
request = function() i = i % 100 + 1; return wrk.format(nil, "/cpu-bench/put-" .. i) end
LUA
printf '%s\nwrk.method = "GET"\n' "$HEADERS" > "$WORK/get.lua"
. "$(dirname "$0")/cpu-per-request.sh"
start_server "$PORT" "$@"
s3() { curl -s -o /dev/null -H "authorization: $AUTH" -H "x-amz-date: 20261122T000000Z" "$@"; }
s3 -X PUT "http://127.0.0.1:$PORT/cpu-bench"
s3 -X PUT --data-binary @"$WORK/body" "http://127.0.0.1:$PORT/cpu-bench/get"
for i in 1 2 3 4 5; do s3 -X PUT --data-binary @"$WORK/body" "http://127.0.0.1:$PORT/cpu-bench/warm"; s3 "http://127.0.0.1:$PORT/cpu-bench/get"; done
measure() { cpu_per_request "$WORK/$1.lua" 4 "http://127.0.0.1:$PORT/cpu-bench/get" ms; }
echo "$LABEL  PutObject 1 MiB: $(measure put)  GetObject 1 MiB: $(measure get)  (load $(cut -d' ' -f1 /proc/loadavg))"
