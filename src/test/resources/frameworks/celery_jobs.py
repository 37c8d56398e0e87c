"""Celery's producer for JobQueueFrameworksIT: sends RP_JOBS tasks, waits for each result (the result backend's
pub/sub), prints "checked N bad B", pings the worker and tells it to shut down (broadcasts through the broker)."""
import os
import sys

from celery_app import app, square

jobs = int(os.environ["RP_JOBS"])
results = [square.delay(i) for i in range(jobs)]
print("enqueued", jobs, flush=True)
bad = sum(1 for i, result in enumerate(results) if result.get(timeout=20) != i * i)
print("checked", jobs, "bad", bad, flush=True)
print("ping", app.control.ping(timeout=5, limit=1), flush=True)
app.control.shutdown()
sys.exit(0 if bad == 0 else 1)
