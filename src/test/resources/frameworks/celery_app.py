"""The Celery app of JobQueueFrameworksIT: broker and result backend the Redis at 127.0.0.1:RP_PORT, the broker's
keys and channels under the prefix RP_PREFIX (kombu's global_keyprefix; Celery 5.2's result backend has none)."""
import os
import time

from celery import Celery

url = "redis://127.0.0.1:%s/0" % os.environ["RP_PORT"]
app = Celery("celery_app", broker=url, backend=url)
app.conf.broker_transport_options = {"global_keyprefix": os.environ.get("RP_PREFIX", "")}


@app.task
def square(i):
    with open(os.environ["RP_DONE_LOG"], "a") as done:
        done.write(f"{i} {i * i} {time.time()}\n")
    return i * i
