-- wrk script for bench/run.py: reports one machine-readable line from done().
--
-- GET scenarios (the default) send wrk's own request and define no response()
-- callback, so wrk keeps its fast path; non-2xx/3xx answers are counted by wrk.
--
-- BENCH_MODE=patch: every wrk thread (run with threads == connections, so one
-- connection per thread and strictly sequential requests) edits its own record,
-- BENCH_PATCH_PATHS[thread]. It GETs the record once for its ETag, then PATCHes the
-- `note` with If-Match, taking the next ETag from each 200. A 412 (stale ETag)
-- is counted apart and makes the thread GET again; only PATCH 200s are successes.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  table.insert(threads, thread)
end

local function split(text, sep)
  local parts = {}
  for part in string.gmatch(text or "", "([^" .. sep .. "]+)") do
    table.insert(parts, part)
  end
  return parts
end

-- BENCH_MODE=vary_as_of: GET BENCH_PATH (ending in "as_of=") with a random day of
-- 2000-2024 each time, so the service never has the answer remembered: the cost of
-- building a relations answer, not of replaying one.
if os.getenv("BENCH_MODE") == "vary_as_of" then
  function init(args)
    math.randomseed(thread_number * 7919)
    base_path = os.getenv("BENCH_PATH")
    first_day = os.time({ year = 2000, month = 1, day = 1, hour = 12 })
  end

  function request()
    local day = first_day + math.random(0, 9100) * 86400
    return wrk.format("GET", base_path .. os.date("!%Y-%m-%d", day))
  end
end

if os.getenv("BENCH_MODE") == "patch" then
  function init(args)
    patch_ok, patch_412, patch_other, gets, get_other, edits = 0, 0, 0, 0, 0, 0
    local paths = split(os.getenv("BENCH_PATCH_PATHS"), ",")
    path = paths[((thread_number - 1) % #paths) + 1]
    token = os.getenv("BENCH_TOKEN")
    etag = nil
    last_was_patch = false
  end

  function request()
    if etag == nil then
      last_was_patch = false
      return wrk.format("GET", path, { ["Accept"] = "application/json" })
    end
    last_was_patch = true
    edits = edits + 1
    local body = string.format('{"note":"bench edit %d/%d"}', thread_number, edits)
    return wrk.format("PATCH", path, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["If-Match"] = etag,
    }, body)
  end

  function response(status, headers, body)
    local tag = headers["ETag"] or headers["Etag"] or headers["etag"]
    if last_was_patch then
      if status == 200 then
        patch_ok = patch_ok + 1
        etag = tag
      elseif status == 412 then
        patch_412 = patch_412 + 1
        etag = nil
      else
        patch_other = patch_other + 1
        etag = nil
      end
    else
      if status == 200 then
        gets = gets + 1
        etag = tag
      else
        get_other = get_other + 1
      end
    end
  end
end

function done(summary, latency, requests)
  local totals = { patch_ok = 0, patch_412 = 0, patch_other = 0, gets = 0, get_other = 0 }
  if os.getenv("BENCH_MODE") == "patch" then
    for _, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
        totals[key] = totals[key] + (thread:get(key) or 0)
      end
    end
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"patch_ok":%d,"patch_412":%d,"patch_other":%d,"gets":%d,"get_other":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    totals.patch_ok, totals.patch_412, totals.patch_other, totals.gets, totals.get_other))
end
