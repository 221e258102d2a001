-- wrk script for mockswitch's benchmark: a weighted, deterministic mix of Enswitch calls.
--
--   wrk -t1 -c50 -d10s -s bench/wrk/mix.lua http://127.0.0.1:PORT -- VALID INVALID GETS [PREFIX]
--
-- VALID, INVALID and GETS are weights (default 1 0 0: valid updates only); PREFIX goes
-- before every path ("/t/NAME": a tenant's calls). The mix is a
-- repeating cycle of 100 requests built once per thread in init(): no per-request string
-- work, so wrk spends its core on the sockets. done() prints one line starting with
-- BENCH_JSON that the benchmark parses (latencies in microseconds).

local AUTH = "auth_username=user&auth_password=password"
local UPDATE = "/api/json/bulk/campaigns/update/?" .. AUTH
local GET = "/api/json/bulk/campaigns/get/?" .. AUTH
local CAMPAIGNS = {123, 124, 125}  -- the campaigns of customer 10, which "user" may change

local requests = {}
local position = 0

local function valid(i)
  local id = CAMPAIGNS[(i % #CAMPAIGNS) + 1]
  return UPDATE .. "&id=" .. id .. "&name=Bench+" .. i .. "&retry=" .. (60 + i)
end

local function invalid(i)
  if i % 2 == 0 then
    return UPDATE .. "&id=123&attempts=0"          -- 400 from the parameter table
  end
  return UPDATE .. "&id=124&callerid=not+digits"   -- 400 from the parameter table (pattern)
end

local function get(i)
  return GET .. "&id=" .. CAMPAIGNS[(i % #CAMPAIGNS) + 1]
end

function init(args)
  local weights = {tonumber(args[1] or "1"), tonumber(args[2] or "0"), tonumber(args[3] or "0")}
  local makers = {valid, invalid, get}
  local prefix = args[4] or ""
  local total = weights[1] + weights[2] + weights[3]
  -- Spread the kinds evenly over the cycle (a Bresenham-like interleave), not in blocks.
  local credit = {0, 0, 0}
  for i = 1, 100 do
    local best = 1
    for k = 1, 3 do
      credit[k] = credit[k] + weights[k] / total
      if credit[k] > credit[best] then best = k end
    end
    credit[best] = credit[best] - 1
    requests[i] = wrk.format("GET", prefix .. makers[best](i))
  end
  position = 0
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
