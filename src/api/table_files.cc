#include "api/table_files.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "api/csv.h"
#include "core/text.h"

namespace vs::api {
namespace {

using nlohmann::json;

constexpr size_t kMaxText = 1000;
constexpr size_t kMaxRows = 100000;

const std::vector<std::string>& PlanogramColumns() {
  static const std::vector<std::string> k = {
      "planogram_name", "store",      "shelf_location", "sku",     "product_name",
      "expected_count", "x_position", "y_position",     "slot_x1", "slot_y1",
      "slot_x2",        "slot_y2",    "meta_data"};
  return k;
}
const std::vector<std::string>& ProductColumns() {
  static const std::vector<std::string> k = {"class_name", "sku", "product_name", "brand"};
  return k;
}

// One row as text fields by column name (absent key: column absent or empty cell).
using Fields = std::map<std::string, std::string>;

struct RawRow {
  int line = 0, row = 0;
  Fields text;      // CSV cells, or JSON scalars as text
  json json_value;  // the JSON element (JSON files only)
};

std::optional<double> ParseDouble(const std::string& s) {
  double v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}
std::optional<int64_t> ParseInteger(const std::string& s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

// CSV -> raw rows; header problems (unknown or repeated columns) go to `errors`.
std::vector<RawRow> CsvRows(std::string_view text, const std::vector<std::string>& known,
                            std::vector<RowError>* errors) {
  std::vector<RawRow> out;
  auto records = ParseCsv(text);
  if (!records.ok()) {
    errors->push_back({0, 0, records.status().message()});
    return out;
  }
  if (records->empty()) {
    errors->push_back({1, 0, "the file is empty (a header row is required)"});
    return out;
  }
  const CsvRecord& header = records->front();
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const std::string& raw : header.fields) {
    std::string name = raw;
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      errors->push_back({header.line, 0, "unknown column '" + name + "'"});
    } else if (!seen.insert(name).second) {
      errors->push_back({header.line, 0, "column '" + name + "' appears twice"});
    }
    names.push_back(std::move(name));
  }
  if (records->size() - 1 > kMaxRows) {
    errors->push_back({0, 0, "more than " + std::to_string(kMaxRows) + " rows"});
    return out;
  }
  for (size_t i = 1; i < records->size(); ++i) {
    const CsvRecord& r = (*records)[i];
    RawRow row{r.line, static_cast<int>(i), {}, nullptr};
    if (r.fields.size() != names.size()) {
      errors->push_back({r.line, row.row,
                         "has " + std::to_string(r.fields.size()) + " fields, the header has " +
                             std::to_string(names.size())});
      continue;
    }
    for (size_t c = 0; c < names.size(); ++c) {
      if (!r.fields[c].empty()) row.text[names[c]] = r.fields[c];
    }
    out.push_back(std::move(row));
  }
  return out;
}

// JSON -> raw rows (scalars as text); `list_key` is the key of the exported wrapper object.
std::vector<RawRow> JsonRows(std::string_view text, const char* list_key,
                             const std::vector<std::string>& known,
                             const std::set<std::string>& structured,
                             std::vector<RowError>* errors) {
  std::vector<RawRow> out;
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    errors->push_back({0, 0, "not valid JSON"});
    return out;
  }
  if (doc.is_object() && doc.contains(list_key)) doc = doc[list_key];
  if (!doc.is_array()) {
    errors->push_back(
        {0, 0, std::string("expected a JSON array (or an object with \"") + list_key + "\")"});
    return out;
  }
  if (doc.size() > kMaxRows) {
    errors->push_back({0, 0, "more than " + std::to_string(kMaxRows) + " rows"});
    return out;
  }
  int index = 0;
  for (const json& e : doc) {
    ++index;
    if (!e.is_object()) {
      errors->push_back({0, index, "not a JSON object"});
      continue;
    }
    RawRow row{0, index, {}, e};
    bool bad = false;
    for (const auto& [k, v] : e.items()) {
      if (std::find(known.begin(), known.end(), k) == known.end() && !structured.count(k)) {
        errors->push_back({0, index, "unknown field '" + k + "'"});
        bad = true;
        continue;
      }
      if (structured.count(k) || v.is_null()) continue;
      if (v.is_string()) {
        if (!v.get<std::string>().empty()) row.text[k] = v.get<std::string>();
      } else if (v.is_number() || v.is_boolean()) {
        row.text[k] = v.dump();
      } else {
        errors->push_back({0, index, "field '" + k + "' must be a string or a number"});
        bad = true;
      }
    }
    if (!bad) out.push_back(std::move(row));
  }
  return out;
}

