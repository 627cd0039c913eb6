// Background evaluations of registered models on labelled sets present on the server (under the
// data folder): the same evaluation as `visionstock evaluate` (eval/run.h) of the model as it
// serves (its slicing and ignored classes; precision, recall and F1 at its confidence), one at a
// time, with
// progress recorded as "model.evaluation" events {job_id, model_id, state, done, total} and the
// result stored as a model_metrics row when it finishes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "core/status.h"
#include "eval/dataset.h"
#include "models/registry.h"

namespace vs::models {

struct EvaluationJob {
  int64_t id = 0;
  store::Id model_id = 0;
  std::string data;            // as given, relative to the data folder
  std::string state;           // "running", "done", "failed"
  size_t done = 0, total = 0;  // images
  std::string error;           // when failed
  std::optional<store::Id> metrics_id;
  nlohmann::json result;  // when done: the figures (map50, map50_95, precision, ...)
  Timestamp started_at;
  std::optional<Timestamp> finished_at;
};
nlohmann::json ToJson(const EvaluationJob& job);

// Resolves `relative` inside `root`: NotFound when it does not exist, InvalidValue when it is
// absolute or leads outside `root` (through "..", or a symbolic link pointing out).
Result<std::filesystem::path> PathUnder(const std::filesystem::path& root,
                                        const std::string& relative);

class EvaluationRunner {
 public:
  EvaluationRunner(ModelRegistry& registry, int64_t max_pixels);
  ~EvaluationRunner();  // waits for a running evaluation to stop at its next image

  // Starts evaluating model `model_id` on the labelled set at `data` (a YOLO folder or
  // data.yaml, or a COCO .json, relative to the data folder). The set is read and the model
  // loaded before this returns: their errors are answered at once (422 naming the file and line,
  // 404 for an unknown model). Conflict (409) while another evaluation runs.
  Result<EvaluationJob> Start(store::Id model_id, const std::string& data, bool agnostic);
  // NotFound for an unknown job.
  Result<EvaluationJob> Get(int64_t job_id) const;

 private:
  void Run(int64_t job_id, std::shared_ptr<const vision::Detector> detector,
           std::shared_ptr<const eval::Dataset> dataset, bool agnostic, float conf);
  void Update(int64_t job_id, const std::function<void(EvaluationJob&)>& change);
  void Publish(const EvaluationJob& job);

  ModelRegistry& registry_;
  int64_t max_pixels_;
  mutable std::mutex mu_;  // guards jobs_, running_, next_id_
  std::map<int64_t, EvaluationJob> jobs_;
  bool running_ = false;
  bool stopping_ = false;
  int64_t next_id_ = 1;
  std::thread worker_;
};

}  // namespace vs::models
