-- Submissions: POST /api/v1/complaints, each from its own citizen address, so that every
-- acknowledgement email can be counted in the sink.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local tag = os.getenv("BENCH_TAG")
local template = '{"kind": "complaint", "category": "roads", "district": "anfa", ' ..
  '"subject": "Nid de poule", "description": "Un trou profond devant le numéro 12.", ' ..
  '"address": "12 rue des Oliviers", ' ..
  '"citizen": {"name": "Banc d essai", "email": "%s-%d-%d@bench.example", "language": "fr"}, ' ..
  '"consent": true}'
local sent = 0

function request()
  sent = sent + 1
  local body = string.format(template, tag, id, sent)
  return wrk.format("POST", "/api/v1/complaints", {["Content-Type"] = "application/json"}, body)
end
