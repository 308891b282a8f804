-- wrk script for bench/scale_bench.py: one request shape per run, set through the environment, and a JSON
-- line of throughput and latency percentiles at the end.
--   WRK_METHOD  GET (default) or POST
--   WRK_PATHS   file with one path per line, used in turn (default: the URL's path)
--   WRK_BODY    request body; "{n}" becomes a counter (POST)
--   WRK_AUTH    value of the Authorization header
--   WRK_COOKIE  value of the Cookie header
local method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
local paths = {}
local counter = 0
local thread_id = 0

local headers = { ["Host"] = "localhost" }
if os.getenv("WRK_AUTH") then headers["Authorization"] = os.getenv("WRK_AUTH") end
if os.getenv("WRK_COOKIE") then headers["Cookie"] = os.getenv("WRK_COOKIE") end
if body then headers["Content-Type"] = "application/x-www-form-urlencoded" end

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

function init(args)
  local file = os.getenv("WRK_PATHS")
  if file then
    for line in io.lines(file) do
      if #line > 0 then table.insert(paths, line) end
    end
  end
  counter = thread_id * 1000000 + math.floor(os.time() % 100000) * 10
end

function request()
  counter = counter + 1
  local path = wrk.path
  if #paths > 0 then path = paths[(counter % #paths) + 1] end
  local payload = nil
  if body then payload = string.gsub(body, "{n}", tostring(counter)) end
  return wrk.format(method, path, headers, payload)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