// Collects the errors of one row.
struct RowCheck {
  const RawRow& row;
  std::vector<RowError>* errors;
  bool ok = true;

  void Fail(const std::string& reason) {
    errors->push_back({row.line, row.row, reason});
    ok = false;
  }
  std::string Text(const std::string& key, bool required) {
    auto it = row.text.find(key);
    if (it == row.text.end()) {
      if (required) Fail("missing field '" + key + "'");
      return "";
    }
    if (Status s = ValidateIdentifier(key, it->second, kMaxText); !s.ok()) {
      Fail(s.message());
      return "";
    }
    return it->second;
  }
  std::optional<double> Unit(const std::string& key) {
    auto it = row.text.find(key);
    if (it == row.text.end()) return std::nullopt;
    auto v = ParseDouble(it->second);
    if (!v) {
      Fail("bad number in '" + key + "': '" + it->second + "'");
      return std::nullopt;
    }
    if (*v < 0 || *v > 1) {
      Fail("'" + key + "' must be between 0 and 1 (normalised to the photo)");
      return std::nullopt;
    }
    return v;
  }
};

// A row's slot key for the duplicate check: its box, else its point, else its SKU.
std::string SlotKey(const store::Planogram& p) {
  const std::string shelf =
      p.planogram_name + '\x1f' + p.store + '\x1f' + p.shelf_location + '\x1f';
  if (auto it = p.meta_data.find("slot"); it != p.meta_data.end())
    return shelf + "box" + it->dump();
  if (p.x_position && p.y_position) {
    return shelf + "point" + json::array({*p.x_position, *p.y_position}).dump();
  }
  return shelf + "sku" + p.sku;
}

