// CSV (RFC 4180) of detection records, one row per detection.
#pragma once

#include <string>
#include <vector>

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

}  // namespace vs::api
