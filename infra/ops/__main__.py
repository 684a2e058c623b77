"""python -m infra.ops replay --queue-url URL (--function-name NAME | --in-process) [--dry-run]

Replays every batch parked in the ticket stream's DLQ (infra/ops/replay.py). With
--function-name the records go to the deployed TicketStream function (stack output); with
--in-process they run through this process's handler, configured by the same YUNGE_*
environment as the function. Prints one line per message; exit status 1 if any was kept."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops")
    sub = parser.add_subparsers(dest="command", required=True)
    replay = sub.add_parser("replay", help="replay the ticket stream's dead-letter queue")
    replay.add_argument("--queue-url", required=True, help="stack output TicketStreamDlqUrl")
    how = replay.add_mutually_exclusive_group(required=True)
    how.add_argument("--function-name", help="the deployed TicketStream function")
    how.add_argument("--in-process", action="store_true", help="run the handler here")
    replay.add_argument("--dry-run", action="store_true", help="read and report only")
    replay.add_argument(
        "--reviewed", action="store_true", help="the tickets named for review were checked"
    )
    replay.add_argument("--region", default=os.environ.get("AWS_REGION", "cn-north-1"))
    args = parser.parse_args(argv)

    import boto3

    from chalicelib.bootstrap import services
    from chalicelib.dispatch.stream import handle_ticket_stream
    from infra.ops.replay import Replayer, lambda_handler
    from infra.ops.window import submitted_records, to_review

    svc = services()
    handler = (
        (lambda event: handle_ticket_stream(event, None, svc))
        if args.in_process
        else lambda_handler(args.function_name, boto3.client("lambda", region_name=args.region))
    )
    replayer = Replayer(
        boto3.client("sqs", region_name=args.region),
        boto3.client("dynamodbstreams", region_name=args.region),
        handler,
        args.region,
        window=lambda start, end: submitted_records(svc, start, end),
        review=lambda start, end: to_review(svc, start, end),
    )
    outcomes = replayer.run(args.queue_url, dry_run=args.dry_run, reviewed=args.reviewed)
    for outcome in outcomes:
        print(outcome.line())
    if not outcomes:
        print("the queue is empty: nothing to replay")
    return 0 if all(o.deleted for o in outcomes) or args.dry_run else 1


if __name__ == "__main__":
    sys.exit(main())
