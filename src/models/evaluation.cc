#include "models/evaluation.h"

#include <chrono>

#include "core/log.h"
#include "core/time.h"
#include "eval/run.h"

namespace vs::models {
namespace fs = std::filesystem;
namespace {

nlohmann::json Opt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

nlohmann::json ToJson(const EvaluationJob& job) {
  return {{"job_id", job.id},
          {"model_id", job.model_id},
          {"data", job.data},
          {"state", job.state},
          {"done", job.done},
          {"total", job.total},
          {"error", job.error.empty() ? nlohmann::json() : nlohmann::json(job.error)},
          {"model_metrics_id", job.metrics_id ? nlohmann::json(*job.metrics_id) : nlohmann::json()},
          {"result", job.result},
          {"started_at", FormatIso8601(job.started_at)},
          {"finished_at",
           job.finished_at ? nlohmann::json(FormatIso8601(*job.finished_at)) : nlohmann::json()}};
}

Result<fs::path> PathUnder(const fs::path& root, const std::string& relative) {
  if (relative.empty()) return Status::InvalidValue("data: the labelled set's path is required");
  const fs::path rel(relative);
  if (rel.is_absolute()) {
    return Status::InvalidValue("data: give the set's path relative to the data folder");
  }
  for (const auto& part : rel) {
    if (part == "..") return Status::InvalidValue("data: the path may not contain '..'");
  }
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return Status::Unavailable("the data folder cannot be read");
  const fs::path full = fs::canonical(base / rel, ec);
  if (ec)
    return Status::NotFound("data: no such file or folder under the data folder: " + relative);
  // Symbolic links are resolved by canonical(): the target itself must lie in the data folder.
  const auto mismatch = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (mismatch.first != base.end()) {
    return Status::InvalidValue("data: the path leads outside the data folder");
  }
  return full;
}

EvaluationRunner::EvaluationRunner(ModelRegistry& registry, int64_t max_pixels)
    : registry_(registry), max_pixels_(max_pixels) {}

EvaluationRunner::~EvaluationRunner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  if (worker_.joinable()) worker_.join();
}

Result<EvaluationJob> EvaluationRunner::Start(store::Id model_id, const std::string& data,
                                              bool agnostic) {
  {
    std::lock_guard lock(mu_);
    if (running_) return Status::Conflict("an evaluation is already running; wait for it to end");
    running_ = true;  // reserved while the set and the model load
  }
  auto release = [this] {
    std::lock_guard lock(mu_);
    running_ = false;
  };
  auto path = PathUnder(registry_.options().data_dir, data);
  if (!path.ok()) return release(), path.status();
  auto version = registry_.store().GetModel(model_id);
  if (!version.ok()) return release(), version.status();
  auto manifest = registry_.ManifestOf(model_id);
  if (!manifest) {
    release();
    return Status::InvalidValue("model version " + version->version_name +
                                " cannot be evaluated: the server has no model file for it");
  }
  auto set = eval::ReadDataset(*path);
  if (!set.ok()) return release(), Status::InvalidValue(set.status().message());
  // A detector of its own at the evaluation's low threshold (the serving one drops the tail of
  // the ranking that AP needs), otherwise as it serves: sliced as its settings say, its ignored
  // classes never reported.
  vision::DetectorConfig config;
  config.model_path = manifest->model_path;
  config.labels_path = manifest->labels_path;
  config.threads = registry_.options().threads;
  config.confidence_threshold = eval::kEvalConfidence;
  config.iou_threshold = manifest->settings.iou;
  config.max_detections = registry_.options().max_detections;
  auto detector = vision::Detector::Load(config);
  if (!detector.ok()) return release(), detector.status();
  auto map = eval::ClassMap((*detector)->info().class_names, set->class_names, agnostic);
  if (!map.ok()) return release(), map.status();

  EvaluationJob job;
  {
    std::lock_guard lock(mu_);
    job.id = next_id_++;
    job.model_id = model_id;
    job.data = data;
    job.state = "running";
    job.total = set->images.size();
    job.started_at = Now();
    jobs_[job.id] = job;
    if (worker_.joinable()) worker_.join();  // the previous run has ended (running_ was false)
    auto dataset = std::make_shared<const eval::Dataset>(std::move(*set));
    worker_ = std::thread(&EvaluationRunner::Run, this, job.id,
                          ServingDetector(std::move(*detector), manifest->settings), dataset,
                          agnostic, manifest->settings.confidence);
  }
  Publish(job);
  return job;
}

Result<EvaluationJob> EvaluationRunner::Get(int64_t job_id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end())
    return Status::NotFound("evaluation " + std::to_string(job_id) + " not found");
  return it->second;
}

