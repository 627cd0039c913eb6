-- wrk script: POST /api/detect with one photo as multipart/form-data.
-- The photo's path comes from the environment variable VS_BENCH_PHOTO.
local path = os.getenv("VS_BENCH_PHOTO")
local f = assert(io.open(path, "rb"))
local photo = f:read("*a")
f:close()
local boundary = "vsbench7d93f0a1c2e4"
wrk.method = "POST"
wrk.path = "/api/detect?store=bench&shelf_location=bench"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n" ..
  'Content-Disposition: form-data; name="file"; filename="photo.jpg"\r\n' ..
  "Content-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n--" .. boundary .. "--\r\n"

done = function(summary, latency, requests)
  io.write(string.format("VSRESULT p50=%.2f p99=%.2f rps=%.2f requests=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests, summary.errors.status))
end
