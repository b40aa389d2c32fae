-- wrk script for every HTTP phase of bench/run.py (run it with -t1: one thread).
--
-- REQUESTS_FILE holds one prepared request per line, tab-separated:
--   METHOD <TAB> PATH <TAB> AUTHORIZATION (may be empty) <TAB> JSON BODY (may be empty)
--   [<TAB> EXTRA HEADER "Name: value", e.g. a session cookie for the peer]
-- MODE=cycle  round robin over the lines until wrk's -d ends (start, refresh, healthz).
-- MODE=once   each line at most once (verify codes, set-up passes), until -d ends. Past the
--             last line a connection goes quiet; when every line has an answer the script
--             creates DONE_FILE and stops, and the driver ends wrk with SIGINT so that wrk's
--             duration is the time the lines took.
-- MODE=chain  each line once, and each 200 answer's CHAIN_FIELD (a rotated refresh JWT) comes
--             back as a new request like line 1 with "Authorization: CHAIN_AUTH_PREFIX<value>",
--             so every token is presented exactly once, whether the server rotates it or not.
-- RESPONSES_FILE (optional) gets every response body as one line (codes, tokens), or, with
--             RESPONSES_HEADER set, that response header's value (the peer's set-cookie).
-- ERRORS_FILE (optional) gets "status <TAB> body" of the first 20 non-2xx responses.
-- MAX_REQUESTS caps the requests of a phase (a safety net: -d ends every phase long before).
-- done() prints one line "RESULT {json}" for the driver.
--
-- wrk 4.1 calls request() once before the run to validate the script; with -t1 that call
-- runs in the thread's own state and its request is never sent, so the first call only
-- peeks at line 1 and consumes nothing.

local mode = os.getenv("MODE") or "cycle"
local max_requests = tonumber(os.getenv("MAX_REQUESTS") or "1000000")
local lines = {}
local next_line = 1
local validated = false
local queue, head, tail = {}, 1, 0 -- MODE=chain: requests not yet sent
local template = nil -- MODE=chain: the fields of line 1
local chain_pattern = '"' .. (os.getenv("CHAIN_FIELD") or "refreshJwt") .. '":"([^"]+)"'
local chain_auth = os.getenv("CHAIN_AUTH_PREFIX") or ""
local answered = 0
local responses_out = nil
local errors_out = nil
local errors_written = 0
local responses_header = os.getenv("RESPONSES_HEADER") or ""

statuses = {}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

local function format_line(fields)
  local headers = {}
  if fields[3] ~= nil and fields[3] ~= "" then
    headers["Authorization"] = fields[3]
  end
  if fields[5] ~= nil and fields[5] ~= "" then
    local name, value = fields[5]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local body = fields[4]
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/json"
  else
    body = nil
  end
  return wrk.format(fields[1], fields[2], headers, body)
end

function init(args)
  for line in io.lines(os.getenv("REQUESTS_FILE")) do
    if #line > 0 then
      local fields = split_tabs(line)
      template = template or fields
      lines[#lines + 1] = format_line(fields)
    end
  end
  for i, req in ipairs(lines) do
    queue[i] = req
  end
  tail = #lines
  local responses = os.getenv("RESPONSES_FILE")
  if responses and responses ~= "" then
    responses_out = io.open(responses, "w")
  end
  local errors = os.getenv("ERRORS_FILE")
  if errors and errors ~= "" then
    errors_out = io.open(errors, "w")
  end
end

function request()
  if not validated then
    validated = true
    return lines[1]
  end
  if mode == "chain" then
    if head > tail then
      return "" -- every token is in flight or lost: this connection stays quiet
    end
    local req = queue[head]
    queue[head] = nil
    head = head + 1
    return req
  end
  if mode == "cycle" then
    local req = lines[next_line]
    next_line = next_line % #lines + 1
    return req
  end
  if next_line > #lines then
    return "" -- nothing left: this connection stays quiet until wrk ends
  end
  local req = lines[next_line]
  next_line = next_line + 1
  return req
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mode == "chain" and status == 200 then
    local token = (body or ""):match(chain_pattern)
    if token then
      tail = tail + 1
      queue[tail] = format_line({ template[1], template[2], chain_auth .. token, template[4], template[5] })
    end
  end
  if responses_out then
    if responses_header ~= "" then
      responses_out:write(headers[responses_header] or "", "\n")
    else
      responses_out:write(body or "", "\n")
    end
  end
  if (status < 200 or status > 299) and errors_out and errors_written < 20 then
    errors_written = errors_written + 1
    errors_out:write(status, "\t", body or "", "\n")
  end
  answered = answered + 1
  if answered >= max_requests then
    wrk.thread:stop()
  end
  if mode == "once" and answered >= #lines then
    if responses_out then responses_out:flush() end
    if errors_out then errors_out:flush() end
    io.open(os.getenv("DONE_FILE"), "w"):close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses") or {}) do
      counts[#counts + 1] = string.format('"%d":%d', code, count)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(counts, ",")))
end