void EvaluationRunner::Update(int64_t job_id, const std::function<void(EvaluationJob&)>& change) {
  EvaluationJob copy;
  {
    std::lock_guard lock(mu_);
    change(jobs_[job_id]);
    copy = jobs_[job_id];
  }
  Publish(copy);
}

void EvaluationRunner::Publish(const EvaluationJob& job) {
  nlohmann::json payload = {{"job_id", job.id},
                            {"model_id", job.model_id},
                            {"state", job.state},
                            {"done", job.done},
                            {"total", job.total}};
  if (!job.error.empty()) payload["error"] = job.error;
  if (job.metrics_id) payload["model_metrics_id"] = *job.metrics_id;
  if (auto e = registry_.store().RecordEvent("model.evaluation", payload); !e.ok()) {
    vs::log::Warn("model.evaluation not recorded", {{"error", e.status().ToString()}});
  }
}

void EvaluationRunner::Run(int64_t job_id, std::shared_ptr<const vision::Detector> detector,
                           std::shared_ptr<const eval::Dataset> dataset, bool agnostic,
                           float conf) {
  const auto& set = *dataset;
  using Clock = std::chrono::steady_clock;
  auto last = Clock::now();
  eval::RunOptions options;
  options.agnostic = agnostic;
  options.conf = conf;
  options.max_pixels = max_pixels_;
  // Progress at most every 250 ms (and never for the first image: the start was announced).
  options.progress = [&](size_t done, const std::string&) {
    if (done == 0 || done == set.images.size() ||
        Clock::now() - last < std::chrono::milliseconds(250))
      return;
    last = Clock::now();
    Update(job_id, [done](EvaluationJob& j) { j.done = done; });
  };
  options.cancelled = [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  };
  auto run = eval::RunEvaluation(*detector, set, options);
  std::optional<store::ModelMetrics> saved;
  std::string error;
  EvaluationJob job_now = *Get(job_id);
  if (run.ok()) {
    store::ModelMetrics row;
    row.model_version_id = job_now.model_id;
    row.evaluation_date = Now();
    row.map50 = run->metrics.map50;
    row.map50_95 = run->metrics.map50_95;
    row.precision = run->metrics.precision;
    row.recall = run->metrics.recall;
    row.f1_score = run->metrics.f1;
    row.inference_time_ms = run->median_inference_ms;
    row.test_dataset_path = job_now.data;
    row.num_test_images = run->metrics.images;
    auto added = registry_.store().AddModelMetrics(row);
    if (added.ok()) {
      saved = *added;
    } else {
      error = "cannot store the metrics: " + added.status().message();
    }
  } else {
    error = run.status().message();
  }
  // The end state and the free slot become visible together: whoever sees the job ended can start
  // the next one. After this the worker takes mu_ no more (Start joins it while holding mu_).
  EvaluationJob ended;
  {
    std::lock_guard lock(mu_);
    EvaluationJob& j = jobs_[job_id];
    j.finished_at = Now();
    if (saved) {
      j.state = "done";
      j.done = j.total;
      j.metrics_id = saved->id;
      const auto& m = run->metrics;
      j.result = {{"map50", Opt(m.map50)},    {"map50_95", Opt(m.map50_95)},
                  {"precision", m.precision}, {"recall", m.recall},
                  {"f1_score", m.f1},         {"inference_time_ms", run->median_inference_ms},
                  {"images", m.images},       {"truths", m.truths},
                  {"agnostic", agnostic},     {"conf", conf}};
    } else {
      j.state = "failed";
      j.error = error;
    }
    ended = j;
    running_ = false;
  }
  Publish(ended);
  vs::log::Info("model evaluation finished",
                {{"job_id", job_id}, {"state", saved ? "done" : "failed"}, {"error", error}});
}

}  // namespace vs::models
