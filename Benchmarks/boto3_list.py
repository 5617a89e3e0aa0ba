#!/usr/bin/env python3
"""Lists every secret with a boto3 paginator and prints how many there were: the boto3
contender of scripts/bench, run as a whole process.

    AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
      python3 Benchmarks/boto3_list.py --endpoint-url http://127.0.0.1:P [--region us-east-1]

Credentials come from the environment (dummy ones are fine against the replay server and
moto); nothing is read from ~/.aws unless the environment leaves it to boto3.
"""

import argparse

import boto3


def main():
    parser = argparse.ArgumentParser(description="List every secret with a boto3 paginator.")
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()

    client = boto3.client("secretsmanager", endpoint_url=args.endpoint_url, region_name=args.region)
    count = 0
    labelled = 0
    for page in client.get_paginator("list_secrets").paginate():
        for secret in page.get("SecretList", []):
            count += 1
            labelled += len(secret.get("SecretVersionsToStages", {}))
    print(f"{count} secrets, {labelled} labelled versions")


if __name__ == "__main__":
    main()
