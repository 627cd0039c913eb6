#include "api/csv.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace vs::api {
namespace {
std::string Num(double v) { return nlohmann::json(v).dump(); }
}  // namespace

std::string DetectionsCsvHeader() {
  return "id,scan_id,timestamp,store,shelf_location,sku,class_name,class_id,confidence,x_center,"
         "y_center,width,height,image_path\r\n";
}

std::string CsvField(const std::string& text) {
  // A spreadsheet runs a cell that starts with = + - @ (or tab / CR, which some strip first) as a
  // formula: such text gets a leading apostrophe and quotes (OWASP's CSV-injection rule).
  const bool formula =
      !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string::npos;
  if (!formula && text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = formula ? "\"'" : "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string DetectionCsvRow(const store::DetectionRecord& d) {
  std::string row;
  row += std::to_string(d.id) + "," + std::to_string(d.scan_id) + "," + FormatIso8601(d.timestamp) +
         ",";
  row += CsvField(d.store) + "," + CsvField(d.shelf_location) + "," + CsvField(d.sku) + "," +
         CsvField(d.class_name) + ",";
  row += std::to_string(d.class_id) + "," + Num(d.confidence) + "," + Num(d.x_center) + "," +
         Num(d.y_center) + "," + Num(d.width) + "," + Num(d.height) + ",";
  row += CsvField(d.image_path) + "\r\n";
  return row;
}

namespace {

// Undoes CsvField's formula neutralisation.
std::string Unneutralise(std::string field) {
  if (field.size() >= 2 && field[0] == '\'' &&
      std::string_view("=+-@\t\r").find(field[1]) != std::string_view::npos) {
    field.erase(0, 1);
  }
  return field;
}

}  // namespace

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> out;
  CsvRecord record;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field was quoted (and closed)
  bool any = false;         // the current record has content
  int line = 1;
  record.line = 1;
  auto end_field = [&] {
    record.fields.push_back(Unneutralise(std::move(field)));
    field.clear();
    was_quoted = false;
  };
  auto end_record = [&] {
    if (any) {
      end_field();
      out.push_back(std::move(record));
    }
    record = CsvRecord{};
    field.clear();
    was_quoted = false;
    any = false;
  };
  auto error = [&](const std::string& what) {
    return Status::InvalidArgument("CSV line " + std::to_string(line) + ": " + what);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n' || c == '\r') {
      end_record();
      ++line;
      record.line = line;
      continue;
    }
    if (!any) record.line = line;
    any = true;
    if (c == ',') {
      end_field();
    } else if (c == '"') {
      if (!field.empty() || was_quoted) return error("a quote inside an unquoted field");
      quoted = true;
    } else {
      if (was_quoted) return error("text after a closing quote");
      field.push_back(c);
    }
  }
  if (quoted) return error("a quoted field is not closed");
  end_record();
  return out;
}

}  // namespace vs::api
