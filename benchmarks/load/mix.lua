-- wrk script: a mix of what people ask the atlas for — pages, the page's data, /api and /ogc —
-- in turn; every answer must be 2xx/3xx (wrk counts any other status as an error).  After the
-- run, one JSON line with the counts and latency percentiles (µs).
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
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
