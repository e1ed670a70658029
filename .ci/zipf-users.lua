-- wrk script: GET $RECO_PATH followed by a user id, users u1..u$RECO_USERS
-- drawn from the same Zipf distribution `reco loadgen` uses
-- (P(u_k) ∝ k^-1.1), so that wrk and loadgen runs compare.
local path = os.getenv("RECO_PATH") or "/v1/recommend/feed?n=10&user="
local users = tonumber(os.getenv("RECO_USERS") or "3000")
local cum, total = {}, 0
for k = 1, users do
  total = total + k ^ -1.1
  cum[k] = total
end
math.randomseed(os.time())
local function user()
  local x, lo, hi = math.random() * total, 1, users
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cum[mid] < x then lo = mid + 1 else hi = mid end
  end
  return lo
end
request = function()
  return wrk.format("GET", path .. "u" .. user())
end
