#!/usr/bin/env python3
"""Creates secrets in a moto server quickly, in one process, for the Swift tests.

  moto_seed.py ENDPOINT bulk COUNT PREFIX   creates PREFIX-0000 ... with one version each
  moto_seed.py ENDPOINT names FILE          creates one secret per line of FILE
  moto_seed.py ENDPOINT pending COUNT PREFIX creates PREFIX-0000 ... each with AWSCURRENT on one
                                            version and AWSPENDING on a second (a rotation to finish)
Credentials and region come from the environment the test passes to this child only.
"""
import sys

try:
    import boto3
except ImportError as error:
    sys.stderr.write("boto3 is not installed (pip install boto3 moto[server]): %s\n" % error)
    sys.exit(3)


def main():
    endpoint, command = sys.argv[1], sys.argv[2]
    client = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1")
    if command == "bulk":
        count, prefix = int(sys.argv[3]), sys.argv[4]
        for index in range(count):
            client.create_secret(Name="%s-%04d" % (prefix, index), SecretString="value-%d" % index)
    elif command == "pending":
        count, prefix = int(sys.argv[3]), sys.argv[4]
        for index in range(count):
            name = "%s-%04d" % (prefix, index)
            client.create_secret(Name=name, SecretString="current-%d" % index)
            client.put_secret_value(SecretId=name, SecretString="pending-%d" % index, VersionStages=["AWSPENDING"])
    elif command == "names":
        with open(sys.argv[3]) as names:
            for name in names.read().splitlines():
                client.create_secret(Name=name, SecretString="v")
    else:
        sys.stderr.write("unknown command %s\n" % command)
        sys.exit(2)


if __name__ == "__main__":
    main()
