"""The job JobQueueFrameworksIT gives RQ: it notes that it ran (RP_DONE_LOG) and returns its result."""
import os
import time


def square(i):
    with open(os.environ["RP_DONE_LOG"], "a") as done:
        done.write(f"{i} {i * i} {time.time()}\n")
    return i * i
