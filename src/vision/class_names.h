// Class names: from ONNX metadata ("names", an Ultralytics-style literal) or a labels file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vs::vision {

// Parses a Python-style dict literal with consecutive integer keys from 0, such as
// "{0: 'person', 1: \"it's\"}", or a list literal "['person', 'bicycle']". Keys may come in any
// order but must cover 0..n-1 exactly. InvalidValue describing the problem otherwise.
Result<std::vector<std::string>> ParseNamesLiteral(std::string_view text);

// One name per line; surrounding whitespace is trimmed and blank lines are skipped.
// NotFound if the file cannot be read, InvalidValue if it holds no name.
Result<std::vector<std::string>> ReadLabelsFile(const std::string& path);

}  // namespace vs::vision
