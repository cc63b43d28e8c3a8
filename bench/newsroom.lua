-- wrk script: pledge pages as readers ask for them: most requests (BENCH_HOT_SHARE) for a few
-- popular pledges (the first BENCH_HOT), the rest for any pledge of all BENCH_PLEDGES.
math.randomseed(os.time())
local count = tonumber(os.getenv("BENCH_PLEDGES"))
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local hot = tonumber(os.getenv("BENCH_HOT"))
local share = tonumber(os.getenv("BENCH_HOT_SHARE"))
request = function()
  local n = math.random() < share and math.random(0, hot - 1) or math.random(0, count - 1)
  return wrk.format("GET", "/en/pledges/volume-" .. (first + n) .. "/")
end
