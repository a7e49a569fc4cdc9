-- Ceiling A: GET the constant endpoint.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
