-- make soak: each request takes the next of the pages below, as the signed-in demo Owner.
local paths = {"/orgs/demo/settings/general", "/orgs/demo/settings/members", "/orgs/demo/settings/secrets"}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Cookie"] = "wh_session=" .. os.getenv("SOAK_SESSION") })
end
