#include "models/registry.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <opencv2/core.hpp>
#include <random>
#include <sstream>

#include "core/log.h"
#include "core/text.h"
#include "core/time.h"
#include "models/measure.h"

namespace vs::models {
namespace fs = std::filesystem;
namespace {

// Runs the model as the settings say: sliced when they ask for it, ignored classes dropped.
class SettingsDetector final : public vision::Detector {
 public:
  SettingsDetector(std::unique_ptr<vision::Detector> inner, ModelSettings settings)
      : inner_(std::move(inner)), settings_(std::move(settings)) {
    for (const auto& name : settings_.ignore_classes) {
      const auto& names = inner_->info().class_names;
      const auto it = std::find(names.begin(), names.end(), name);
      if (it != names.end()) ignored_.push_back(int(it - names.begin()));
    }
  }
  Result<vision::DetectionOutput> Detect(const vision::DecodedImage& image) const override {
    auto out = vision::DetectSliced(*inner_, image, settings_.slicing);
    if (!out.ok() || ignored_.empty()) return out;
    auto& d = out->detections;
    d.erase(std::remove_if(d.begin(), d.end(),
                           [this](const vision::Detection& x) {
                             return std::find(ignored_.begin(), ignored_.end(), x.class_id) !=
                                    ignored_.end();
                           }),
            d.end());
    return out;
  }
  const vision::ModelInfo& info() const override { return inner_->info(); }
  const vision::DetectorConfig& config() const override { return inner_->config(); }

 private:
  std::unique_ptr<vision::Detector> inner_;
  ModelSettings settings_;
  std::vector<int> ignored_;
};

std::string RandomHex(size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::random_device rd;
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kHex[rd() % 16];
  return s;
}

// A file name stem safe to put in the models folder: [A-Za-z0-9._-], at most 64, never empty
// or starting with a dot.
std::string SafeStem(const std::string& file_name) {
  std::string stem = fs::path(file_name).stem().string(), out;
  for (char c : stem) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out += c;
    }
    if (out.size() >= 64) break;
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out.empty() ? "model" : out;
}

Status WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) return Status::Unavailable("cannot write " + path.string());
  return Status::Ok();
}

// Writes `text` to `path` through a temporary file and a rename, so readers see all or nothing.
Status WriteAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp-" + RandomHex(8);
  VS_RETURN_IF_ERROR(WriteFile(tmp, text));
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::Unavailable("cannot write " + path.string());
  }
  return Status::Ok();
}

void RemoveQuietly(const fs::path& p) {
  std::error_code ec;
  if (!p.empty()) fs::remove(p, ec);
}