std::optional<store::Planogram> PlanogramRow(const RawRow& raw, TableFormat format,
                                             std::vector<RowError>* errors) {
  RowCheck check{raw, errors};
  store::Planogram p;
  p.planogram_name = check.Text("planogram_name", true);
  p.store = check.Text("store", false);
  p.shelf_location = check.Text("shelf_location", false);
  p.sku = check.Text("sku", true);
  p.product_name = check.Text("product_name", false);
  if (auto it = raw.text.find("expected_count"); it == raw.text.end()) {
    check.Fail("missing field 'expected_count'");
  } else if (auto n = ParseInteger(it->second); !n) {
    check.Fail("bad number in 'expected_count': '" + it->second + "'");
  } else if (*n < 0) {
    check.Fail("negative expected_count (" + it->second + ")");
  } else if (*n > 100000) {
    check.Fail("expected_count above 100000");
  } else {
    p.expected_count = static_cast<int>(*n);
  }
  p.x_position = check.Unit("x_position");
  p.y_position = check.Unit("y_position");
  // meta_data: a JSON object (text in CSV, an object in JSON).
  if (format == TableFormat::kCsv) {
    if (auto it = raw.text.find("meta_data"); it != raw.text.end()) {
      json m = json::parse(it->second, nullptr, false);
      if (m.is_discarded() || !m.is_object()) {
        check.Fail("meta_data is not a JSON object");
      } else {
        p.meta_data = std::move(m);
      }
    }
  } else if (auto it = raw.json_value.find("meta_data");
             it != raw.json_value.end() && !it->is_null()) {
    if (!it->is_object()) {
      check.Fail("meta_data is not a JSON object");
    } else {
      p.meta_data = *it;
    }
  }
  // The slot box: slot_* columns (CSV, or JSON scalars) or "slot": [x1, y1, x2, y2] (JSON).
  std::optional<std::vector<double>> box;
  int given = 0;
  std::vector<double> corners;
  for (const char* k : {"slot_x1", "slot_y1", "slot_x2", "slot_y2"}) {
    if (raw.text.count(k)) ++given;
    if (auto v = check.Unit(k)) corners.push_back(*v);
  }
  if (given == 4 && corners.size() == 4) box = corners;
  if (given != 0 && given != 4)
    check.Fail("a slot needs all of slot_x1, slot_y1, slot_x2, slot_y2");
  if (format == TableFormat::kJson) {
    if (auto it = raw.json_value.find("slot"); it != raw.json_value.end() && !it->is_null()) {
      std::vector<double> v;
      if (it->is_array() && it->size() == 4) {
        for (const json& x : *it) {
          if (x.is_number() && x.get<double>() >= 0 && x.get<double>() <= 1)
            v.push_back(x.get<double>());
        }
      }
      if (v.size() != 4) {
        check.Fail("slot must be [x1, y1, x2, y2] with each value between 0 and 1");
      } else {
        box = v;
      }
    }
  }
  if (!box) {
    if (auto it = p.meta_data.find("slot");
        it != p.meta_data.end() && it->is_array() && it->size() == 4) {
      std::vector<double> v;
      for (const json& x : *it) {
        if (x.is_number()) v.push_back(x.get<double>());
      }
      if (v.size() == 4) box = v;
    }
  }
  if (box) {
    const auto& b = *box;
    if (!(b[0] < b[2] && b[1] < b[3])) {
      check.Fail("the slot box must have x1 < x2 and y1 < y2");
    } else {
      p.meta_data["slot"] = json::array({b[0], b[1], b[2], b[3]});
    }
  }
  if (p.meta_data.dump().size() > 16384) check.Fail("meta_data is larger than 16 KiB");
  if (!check.ok) return std::nullopt;
  return p;
}

std::optional<store::Product> ProductRow(const RawRow& raw, std::vector<RowError>* errors) {
  RowCheck check{raw, errors};
  store::Product p;
  p.class_name = check.Text("class_name", true);
  p.sku = check.Text("sku", true);
  p.product_name = check.Text("product_name", false);
  p.brand = check.Text("brand", false);
  if (!check.ok) return std::nullopt;
  return p;
}

std::string Num(std::optional<double> v) { return v ? json(*v).dump() : ""; }

}  // namespace

TableFile<store::Planogram> ParsePlanogramFile(std::string_view text, TableFormat format) {
  TableFile<store::Planogram> out;
  const std::vector<RawRow> raw =
      format == TableFormat::kCsv
          ? CsvRows(text, PlanogramColumns(), &out.errors)
          : JsonRows(text, "planograms", PlanogramColumns(), {"meta_data", "slot"}, &out.errors);
  std::map<std::string, int> slots;  // slot key -> data row
  for (const RawRow& r : raw) {
    auto p = PlanogramRow(r, format, &out.errors);
    if (!p) continue;
    auto [it, fresh] = slots.emplace(SlotKey(*p), r.row);
    if (!fresh) {
      out.errors.push_back(
          {r.line, r.row, "duplicate slot: same as row " + std::to_string(it->second)});
      continue;
    }
    out.rows.push_back(std::move(*p));
  }
  if (out.errors.empty() && out.rows.empty()) out.errors.push_back({0, 0, "the file has no rows"});
  return out;
}

