-- wrk script: GET of wrk's URL; reports latency percentiles and non-200 answers.
done = function(summary, latency, requests)
  io.write(string.format("VSRESULT p50=%.2f p99=%.2f rps=%.2f requests=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests, summary.errors.status))
end
