"""The Python producers `producer_bench.py` compares with `clickstream produce`.

  seed:       the seed's way: kafka-python KafkaProducer with a JSON value serializer, one send()
              per event dict, then flush()
  confluent:  confluent-kafka (librdkafka under Python): produce() of json.dumps, poll(0) to serve
              delivery reports, retry on BufferError, then flush()

Both make the same events as the C++ generator in spirit (user_N keys, pages from a site map,
event_ts now in RFC 3339 UTC) and print one line: "<events> <seconds> <delivered>", timed from the
first event to the end of flush.
"""

import argparse
import datetime
import json
import random
import sys
import time

PAGES = ["/home", "/products", "/search", "/cart", "/checkout", "/login", "/account", "/deals"] + [
    f"/products/{i}" for i in range(1, 41)
]


def events(n, users, seed):
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(len(PAGES))]
    for _ in range(n):
        now = datetime.datetime.now(datetime.timezone.utc)
        yield {
            "user_id": f"user_{rng.randint(1, users)}",
            "page": rng.choices(PAGES, weights)[0],
            "event_ts": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }


def seed_style(args):
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=args.brokers,
        value_serializer=lambda v: json.dumps(v).encode("utf-8"),
        key_serializer=lambda k: k.encode("utf-8"),
    )
    delivered = 0

    def on_success(_):
        nonlocal delivered
        delivered += 1

    start = time.monotonic()
    for event in events(args.events, args.users, args.seed):
        producer.send(args.topic, key=event["user_id"], value=event).add_callback(on_success)
    producer.flush()
    elapsed = time.monotonic() - start
    producer.close()
    return delivered, elapsed


def confluent(args):
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": args.brokers, "linger.ms": 10})
    delivered = 0

    def on_delivery(err, _msg):
        nonlocal delivered
        if err is None:
            delivered += 1

    start = time.monotonic()
    for event in events(args.events, args.users, args.seed):
        value = json.dumps(event).encode("utf-8")
        while True:
            try:
                producer.produce(args.topic, value, event["user_id"].encode(), on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush()
    return delivered, time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["seed", "confluent"])
    parser.add_argument("--brokers", default="127.0.0.1:9092")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    delivered, elapsed = (seed_style if args.mode == "seed" else confluent)(args)
    print(f"{args.events} {elapsed:.3f} {delivered}")
    return 0 if delivered == args.events else 1


if __name__ == "__main__":
    sys.exit(main())
