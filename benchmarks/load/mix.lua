-- wrk script: a mix of what people ask the atlas for — pages, the page's data, /api and /ogc —
-- in turn; every answer must be 2xx/3xx (wrk counts any other status as an error).  After the
-- run, one JSON line with the counts and latency percentiles (µs), by ../peers/wrk-report.lua.
local paths = {
  "/", "/?lang=en&industry=integrated_circuits", "/parks/sanchuang-park", "/enterprises/jhicc?lang=en",
  "/chains/ic", "/site-finder?industry=integrated_circuits&space=office&size_m2=500&near=university",
  "/api/entities", "/api/entities?industry=integrated_circuits&zone=kechuang-new-zone",
  "/api/layers/towns", "/api/search?q=sanchuang", "/api/nearest?lon=118.55&lat=24.78&k=5",
  "/api/locate?lon=118.55&lat=24.78", "/ogc/collections", "/ogc/collections/platforms/items?limit=50",
  "/ogc/collections/incubators/items/sanchuang-incubator", "/export/platforms.csv", "/healthz",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], { ["Accept-Encoding"] = "gzip" })
end
-- the report line: the same as the peers' benchmark prints
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "../peers/wrk-report.lua")
