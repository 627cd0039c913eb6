#include "vision/class_names.h"

#include <cctype>
#include <fstream>
#include <map>

namespace vs::vision {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  void SkipSpace() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (i_ < t_.size() && t_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == t_.size();
  }
  bool Int(long& v) {
    SkipSpace();
    const size_t start = i_;
    v = 0;
    while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_])) && v < 1'000'000) {
      v = v * 10 + (t_[i_++] - '0');
    }
    return i_ > start;
  }
  bool String(std::string& s) {
    SkipSpace();
    if (i_ >= t_.size() || (t_[i_] != '\'' && t_[i_] != '"')) return false;
    const char quote = t_[i_++];
    s.clear();
    while (i_ < t_.size() && t_[i_] != quote) {
      char c = t_[i_++];
      if (c == '\\' && i_ < t_.size()) {
        c = t_[i_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      s += c;
    }
    return i_ < t_.size() && t_[i_++] == quote;
  }
  size_t pos() const { return i_; }

 private:
  std::string_view t_;
  size_t i_ = 0;
};

Status Bad(const Parser& p, const std::string& what) {
  return Status::InvalidValue("class names literal: " + what + " at offset " +
                              std::to_string(p.pos()));
}

}  // namespace

Result<std::vector<std::string>> ParseNamesLiteral(std::string_view text) {
  Parser p(text);
  std::vector<std::string> names;
  if (p.Eat('[')) {
    std::string s;
    while (!p.Eat(']')) {
      if (!names.empty() && !p.Eat(',')) return Bad(p, "',' or ']' expected");
      if (p.Eat(']')) break;  // trailing comma
      if (!p.String(s)) return Bad(p, "quoted name expected");
      names.push_back(s);
    }
  } else if (p.Eat('{')) {
    std::map<long, std::string> by_id;
    while (!p.Eat('}')) {
      if (!by_id.empty() && !p.Eat(',')) return Bad(p, "',' or '}' expected");
      if (p.Eat('}')) break;
      long id = 0;
      std::string s;
      if (!p.Int(id)) return Bad(p, "integer key expected");
      if (!p.Eat(':')) return Bad(p, "':' expected");
      if (!p.String(s)) return Bad(p, "quoted name expected");
      if (!by_id.emplace(id, s).second) return Bad(p, "duplicate key " + std::to_string(id));
    }
    for (const auto& [id, s] : by_id) {
      if (id != long(names.size())) return Bad(p, "keys are not 0..n-1");
      names.push_back(s);
    }
  } else {
    return Bad(p, "'{' or '[' expected");
  }
  if (!p.AtEnd()) return Bad(p, "unexpected text after the literal");
  if (names.empty()) return Status::InvalidValue("class names literal is empty");
  return names;
}

Result<std::vector<std::string>> ReadLabelsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read labels file " + path);
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    const size_t b = line.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    const size_t e = line.find_last_not_of(" \t\r\n");
    names.push_back(line.substr(b, e - b + 1));
  }
  if (names.empty()) return Status::InvalidValue("labels file " + path + " holds no names");
  return names;
}

}  // namespace vs::vision
