-- Tracking lookups: POST /api/v1/tracking with the number-and-email pairs of a seeded file, in turn.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local pairs_file = os.getenv("BENCH_PAIRS")
local bodies = {}

function init(args)
  for line in io.lines(pairs_file) do
    local number, email = line:match("^(%S+) (%S+)$")
    table.insert(bodies, string.format('{"number": "%s", "email": "%s"}', number, email))
  end
  position = (id * 7919) % #bodies
end

function request()
  position = position % #bodies + 1
  return wrk.format("POST", "/api/v1/tracking", {["Content-Type"] = "application/json"}, bodies[position])
end
