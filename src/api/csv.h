// CSV (RFC 4180): detection records written one row per detection, and a small reader for the
// planogram and catalogue files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/types.h"

namespace vs::api {

// "id,scan_id,timestamp,store,shelf_location,sku,class_name,class_id,confidence,x_center,
// y_center,width,height,image_path\r\n"
std::string DetectionsCsvHeader();
// One row; numbers are written exactly as in the JSON answers, text is quoted when needed.
std::string DetectionCsvRow(const store::DetectionRecord& d);
// A field quoted if it holds a comma, quote, CR or LF (quotes doubled); text starting with
// = + - @ tab or CR is neutralised as "'text" (OWASP's CSV-injection rule).
std::string CsvField(const std::string& text);

// One record of a CSV file and the line (1-based) it starts on.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// Reads RFC 4180 text: fields separated by commas, records by CRLF or LF, a field in double
// quotes may hold commas, line breaks and doubled quotes. A UTF-8 byte-order mark at the start
// is skipped, and so are empty lines. A field that CsvField neutralised ("'=...", an apostrophe
// before = + - @ tab or CR) is read back without the apostrophe. InvalidArgument naming the line
// for a quote inside an unquoted field, text after a closing quote, or an unterminated quote.
// (Hand-written: a few dozen lines that must report line numbers; no CSV library is in the tree
// or in the project's dependencies.)
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

}  // namespace vs::api
