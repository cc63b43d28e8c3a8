-- wrk script: each request asks for a different pledge page (mostly cache misses at scale).
math.randomseed(os.time())
local count = tonumber(os.getenv("BENCH_PLEDGES"))
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
request = function()
  return wrk.format("GET", "/en/pledges/volume-" .. (first + math.random(0, count - 1)) .. "/")
end