Result<Manifest> ManifestFromJson(const nlohmann::json& j) {
  try {
    Manifest m;
    m.model_path = j.at("model_path").get<std::string>();
    m.labels_path = j.value("labels_path", "");
    m.sha256 = j.value("sha256", "");
    m.layout = j.at("layout").get<std::string>();
    m.input_width = j.at("input").at(0).get<int>();
    m.input_height = j.at("input").at(1).get<int>();
    m.class_names = j.at("classes").get<std::vector<std::string>>();
    m.file_bytes = j.value("file_bytes", uint64_t{0});
    auto s = SettingsFromJson(j.at("settings"), ModelSettings{});
    if (!s.ok()) return s.status();
    m.settings = *s;
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(std::string("model manifest is unreadable: ") + e.what());
  }
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() < 19 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::shared_ptr<const vision::Detector> ServingDetector(std::unique_ptr<vision::Detector> detector,
                                                        const ModelSettings& settings) {
  return std::make_shared<SettingsDetector>(std::move(detector), settings);
}

nlohmann::json ManifestToJson(const Manifest& m) {
  return {{"model_path", m.model_path},
          {"labels_path", m.labels_path},
          {"sha256", m.sha256},
          {"layout", m.layout},
          {"input", {m.input_width, m.input_height}},
          {"classes", m.class_names},
          {"file_bytes", m.file_bytes},
          {"settings", SettingsToJson(m.settings)}};
}

ModelRegistry::ModelRegistry(store::Store& store, RegistryOptions options)
    : store_(store), options_(std::move(options)) {}

fs::path ModelRegistry::ManifestPath(store::Id id) const {
  return options_.data_dir / "models" / (std::to_string(id) + ".json");
}

std::optional<Manifest> ModelRegistry::ManifestOf(store::Id id) const {
  std::ifstream in(ManifestPath(id), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  const auto j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  auto m = ManifestFromJson(j);
  if (!m.ok()) {
    vs::log::Warn("model manifest unreadable", {{"model_id", id}, {"error", m.status().message()}});
    return std::nullopt;
  }
  return *m;
}

Result<Manifest> ModelRegistry::Check(const std::string& path, const std::string& labels_path,
                                      const ModelSettings& settings) const {
  vision::DetectorConfig config;
  config.model_path = path;
  config.labels_path = labels_path;
  config.threads = options_.threads;
  config.confidence_threshold = settings.confidence;
  config.iou_threshold = settings.iou;
  config.max_detections = options_.max_detections;
  auto d = vision::Detector::Load(config);
  if (!d.ok()) return Status::InvalidValue("not a usable ONNX detector: " + d.status().message());
  const auto& info = (*d)->info();
  VS_RETURN_IF_ERROR(CheckIgnoredClasses(settings, info.class_names));
  Manifest m;
  m.model_path = path;
  m.labels_path = labels_path;
  m.layout = vision::LayoutName(info.layout);
  m.input_width = info.input_width;
  m.input_height = info.input_height;
  m.class_names = info.class_names;
  std::error_code ec;
  m.file_bytes = fs::file_size(path, ec);
  m.settings = settings;
  m.sha256 = info.sha256;
  return m;
}

Result<store::ModelVersion> ModelRegistry::Save(const Manifest& m, const Registration& r,
                                                const std::string& default_name, bool active) {
  store::ModelVersion v;
  v.version_name = r.version_name.empty() ? default_name : r.version_name;
  VS_RETURN_IF_ERROR(ValidateIdentifier("version_name", v.version_name, 200));
  v.model_type = r.model_type.empty() ? m.layout : r.model_type;
  v.model_path = m.model_path;
  v.base_model = r.base_model.empty() ? fs::path(m.model_path).stem().string() : r.base_model;
  v.training_date = r.training_date;
  v.epochs = r.epochs;
  v.dataset_path = r.dataset_path;
  // An update keeps the version's active flag (only Activate switches models).
  auto list = store_.ListModels();
  if (!list.ok()) return list.status();
  bool any_active = false;
  for (const auto& x : *list) {
    if (x.version_name == v.version_name) v.is_active = x.is_active;
    if (x.is_active && ManifestOf(x.id)) any_active = true;
  }
  if (active || !any_active) v.is_active = true;
  auto saved = store_.UpsertModel(v);
  if (!saved.ok()) return saved.status();
  std::error_code ec;
  fs::create_directories(options_.data_dir / "models", ec);
  VS_RETURN_IF_ERROR(WriteAtomically(ManifestPath(saved->id), ManifestToJson(m).dump(2)));
  {
    // A re-registration replaces what was loaded under this id, the active model's too.
    std::lock_guard lock(mu_);
    entries_.erase(saved->id);
  }
  const auto serving = Active();
  if (saved->is_active && (!serving || serving->version.id == saved->id)) {
    auto loaded = Acquire(saved->id);
    if (loaded.ok()) {
      std::lock_guard lock(mu_);
      active_ = *loaded;
    }
  }
  return saved;
}

Result<store::ModelVersion> ModelRegistry::RegisterFile(const std::string& path, Registration r) {
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec).lexically_normal();
  if (!fs::is_regular_file(abs, ec)) {
    return Status::InvalidValue("model_path: no such file on the server: " + path);
  }
  auto m = Check(abs.string(), r.labels_path, r.settings);
  if (!m.ok()) return m.status();
  return Save(*m, r, abs.stem().string() + "-" + m->sha256.substr(0, 12), false);
}

Result<store::ModelVersion> ModelRegistry::RegisterUpload(std::string_view onnx,
                                                          std::string_view names,
                                                          const std::string& file_name,
                                                          Registration r) {
  if (onnx.empty()) return Status::InvalidValue("the uploaded model is empty (0 bytes)");
  if (onnx.size() > options_.max_upload_bytes) {
    return Status::TooLarge("the uploaded model is over the limit of " +
                            std::to_string(options_.max_upload_bytes >> 20) +
                            " MiB (serve --max-model-mb)");
  }
  const fs::path dir = options_.data_dir / "models";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  const std::string tag = RandomHex(16);
  const fs::path tmp = dir / (".upload-" + tag + ".onnx");
  const fs::path tmp_names = names.empty() ? fs::path() : dir / (".upload-" + tag + ".names");
  // Removes whatever of the upload is still on disk unless it was registered.
  struct Cleanup {
    std::vector<fs::path> paths;
    bool keep = false;
    ~Cleanup() {
      if (!keep)
        for (const auto& p : paths) RemoveQuietly(p);
    }
  } cleanup{{tmp, tmp_names}};
  VS_RETURN_IF_ERROR(WriteFile(tmp, onnx));
  if (!names.empty()) VS_RETURN_IF_ERROR(WriteFile(tmp_names, names));
  auto m = Check(tmp.string(), tmp_names.string(), r.settings);
  if (!m.ok()) return m.status();
  const std::string base = SafeStem(file_name) + "-" + m->sha256.substr(0, 12);
  const fs::path final_path = dir / (base + ".onnx");
  const fs::path final_names = names.empty() ? fs::path() : dir / (base + ".names");
  fs::rename(tmp, final_path, ec);
  if (ec) return Status::Unavailable("cannot keep the uploaded model: " + ec.message());
  cleanup.paths.push_back(final_path);
  if (!names.empty()) {
    fs::rename(tmp_names, final_names, ec);
    if (ec) return Status::Unavailable("cannot keep the uploaded names: " + ec.message());
    cleanup.paths.push_back(final_names);
  }
  m->model_path = final_path.string();
  m->labels_path = final_names.string();
  if (r.base_model.empty()) r.base_model = SafeStem(file_name);
  auto saved = Save(*m, r, base, false);
  if (!saved.ok()) return saved.status();
  cleanup.keep = true;
  return saved;
}

Result<std::shared_ptr<const LoadedModel>> ModelRegistry::Load(store::Id id) {
  auto version = store_.GetModel(id);
  if (!version.ok()) return version.status();
  auto manifest = ManifestOf(id);
  if (!manifest) {
    return Status::InvalidValue("model version " + version->version_name +
                                " cannot serve: it was recorded without a model file that this "
                                "server checked (register it with model_path or an upload)");
  }
  vision::DetectorConfig config;
  config.model_path = manifest->model_path;
  config.labels_path = manifest->labels_path;
  config.threads = options_.threads;
  config.confidence_threshold = manifest->settings.confidence;
  config.iou_threshold = manifest->settings.iou;
  config.max_detections = options_.max_detections;
  auto d = vision::Detector::Load(config);
  if (!d.ok()) {
    return Status::Unavailable("model version " + version->version_name +
                               " does not load: " + d.status().message());
  }
  auto m = std::make_shared<LoadedModel>();
  version->metrics.clear();
  m->version = std::move(*version);
  m->settings = manifest->settings;
  m->detector = ServingDetector(std::move(*d), manifest->settings);
  m->cost_bytes = manifest->file_bytes;
  return std::shared_ptr<const LoadedModel>(std::move(m));
}

Result<std::shared_ptr<const LoadedModel>> ModelRegistry::Acquire(store::Id id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(id); it != entries_.end()) {
      it->second.last_use = ++clock_;
      return it->second.model;
    }
  }
  std::lock_guard load(load_mu_);
  {
    std::lock_guard lock(mu_);  // loaded meanwhile by another caller?
    if (auto it = entries_.find(id); it != entries_.end()) {
      it->second.last_use = ++clock_;
      return it->second.model;
    }
  }
  auto m = Load(id);
  if (!m.ok()) return m.status();
  std::lock_guard lock(mu_);
  entries_[id] = {*m, ++clock_};
  EvictLocked(id);
  vs::log::Info("model loaded", {{"model_id", id},
                                 {"version_name", (*m)->version.version_name},
                                 {"loaded", entries_.size()}});
  return *m;
}

