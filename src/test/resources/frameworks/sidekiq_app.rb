# The Sidekiq setup of JobQueueFrameworksIT: the Redis at 127.0.0.1:RP_PORT, every key under the namespace
# RP_PREFIX when it is set (redis-namespace, which Sidekiq 6 uses for its namespace option).
require "sidekiq"
Redis.silence_deprecations = true

redis = { url: "redis://127.0.0.1:#{ENV.fetch("RP_PORT")}/0" }
redis[:namespace] = ENV["RP_PREFIX"] unless ENV.fetch("RP_PREFIX", "").empty?
Sidekiq.configure_server { |config| config.redis = redis }
Sidekiq.configure_client { |config| config.redis = redis }

# Sidekiq keeps no results: the job stores its own in the hash "results".
class SquareJob
  include Sidekiq::Job
  sidekiq_options retry: false

  def perform(i)
    Sidekiq.redis { |conn| conn.hset("results", i.to_s, (i * i).to_s) }
    File.open(ENV.fetch("RP_DONE_LOG"), "a") do |done|
      done.write("#{i} #{i * i} #{Process.clock_gettime(Process::CLOCK_REALTIME)}\n")
    end
  end
end
