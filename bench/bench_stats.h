// Per-call timing helpers shared by the in-process benchmarks (store_bench, compliance_bench).
#pragma once

#include <time.h>

#include <algorithm>
#include <vector>

namespace vs::bench {

// CPU time of the calling thread in milliseconds (excludes time spent waiting for a CPU).
inline double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The sample at rank floor(p * n) of the sorted values (p in [0, 1]); `v` must not be empty.
inline double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

}  // namespace vs::bench