void ModelRegistry::EvictLocked(store::Id keep) {
  uint64_t total = 0;
  for (const auto& [id, e] : entries_) total += e.model->cost_bytes;
  while (total > options_.memory_budget_bytes) {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == keep || it->second.model == active_) continue;
      if (victim == entries_.end() || it->second.last_use < victim->second.last_use) victim = it;
    }
    if (victim == entries_.end()) return;
    vs::log::Info("model unloaded (memory budget)",
                  {{"model_id", victim->first},
                   {"version_name", victim->second.model->version.version_name}});
    total -= victim->second.model->cost_bytes;
    entries_.erase(victim);
  }
}

std::shared_ptr<const LoadedModel> ModelRegistry::Active() const {
  std::lock_guard lock(mu_);
  return active_;
}

std::string ModelRegistry::reason() const {
  std::lock_guard lock(mu_);
  return active_ ? std::string() : reason_;
}

std::vector<store::Id> ModelRegistry::Loaded() const {
  std::lock_guard lock(mu_);
  std::vector<store::Id> ids;
  for (const auto& [id, e] : entries_) ids.push_back(id);
  return ids;
}

Result<std::shared_ptr<const LoadedModel>> ModelRegistry::Activate(store::Id id) {
  std::lock_guard serial(activate_mu_);
  auto m = Acquire(id);
  if (!m.ok()) return m.status();
  store::ModelVersion v = (*m)->version;
  v.is_active = true;
  auto saved = store_.UpsertModel(v);
  if (!saved.ok()) return saved.status();
  std::shared_ptr<const LoadedModel> previous;
  {
    std::lock_guard lock(mu_);
    previous = active_;
    active_ = *m;
  }
  nlohmann::json payload = {
      {"model_id", id},
      {"version_name", v.version_name},
      {"previous_id", previous ? nlohmann::json(previous->version.id) : nlohmann::json()}};
  if (auto e = store_.RecordEvent("model.activated", payload); !e.ok()) {
    vs::log::Warn("model.activated not recorded", {{"error", e.status().ToString()}});
  }
  vs::log::Info("model activated", {{"model_id", id}, {"version_name", v.version_name}});
  return *m;
}

