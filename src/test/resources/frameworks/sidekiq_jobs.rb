# Sidekiq's producer for JobQueueFrameworksIT: pushes RP_JOBS jobs, waits up to 20 s for their results, prints
# "checked N bad B" (exit 1 unless B is 0).
require_relative "sidekiq_app"

jobs = Integer(ENV.fetch("RP_JOBS"))
jobs.times { |i| SquareJob.perform_async(i) }
puts "enqueued #{jobs}"
$stdout.flush
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 20
results = {}
loop do
  results = Sidekiq.redis { |conn| conn.hgetall("results") }
  break if results.size >= jobs || Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
  sleep 0.05
end
bad = (0...jobs).count { |i| results[i.to_s] != (i * i).to_s }
puts "checked #{jobs} bad #{bad}"
exit(bad.zero? ? 0 : 1)
