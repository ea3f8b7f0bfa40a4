-- wrk script for benchmarks/compare.sh: cycles through request paths written by
-- `FediTracker.LoadTest wrk-paths --out FILE` (the load test's workload: skewed torrents, numwant 30, ~1 % scrapes).
-- Usage: wrk -t1 -c64 -d20s --latency -s benchmarks/wrk-announce.lua http://127.0.0.1:PORT -- FILE
local paths = {}
local position = 0

function init(args)
  local file = args[1] or os.getenv("WRK_PATHS")
  for line in io.lines(file) do
    paths[#paths + 1] = line
  end
  -- each wrk thread starts at its own place in the list
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
