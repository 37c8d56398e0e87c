"""RQ's producer and checker for JobQueueFrameworksIT: `rq_jobs.py enqueue` puts RP_JOBS jobs on the queue
`default` of the Redis at 127.0.0.1:RP_PORT; `rq_jobs.py check` fetches each job back and checks its status and
result, printing "checked N bad B" (exit 1 unless B is 0). RQ has no key-prefix option: its keys are rq:..."""
import os
import sys

from redis import Redis
from rq import Queue
from rq.job import Job

jobs = int(os.environ["RP_JOBS"])
redis = Redis(host="127.0.0.1", port=int(os.environ["RP_PORT"]), socket_timeout=20)
if sys.argv[1] == "enqueue":
    queue = Queue("default", connection=redis)
    for i in range(jobs):
        queue.enqueue("rq_tasks.square", i, job_id=f"job-{i}")
    print("enqueued", jobs, flush=True)
else:
    bad = 0
    for i in range(jobs):
        job = Job.fetch(f"job-{i}", connection=redis)
        if job.get_status() != "finished" or job.result != i * i:
            bad += 1
            print("job", i, job.get_status(), job.result, flush=True)
    print("checked", jobs, "bad", bad, flush=True)
    sys.exit(0 if bad == 0 else 1)
