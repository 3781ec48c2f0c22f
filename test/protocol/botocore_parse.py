"""Parses an HTTP response with botocore's own parser for one operation; prints JSON.

stdin: {"service", "operation", "status", "headers", "body_b64"}
stdout: the parsed dict (bytes as {"__bytes__": base64}, datetimes as ISO text).
"""
import base64
import datetime
import json
import sys

import botocore.session
from botocore import parsers

req = json.load(sys.stdin)
if req.get("model"):
    from botocore.model import ServiceModel
    model = ServiceModel(req["model"], req["service"])
else:
    model = botocore.session.get_session().get_service_model(req["service"])
op = model.operation_model(req["operation"])
protocol = req.get("protocol") or model.metadata["protocol"]
parser = parsers.create_parser(protocol)
body = base64.b64decode(req["body_b64"])
from botocore.awsrequest import HeadersDict

response = {"status_code": req["status"], "headers": HeadersDict(req["headers"]), "body": body}
if op.has_streaming_output and req["status"] < 300:
    import io
    response["body"] = io.BytesIO(body)
parsed = parser.parse(response, op.output_shape)


def default(o):
    if isinstance(o, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(o).decode()}
    if isinstance(o, datetime.datetime):
        return o.isoformat()
    if hasattr(o, "read"):
        return {"__bytes__": base64.b64encode(o.read()).decode()}
    return str(o)


print(json.dumps(parsed, default=default))
