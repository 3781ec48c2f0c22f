#!/bin/bash
# Server CPU time (utime + stime of every thread, from /proc/PID/stat) per SQS SendMessage
# under wrk (16 connections, 8 s), then per ReceiveMessage (10, VisibilityTimeout 0, so the same
# messages stay receivable) of the queue that filled: a figure that the machine's load changes
# far less than req/s does. Linux, wrk, curl, bc. Extra server arguments (e.g. --data-dir DIR)
# go after the command.
#
#   bench/sqs-cpu-per-request.sh LABEL PORT COMMAND...
#   bench/sqs-cpu-per-request.sh fetchstack 4822 node dist/cli.js --port 4822 --no-ui
set -e
LABEL=$1; PORT=$2; shift 2
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
AUTH='AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000'
QUEUE="http://127.0.0.1:$PORT/000000000000/cpu-bench"
lua() {
  cat <<LUA
wrk.method = "POST"
wrk.headers["authorization"] = "$AUTH"
wrk.headers["x-amz-date"] = "20261122T000000Z"
wrk.headers["content-type"] = "application/x-amz-json-1.0"
wrk.headers["x-amz-target"] = "AmazonSQS.$1"
wrk.body = '$2'
LUA
}
lua SendMessage "{\"QueueUrl\":\"$QUEUE\",\"MessageBody\":\"hello from the bench\",\"MessageAttributes\":{\"a\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}}" > "$WORK/send.lua"
lua ReceiveMessage "{\"QueueUrl\":\"$QUEUE\",\"MaxNumberOfMessages\":10,\"VisibilityTimeout\":0,\"WaitTimeSeconds\":0}" > "$WORK/receive.lua"
. "$(dirname "$0")/cpu-per-request.sh"
start_server "$PORT" "$@"
curl -s -o /dev/null -X POST -H "authorization: $AUTH" -H "x-amz-date: 20261122T000000Z" -H "content-type: application/x-amz-json-1.0" \
  -H "x-amz-target: AmazonSQS.CreateQueue" --data '{"QueueName":"cpu-bench"}' "http://127.0.0.1:$PORT/"
measure() { cpu_per_request "$WORK/$1.lua" 16 "http://127.0.0.1:$PORT/" µs; }
wrk -t1 -c4 -d2s -s "$WORK/send.lua" "http://127.0.0.1:$PORT/" > /dev/null
echo "$LABEL  SendMessage: $(measure send)  ReceiveMessage(10): $(measure receive)  (load $(cut -d' ' -f1 /proc/loadavg))"