Status ModelRegistry::FollowStore() {
  std::lock_guard serial(activate_mu_);
  FollowSettings();
  auto versions = store_.ListModels();
  if (!versions.ok()) return versions.status();
  std::optional<store::ModelVersion> marked;
  for (const auto& v : *versions) {
    if (v.is_active) marked = v;
  }
  if (!marked) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    if (active_ && active_->version.id == marked->id) return Status::Ok();
  }
  auto m = Acquire(marked->id);
  if (!m.ok()) {
    vs::log::Warn("the model active in the store cannot serve on this instance; keeping ours",
                  {{"model_id", marked->id},
                   {"version_name", marked->version_name},
                   {"error", m.status().ToString()}});
    return m.status();
  }
  {
    std::lock_guard lock(mu_);
    active_ = *m;
  }
  vs::log::Info("model activated by another instance, followed",
                {{"model_id", marked->id}, {"version_name", marked->version_name}});
  return Status::Ok();
}

Result<std::shared_ptr<const LoadedModel>> ModelRegistry::UpdateSettings(
    store::Id id, const nlohmann::json& patch) {
  std::lock_guard serial(activate_mu_);  // no switch meanwhile
  auto version = store_.GetModel(id);
  if (!version.ok()) return version.status();
  auto manifest = ManifestOf(id);
  if (!manifest) {
    return Status::InvalidValue("model version " + version->version_name +
                                " cannot serve, so it has no settings");
  }
  auto settings = SettingsFromJson(patch, manifest->settings);
  if (!settings.ok()) return settings.status();
  VS_RETURN_IF_ERROR(CheckIgnoredClasses(*settings, manifest->class_names));
  const ModelSettings old = manifest->settings;
  manifest->settings = *settings;
  VS_RETURN_IF_ERROR(WriteAtomically(ManifestPath(id), ManifestToJson(*manifest).dump(2)));
  bool loaded = false;
  {
    std::lock_guard lock(mu_);
    loaded = entries_.count(id) > 0;
  }
  auto revert = [&] {  // the model does not load (its file went away): the old settings stay
    manifest->settings = old;
    (void)WriteAtomically(ManifestPath(id), ManifestToJson(*manifest).dump(2));
  };
  auto fresh = loaded ? Reload(id) : Acquire(id);
  if (!fresh.ok()) {
    revert();
    return fresh.status();
  }
  vs::log::Info("model settings changed", {{"model_id", id}});
  RecordSettingsEvent(*version);
  return *fresh;
}

