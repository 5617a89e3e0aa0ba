#!/usr/bin/env python3
"""Signs requests with botocore's SigV4Auth, as the reference for SigV4SignerTests.

Reads JSON lines on stdin, one request each:
  {"method", "url", "headers": [[name, value], ...], "body": base64, "access_key_id",
   "secret_access_key", "session_token" (optional), "region", "service",
   "timestamp": epoch seconds}
and prints one JSON line per request: {"authorization": ..., "headers": {name: value}}.
The clock botocore reads is replaced by each request's timestamp.
"""
import base64
import datetime
import json
import sys

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:  # the Swift test reports this output as its failure message
    sys.stderr.write("botocore is not installed (pip install botocore): %s\n" % error)
    sys.exit(3)

frozen = {"now": None}


def frozen_now(remove_tzinfo=True):
    value = frozen["now"]
    return value.replace(tzinfo=None) if remove_tzinfo else value


if hasattr(botocore.auth, "get_current_datetime"):
    botocore.auth.get_current_datetime = frozen_now
else:  # older botocore reads datetime.datetime.utcnow() directly
    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return frozen_now()

        @classmethod
        def now(cls, tz=None):
            return frozen_now(remove_tzinfo=tz is None)

    botocore.auth.datetime.datetime = FrozenDatetime


def sign(item):
    frozen["now"] = datetime.datetime.fromtimestamp(item["timestamp"], datetime.timezone.utc)
    request = AWSRequest(
        method=item["method"],
        url=item["url"],
        headers={name: value for name, value in item["headers"]},
        data=base64.b64decode(item["body"]),
    )
    credentials = Credentials(item["access_key_id"], item["secret_access_key"], item.get("session_token"))
    botocore.auth.SigV4Auth(credentials, item["service"], item["region"]).add_auth(request)
    return {"authorization": request.headers["Authorization"], "headers": dict(request.headers.items())}


def main():
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(sign(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
