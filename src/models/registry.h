// The models the server can run: registered from a file on the server or uploaded, described in
// the store (model_versions) and, for what only this server needs, in a manifest beside the
// model files (<data>/models/<id>.json: the file, its layout, classes, input size and settings).
// A model_versions row without a manifest (registered by an earlier client for the record) is
// listed but cannot serve.
//
// Several models are loaded at once within a memory budget: each loaded model counts its ONNX
// file size (the weights ONNX Runtime keeps; its working memory is extra). When loading one
// would pass the budget, the least recently used others are unloaded first; the active model and
// the one being loaded are never unloaded, so those two may pass the budget alone.
//
// Requests hold the model they run on by shared_ptr: unloading or switching the active model
// never disturbs a request in flight, which finishes on the model it started with.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "models/settings.h"
#include "store/store.h"
#include "vision/detector.h"

namespace vs::models {

// One loaded model. Its detector applies the settings (ignored classes, slicing).
struct LoadedModel {
  store::ModelVersion version;  // as when loaded (metrics not kept)
  ModelSettings settings;
  std::shared_ptr<const vision::Detector> detector;
  uint64_t cost_bytes = 0;
};

// What the manifest records (served as "serving" in the model JSON).
struct Manifest {
  std::string model_path;
  std::string labels_path;  // empty: metadata names or the file beside the model
  std::string sha256;       // of the model file
  std::string layout;
  int input_width = 0, input_height = 0;
  std::vector<std::string> class_names;
  uint64_t file_bytes = 0;
  ModelSettings settings;
};
nlohmann::json ManifestToJson(const Manifest& m);

// `detector` as it serves under `settings`: sliced as they say, ignored classes dropped.
std::shared_ptr<const vision::Detector> ServingDetector(std::unique_ptr<vision::Detector> detector,
                                                        const ModelSettings& settings);

struct RegistryOptions {
  std::filesystem::path data_dir;
  uint64_t memory_budget_bytes = uint64_t{1} << 30;
  uint64_t max_upload_bytes = uint64_t{200} << 20;
  int threads = 0;  // ONNX Runtime intra-op threads per model
  int max_detections = 1000;
};

// Fields of a registration besides the model itself.
struct Registration {
  std::string version_name;  // empty: "<file stem>-<first 12 hex of its SHA-256>"
  std::string model_type;    // empty: the layout name ("nanodet", "yolov8", ...)
  std::string base_model;
  std::optional<Timestamp> training_date;
  std::optional<int> epochs;
  std::string dataset_path;
  ModelSettings settings;
  std::string labels_path;  // file registrations only: class names file
};

class ModelRegistry {
 public:
  ModelRegistry(store::Store& store, RegistryOptions options);

  // At start-up: registers `path` (serve --model) with `defaults`, active unless another
  // servable version is active already; then loads the active version. When that fails, the
  // others are tried (the --model one first) and the first that loads becomes active, so one bad
  // model leaves the rest serving. Not ok only when no model could be loaded (the reason).
  Status Start(const std::string& path, const Registration& defaults);

  // Registers the ONNX file at `path` after loading it with ONNX Runtime. InvalidValue (422)
  // when it is not a loadable ONNX detector, naming the problem; nothing is registered then.
  Result<store::ModelVersion> RegisterFile(const std::string& path, Registration r);
  // Registers uploaded ONNX bytes (and optional class names, one per line): checked the same
  // way, then kept as <data>/models/<version>-<sha12>.onnx. On any failure nothing is
  // registered and no file is left behind. TooLarge beyond max_upload_bytes.
  Result<store::ModelVersion> RegisterUpload(std::string_view onnx, std::string_view names,
                                             const std::string& file_name, Registration r);

  // The model, loaded if it is not (NotFound: no such version; InvalidValue: not servable).
  Result<std::shared_ptr<const LoadedModel>> Acquire(store::Id id);
  // The active model; null when none (see reason()).
  std::shared_ptr<const LoadedModel> Active() const;
  // Why there is no active model.
  std::string reason() const;

  // The model a request asked for: `model` (a version name or id) wins, then `model_type` (the
  // newest servable version of that type, when there is one), else the active one. NotFound
  // naming an unknown `model`; Unavailable without any model.
  Result<std::shared_ptr<const LoadedModel>> Resolve(const std::optional<std::string>& model,
                                                     const std::optional<std::string>& model_type);

  // Makes version `id` the active model: loads it first (a model that does not load is not
  // activated), marks it active in the store, switches, then records "model.activated"
  // {model_id, version_name, previous_id}. Requests already running keep their model.
  Result<std::shared_ptr<const LoadedModel>> Activate(store::Id id);

  // Several instances on one database: makes the version the store marks active this
  // instance's active model too, when it is another (another instance activated it). Writes
  // nothing. Reads the store rather than trusting an event's payload, so that events arriving
  // late or out of step cannot switch back to an older choice. Not ok (and the current model
  // stays) when the marked version cannot serve here: its file or manifest is not in this
  // instance's data folder (share the folder, docs/DEPLOYMENT.md) or it does not load.
  // First, every loaded model whose manifest holds other settings than it runs with (another
  // instance changed them in the shared folder) is loaded again with them, in its place.
  Status FollowStore();

  // Applies `patch` (settings JSON; absent fields keep their value) to the settings of version
  // `id`, checked against the model's classes, rewrites its manifest and, when the model is
  // loaded, loads it again with the new settings and puts it in the old one's place (the active
  // one stays active), then records "model.settings" {model_id, version_name}, on which other
  // instances follow (FollowStore). Requests in flight finish on the model they started with.
  // NotFound: no such version; InvalidValue: bad settings, or a version that cannot serve;
  // nothing changes then.
  Result<std::shared_ptr<const LoadedModel>> UpdateSettings(store::Id id,
                                                            const nlohmann::json& patch);

  // The manifest of version `id`; nullopt when it cannot serve.
  std::optional<Manifest> ManifestOf(store::Id id) const;
  // Ids of loaded versions.
  std::vector<store::Id> Loaded() const;

  const RegistryOptions& options() const { return options_; }
  store::Store& store() { return store_; }

 private:
  struct Entry {
    std::shared_ptr<const LoadedModel> model;
    uint64_t last_use = 0;
  };
  Result<Manifest> Check(const std::string& path, const std::string& labels_path,
                         const ModelSettings& settings) const;
  Result<store::ModelVersion> Save(const Manifest& m, const Registration& r,
                                   const std::string& default_name, bool active);
  Result<std::shared_ptr<const LoadedModel>> Load(store::Id id);
  // Loads version `id` again from its manifest and puts it in the loaded one's place.
  Result<std::shared_ptr<const LoadedModel>> Reload(store::Id id);
  void FollowSettings();  // with activate_mu_ held
  void RecordSettingsEvent(const store::ModelVersion& v);
  void EvictLocked(store::Id keep);
  std::filesystem::path ManifestPath(store::Id id) const;

  store::Store& store_;
  RegistryOptions options_;
  mutable std::mutex mu_;  // guards entries_, active_, reason_, clock_
  std::map<store::Id, Entry> entries_;
  std::shared_ptr<const LoadedModel> active_;
  std::string reason_ = "no model registered";
  uint64_t clock_ = 0;
  std::mutex activate_mu_;  // one switch at a time, so the store and memory agree
  std::mutex load_mu_;      // one load at a time (loads are slow; the same model is loaded once)
};

}  // namespace vs::models
