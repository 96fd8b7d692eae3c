-- Single transactions for `fraudwatch bench http --generator wrk|both`, run by bench/wrk-generator.ts.
-- wrk 4.1 is closed loop, so delay() paces the connections to absolute due instants at a fixed rate (a free
-- connection waits for the next due instant). Every request carries an id never sent before: the server
-- answers a repeated transaction_id from its idempotency cache, which would measure the cached path.
-- Arguments after `--`: requests a second (this thread's share) and an id prefix unique to the run.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } fraudwatch_timespec;
int clock_gettime(int clock_id, fraudwatch_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("fraudwatch_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- setup() and done() share an environment of their own; the threads' counters are read back in done().
local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local interval_ms, prefix, start_ms
scheduled, late, seq = 0, 0, 0

function init(args)
  interval_ms = 1000 / tonumber(args[1])
  prefix = args[2] .. "-" .. thread_index
  wrk.method = "POST"
end

-- wrk times a request from its write, not from its due instant: a request that found every connection busy
-- for more than the timer's 1 ms granularity is counted as late, so the reader knows the figures omit waits.
function delay()
  local now = now_ms()
  if start_ms == nil then start_ms = now end
  local due = start_ms + scheduled * interval_ms
  scheduled = scheduled + 1
  if now - due > 1 then late = late + 1 end
  return math.max(0, due - now)
end

function request()
  seq = seq + 1
  local body = string.format(
    '{"transaction_id":"%s-%d","timestamp":"%s","account_id":"acct-%d","amount":%d,' ..
      '"currency":"EUR","merchant_id":"m-%d","device_id":"d-%d"}',
    prefix, seq, os.date("!%Y-%m-%dT%H:%M:%SZ"), seq % 5000, 10 + seq % 500, seq % 300, seq % 7000)
  return wrk.format(nil, nil, nil, body)
end

-- One line for bench/wrk-generator.ts to parse, after wrk's own summary; times in microseconds.
function done(summary, latency, requests)
  local late_total, scheduled_total = 0, 0
  for _, thread in ipairs(threads) do
    late_total = late_total + thread:get("late")
    scheduled_total = scheduled_total + thread:get("scheduled")
  end
  local e = summary.errors
  io.write(string.format(
    'wrk-json {"duration_us":%d,"requests":%d,"errors":%d,"status_errors":%d,"timeouts":%d,' ..
      '"late":%d,"scheduled":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}\n',
    summary.duration, summary.requests, e.connect + e.read + e.write, e.status, e.timeout,
    late_total, scheduled_total, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