TableFile<store::Product> ParseProductFile(std::string_view text, TableFormat format) {
  TableFile<store::Product> out;
  const std::vector<RawRow> raw =
      format == TableFormat::kCsv ? CsvRows(text, ProductColumns(), &out.errors)
                                  : JsonRows(text, "products", ProductColumns(), {}, &out.errors);
  std::map<std::string, int> classes, skus;
  for (const RawRow& r : raw) {
    auto p = ProductRow(r, &out.errors);
    if (!p) continue;
    if (auto [it, fresh] = classes.emplace(p->class_name, r.row); !fresh) {
      out.errors.push_back(
          {r.line, r.row, "duplicate class_name: same as row " + std::to_string(it->second)});
      continue;
    }
    if (auto [it, fresh] = skus.emplace(p->sku, r.row); !fresh) {
      out.errors.push_back(
          {r.line, r.row, "duplicate sku: same as row " + std::to_string(it->second)});
      continue;
    }
    out.rows.push_back(std::move(*p));
  }
  if (out.errors.empty() && out.rows.empty()) out.errors.push_back({0, 0, "the file has no rows"});
  return out;
}

std::string PlanogramsCsv(const std::vector<store::Planogram>& rows) {
  std::string out;
  for (size_t i = 0; i < PlanogramColumns().size(); ++i) {
    out += (i ? "," : "") + PlanogramColumns()[i];
  }
  out += "\r\n";
  for (const auto& p : rows) {
    json meta = p.meta_data;
    std::string slot[4];
    if (auto it = meta.find("slot"); it != meta.end() && it->is_array() && it->size() == 4) {
      for (int k = 0; k < 4; ++k) slot[k] = (*it)[k].dump();
      meta.erase("slot");
    }
    out += CsvField(p.planogram_name) + "," + CsvField(p.store) + "," + CsvField(p.shelf_location) +
           "," + CsvField(p.sku) + "," + CsvField(p.product_name) + "," +
           std::to_string(p.expected_count) + "," + Num(p.x_position) + "," + Num(p.y_position) +
           "," + slot[0] + "," + slot[1] + "," + slot[2] + "," + slot[3] + "," +
           (meta.empty() ? std::string() : CsvField(meta.dump())) + "\r\n";
  }
  return out;
}

json PlanogramsJson(const std::vector<store::Planogram>& rows) {
  json list = json::array();
  for (const auto& p : rows) {
    json meta = p.meta_data;
    json slot = nullptr;
    if (auto it = meta.find("slot"); it != meta.end()) {
      slot = *it;
      meta.erase("slot");
    }
    list.push_back({{"planogram_name", p.planogram_name},
                    {"store", p.store},
                    {"shelf_location", p.shelf_location},
                    {"sku", p.sku},
                    {"product_name", p.product_name},
                    {"expected_count", p.expected_count},
                    {"x_position", p.x_position ? json(*p.x_position) : json(nullptr)},
                    {"y_position", p.y_position ? json(*p.y_position) : json(nullptr)},
                    {"slot", slot},
                    {"meta_data", meta}});
  }
  return {{"planograms", std::move(list)}};
}

std::string ProductsCsv(const std::vector<store::Product>& products) {
  std::string out = "class_name,sku,product_name,brand\r\n";
  for (const auto& p : products) {
    out += CsvField(p.class_name) + "," + CsvField(p.sku) + "," + CsvField(p.product_name) + "," +
           CsvField(p.brand) + "\r\n";
  }
  return out;
}

json ProductsJson(const std::vector<store::Product>& products) {
  json list = json::array();
  for (const auto& p : products) {
    list.push_back({{"class_name", p.class_name},
                    {"sku", p.sku},
                    {"product_name", p.product_name},
                    {"brand", p.brand}});
  }
  return {{"products", std::move(list)}};
}

json RowErrorsJson(const std::vector<RowError>& errors) {
  json rows = json::array();
  for (const auto& e : errors) {
    rows.push_back({{"line", e.line ? json(e.line) : json(nullptr)},
                    {"row", e.row ? json(e.row) : json(nullptr)},
                    {"reason", e.reason}});
  }
  return {{"error",
           {{"code", "invalid_value"},
            {"message", std::to_string(errors.size()) + " problem" +
                            (errors.size() == 1 ? "" : "s") + " in the file; nothing imported"},
            {"rows", std::move(rows)}}}};
}

}  // namespace vs::api
