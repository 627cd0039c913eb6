#include "eval/data_yaml.h"

#include <yaml.h>

#include <charconv>
#include <map>
#include <memory>

namespace vs::eval {
namespace {

// Owns a libyaml document and its parser.
class Document {
 public:
  Document() { yaml_parser_initialize(&parser_); }
  ~Document() {
    if (loaded_) yaml_document_delete(&doc_);
    yaml_parser_delete(&parser_);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  Status Load(const std::string& text, const std::string& file) {
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    if (!yaml_parser_load(&parser_, &doc_)) {
      return Status::InvalidValue(
          file + ":" + std::to_string(parser_.problem_mark.line + 1) +
          ": not valid YAML: " + (parser_.problem ? parser_.problem : "unknown error"));
    }
    loaded_ = true;
    return Status::Ok();
  }
  yaml_node_t* Root() { return yaml_document_get_root_node(&doc_); }
  yaml_node_t* Node(int index) { return yaml_document_get_node(&doc_, index); }

 private:
  yaml_parser_t parser_;
  yaml_document_t doc_{};
  bool loaded_ = false;
};

std::string Scalar(const yaml_node_t* n) {
  return std::string(reinterpret_cast<const char*>(n->data.scalar.value), n->data.scalar.length);
}

std::string Where(const std::string& file, const yaml_node_t* n) {
  return file + ":" + std::to_string(n->start_mark.line + 1) + ": ";
}

Result<std::vector<std::string>> Names(Document& doc, yaml_node_t* node, const std::string& file) {
  std::vector<std::string> names;
  if (node->type == YAML_SEQUENCE_NODE) {
    for (auto* item = node->data.sequence.items.start; item < node->data.sequence.items.top;
         ++item) {
      yaml_node_t* n = doc.Node(*item);
      if (n->type != YAML_SCALAR_NODE)
        return Status::InvalidValue(Where(file, n) + "a name must be text");
      names.push_back(Scalar(n));
    }
  } else if (node->type == YAML_MAPPING_NODE) {
    std::map<int, std::string> by_id;
    for (auto* pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; ++pair) {
      yaml_node_t* k = doc.Node(pair->key);
      yaml_node_t* v = doc.Node(pair->value);
      const std::string key = k->type == YAML_SCALAR_NODE ? Scalar(k) : "";
      int id = -1;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (key.empty() || ec != std::errc() || end != key.data() + key.size() || id < 0) {
        return Status::InvalidValue(Where(file, k) + "names: key '" + key +
                                    "' is not a class id (0, 1, ...)");
      }
      if (v->type != YAML_SCALAR_NODE)
        return Status::InvalidValue(Where(file, v) + "a name must be text");
      if (!by_id.emplace(id, Scalar(v)).second) {
        return Status::InvalidValue(Where(file, k) + "names: class id " + key + " given twice");
      }
    }
    for (const auto& [id, name] : by_id) {
      if (id != int(names.size())) {
        return Status::InvalidValue(Where(file, node) + "names: class id " +
                                    std::to_string(names.size()) + " is missing");
      }
      names.push_back(name);
    }
  } else {
    return Status::InvalidValue(Where(file, node) +
                                "names must be a list or an {id: name} mapping");
  }
  if (names.empty()) return Status::InvalidValue(Where(file, node) + "names is empty");
  return names;
}

}  // namespace

Result<DataYaml> ParseDataYaml(const std::string& text, const std::string& file) {
  Document doc;
  VS_RETURN_IF_ERROR(doc.Load(text, file));
  yaml_node_t* root = doc.Root();
  if (root == nullptr || root->type != YAML_MAPPING_NODE) {
    return Status::InvalidValue(file + ":1: expected a mapping with a names: key");
  }
  DataYaml out;
  bool have_names = false;
  for (auto* pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; ++pair) {
    yaml_node_t* k = doc.Node(pair->key);
    yaml_node_t* v = doc.Node(pair->value);
    if (k->type != YAML_SCALAR_NODE) continue;
    const std::string key = Scalar(k);
    if (key == "names") {
      auto names = Names(doc, v, file);
      if (!names.ok()) return names.status();
      out.names = std::move(*names);
      have_names = true;
    } else if (key == "val" && v->type == YAML_SCALAR_NODE) {
      out.val = Scalar(v);
    }
  }
  if (!have_names) return Status::InvalidValue(file + ":1: no names: key");
  return out;
}

}  // namespace vs::eval
