#include "core/time.h"

#include <cctype>
#include <cstdio>

namespace vs {

using namespace std::chrono;

Timestamp Now() { return time_point_cast<milliseconds>(system_clock::now()); }
int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromUnixMillis(int64_t ms) { return Timestamp(milliseconds(ms)); }

std::string FormatIso8601(Timestamp t) {
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

namespace {

// Reads exactly `n` digits at `*p`, advancing it.
bool Digits(std::string_view s, size_t* p, int n, int* out) {
  if (*p + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[*p + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* p, char c) {
  if (*p < s.size() && s[*p] == c) {
    ++*p;
    return true;
  }
  return false;
}

}  // namespace

Result<Timestamp> ParseIso8601(std::string_view s) {
  const auto bad = [&] {
    return Status::InvalidValue("'" + std::string(s) +
                                "' is not an ISO 8601 time (e.g. 2026-11-28T07:20:00Z)");
  };
  size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!Digits(s, &p, 4, &y) || !Expect(s, &p, '-') || !Digits(s, &p, 2, &mo) ||
      !Expect(s, &p, '-') || !Digits(s, &p, 2, &d))
    return bad();
  const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok()) return bad();
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    ++p;
    if (!Digits(s, &p, 2, &h) || !Expect(s, &p, ':') || !Digits(s, &p, 2, &mi)) return bad();
    if (Expect(s, &p, ':')) {
      if (!Digits(s, &p, 2, &sec)) return bad();
      if (Expect(s, &p, '.') || Expect(s, &p, ',')) {
        // Fractional seconds: keep milliseconds, ignore further digits.
        int scale = 100, digits = 0;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
          if (scale > 0) ms += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
          ++digits;
        }
        if (digits == 0) return bad();
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return bad();
  }
  int offset_min = 0;
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      const int sign = s[p] == '-' ? -1 : 1;
      ++p;
      int oh = 0, om = 0;
      if (!Digits(s, &p, 2, &oh)) return bad();
      Expect(s, &p, ':');
      if (p < s.size() && !Digits(s, &p, 2, &om)) return bad();
      if (oh > 23 || om > 59) return bad();
      offset_min = sign * (oh * 60 + om);
    }
  }
  if (p != s.size()) return bad();
  const auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) + milliseconds(ms) -
                 minutes(offset_min);
  // An offset may carry the instant out of years 0000..9999, which FormatIso8601 cannot print
  // in a form this function reads back.
  const year utc_year = year_month_day(floor<days>(t)).year();
  if (utc_year < year(0) || utc_year > year(9999)) return bad();
  return Timestamp(t);
}

}  // namespace vs
