// The parts of an Ultralytics data.yaml that evaluation needs, read with libyaml.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vs::eval {

struct DataYaml {
  std::vector<std::string> names;  // class id = index
  std::optional<std::string> val;  // the validation images folder, when given as one string
};

// Parses `text` (named `file` in messages). `names:` may be a sequence of names or a mapping of
// integer ids to names covering 0..n-1. InvalidValue "file:line: ..." when the YAML is malformed
// or names is missing, empty or not of those forms.
Result<DataYaml> ParseDataYaml(const std::string& text, const std::string& file);

}  // namespace vs::eval