void ModelRegistry::RecordSettingsEvent(const store::ModelVersion& v) {
  const nlohmann::json payload = {{"model_id", v.id}, {"version_name", v.version_name}};
  if (auto e = store_.RecordEvent("model.settings", payload); !e.ok()) {
    vs::log::Warn("model.settings not recorded", {{"error", e.status().ToString()}});
  }
}

Result<std::shared_ptr<const LoadedModel>> ModelRegistry::Reload(store::Id id) {
  std::lock_guard load(load_mu_);
  auto fresh = Load(id);
  if (!fresh.ok()) return fresh.status();
  std::lock_guard lock(mu_);
  if (active_ && active_->version.id == id) active_ = *fresh;
  entries_[id] = {*fresh, ++clock_};
  return *fresh;
}

void ModelRegistry::FollowSettings() {
  std::vector<std::shared_ptr<const LoadedModel>> loaded;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : entries_) loaded.push_back(e.model);
  }
  for (const auto& m : loaded) {
    const auto manifest = ManifestOf(m->version.id);
    if (!manifest || SettingsToJson(manifest->settings) == SettingsToJson(m->settings)) continue;
    auto fresh = Reload(m->version.id);
    if (!fresh.ok()) {
      vs::log::Warn("model settings changed by another instance, but the model does not load",
                    {{"model_id", m->version.id}, {"error", fresh.status().ToString()}});
      continue;
    }
    vs::log::Info("model settings changed by another instance, followed",
                  {{"model_id", m->version.id}, {"version_name", m->version.version_name}});
  }
}

Result<std::shared_ptr<const LoadedModel>> ModelRegistry::Resolve(
    const std::optional<std::string>& model, const std::optional<std::string>& model_type) {
  if (model) {
    auto list = store_.ListModels();
    if (!list.ok()) return list.status();
    for (const auto& v : *list) {
      if (v.version_name == *model || (AllDigits(*model) && std::to_string(v.id) == *model)) {
        return Acquire(v.id);
      }
    }
    return Status::NotFound("model: no model version '" + *model + "'");
  }
  if (model_type) {
    auto list = store_.ListModels();
    if (!list.ok()) return list.status();
    for (auto it = list->rbegin(); it != list->rend(); ++it) {
      if (it->model_type == *model_type && ManifestOf(it->id)) return Acquire(it->id);
    }
    // No version of that type (e.g. "baseline", or an earlier client's "yolov8n"): the active
    // model, as the earlier system served every type with its one model.
  }
  auto active = Active();
  if (!active) return Status::Unavailable("no detection model loaded: " + reason());
  return active;
}

Status ModelRegistry::Start(const std::string& path, const Registration& defaults) {
  std::optional<store::Id> own;
  if (!path.empty()) {
    auto registered = RegisterFile(path, defaults);
    if (registered.ok()) {
      own = registered->id;
    } else {
      std::lock_guard lock(mu_);
      reason_ = registered.status().message();
      vs::log::Error("model unavailable", {{"model", path}, {"error", reason_}});
    }
  }
  auto list = store_.ListModels();
  if (!list.ok()) return list.status();
  // The active version first, then the --model one, then the others, newest first.
  std::vector<store::Id> order;
  for (const auto& v : *list)
    if (v.is_active) order.push_back(v.id);
  if (own) order.push_back(*own);
  for (auto it = list->rbegin(); it != list->rend(); ++it) order.push_back(it->id);
  std::vector<store::Id> tried;
  for (store::Id id : order) {
    if (std::find(tried.begin(), tried.end(), id) != tried.end() || !ManifestOf(id)) continue;
    tried.push_back(id);
    auto m = Activate(id);
    if (m.ok()) {
      if (own && *own == id) {
        auto ms = MeasureInferenceMs(*(*m)->detector);
        if (ms.ok()) {
          store::ModelMetrics row;
          row.model_version_id = id;
          row.evaluation_date = Now();
          row.inference_time_ms = *ms;
          if (auto added = store_.AddModelMetrics(row); !added.ok()) {
            vs::log::Warn("inference time not stored", {{"error", added.status().ToString()}});
          }
        }
      }
      return Status::Ok();
    }
    vs::log::Error("model does not load; trying the next",
                   {{"model_id", id}, {"error", m.status().message()}});
    std::lock_guard lock(mu_);
    reason_ = m.status().message();
  }
  return Status::Unavailable(reason());
}

}  // namespace vs::models
