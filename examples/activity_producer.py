"""Step 1 of the tutorial: a Python producer of fake click events on the topic user_clicks.

Written the way a reader of the tutorial writes it: kafka-python, JSON values, no key, and an
event_ts straight from the standard library, without a time zone. `clickstream process` reads such
times in its --event-time-zone (default UTC; pass your producer's zone, e.g. Europe/Berlin).

    .venv/bin/python examples/activity_producer.py --events 100 --interval 0.1

`clickstream produce` is the fast way to the same topic (hundreds of thousands of events a second).
"""

import argparse
import json
import random
import time
from datetime import datetime

from kafka import KafkaProducer

PAGES = ["/home", "/products", "/cart", "/checkout", "/about", "/search"]

# What `event_ts` looks like, by how the script writes it.
TIME_STYLES = {
    "isoformat": lambda: datetime.now().isoformat(),  # 2026-11-23T22:55:00.123456
    "str": lambda: str(datetime.now()),  # 2026-11-23 22:55:00.123456
    "strftime": lambda: datetime.now().strftime("%Y-%m-%d %H:%M:%S"),  # 2026-11-23 22:55:00
    "epoch": lambda: time.time(),  # 1795474500.123456
}


def make_event(users, style):
    """One click: a random user on a random page, now."""
    return {
        "user_id": f"user_{random.randint(1, users)}",
        "page": random.choice(PAGES),
        "event_ts": TIME_STYLES[style](),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description="Send fake click events to Kafka (tutorial step 1).")
    p.add_argument("--brokers", default="127.0.0.1:9092")
    p.add_argument("--topic", default="user_clicks")
    p.add_argument("--events", type=int, default=100, help="how many events to send")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--interval", type=float, default=0.1, help="seconds between two events")
    p.add_argument("--time-style", choices=sorted(TIME_STYLES), default="isoformat")
    args = p.parse_args(argv)

    producer = KafkaProducer(
        bootstrap_servers=args.brokers,
        value_serializer=lambda value: json.dumps(value).encode("utf-8"),
    )
    for _ in range(args.events):
        event = make_event(args.users, args.time_style)
        producer.send(args.topic, event)
        print(event)
        if args.interval > 0:
            time.sleep(args.interval)
    producer.flush()
    producer.close()


if __name__ == "__main__":
    main()
