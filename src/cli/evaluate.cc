// `visionstock evaluate --data PATH`: runs the detector on every image of a labelled set and prints
// COCO-protocol metrics (src/eval/metrics.h) as a table or, with --json, one JSON object. The
// detector runs at a low confidence (kEvalConfidence) so that AP sees the whole ranking; --conf
// is the serving threshold at which precision, recall and F1 are counted. Predictions are matched
// to the data set's classes by name (any class with --agnostic). When --data-dir holds a store in
// which this model is registered, the figures are added to it as a model_metrics row.
// --save-predictions also writes the evaluated predictions as a COCO results list.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/model_registry.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "core/log.h"
#include "core/time.h"
#include "eval/dataset.h"
#include "eval/metrics.h"
#include "eval/run.h"
#include "store/open.h"

namespace vs::cli {
namespace fs = std::filesystem;
namespace {

nlohmann::json Opt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

std::string ClassName(const eval::Dataset& data, bool agnostic, size_t k) {
  return agnostic ? std::string("(all classes)") : data.class_names[k];
}

nlohmann::json ToJson(const eval::Metrics& m, const eval::Dataset& data, const EvaluateOptions& o,
                      const vision::ModelInfo& model, double median_ms) {
  nlohmann::json classes = nlohmann::json::array();
  for (size_t k = 0; k < m.classes.size(); ++k) {
    const auto& c = m.classes[k];
    // Classes the set labels, and classes the model wrongly reports at the serving threshold.
    if (c.truths == 0 && c.crowd_truths == 0 && c.fp == 0) continue;
    classes.push_back({{"class_id", o.agnostic ? -1 : int(k)},
                       {"class_name", ClassName(data, o.agnostic, k)},
                       {"truths", c.truths},
                       {"crowd_truths", c.crowd_truths},
                       {"predictions", c.predictions},
                       {"ap50", Opt(c.ap50)},
                       {"ap50_95", Opt(c.ap50_95)},
                       {"precision", c.precision},
                       {"recall", c.recall},
                       {"tp", c.tp},
                       {"fp", c.fp},
                       {"fn", c.fn}});
  }
  return {{"model",
           {{"version_name", api::VersionName(model)},
            {"path", model.path},
            {"layout", vision::LayoutName(model.layout)}}},
          {"dataset",
           {{"path", o.data},
            {"format", eval::DatasetFormatName(data.format)},
            {"classes", data.class_names.size()}}},
          {"agnostic", o.agnostic},
          {"conf", o.model.conf},
          {"max_dets", 100},
          {"images", m.images},
          {"truths", m.truths},
          {"crowd_truths", m.crowd_truths},
          {"predictions", m.predictions},
          {"map50", Opt(m.map50)},
          {"map50_95", Opt(m.map50_95)},
          {"precision", m.precision},
          {"recall", m.recall},
          {"f1", m.f1},
          {"tp", m.tp},
          {"fp", m.fp},
          {"fn", m.fn},
          {"inference_ms_median", median_ms},
          {"classes", std::move(classes)},
          {"stored", nullptr}};
}

std::string Fixed(const std::optional<double>& v) {
  if (!v) return "-";
  char s[32];
  std::snprintf(s, sizeof s, "%.3f", *v);
  return s;
}

void PrintTable(const nlohmann::json& j) {
  std::printf("model         %s (%s)\n", j["model"]["version_name"].get<std::string>().c_str(),
              j["model"]["layout"].get<std::string>().c_str());
  std::printf("data          %s (%s, %d images, %d boxes, %d crowd)\n",
              j["dataset"]["path"].get<std::string>().c_str(),
              j["dataset"]["format"].get<std::string>().c_str(), j["images"].get<int>(),
              j["truths"].get<int>(), j["crowd_truths"].get<int>());
  auto opt = [](const nlohmann::json& v) {
    return v.is_null() ? std::optional<double>() : std::optional<double>(v.get<double>());
  };
  std::printf("mAP@0.5       %s\n", Fixed(opt(j["map50"])).c_str());
  std::printf("mAP@0.5:0.95  %s\n", Fixed(opt(j["map50_95"])).c_str());
  std::printf("at conf %.2f, IoU 0.5: precision %.3f, recall %.3f, F1 %.3f (tp %d, fp %d, fn %d)\n",
              j["conf"].get<double>(), j["precision"].get<double>(), j["recall"].get<double>(),
              j["f1"].get<double>(), j["tp"].get<int>(), j["fp"].get<int>(), j["fn"].get<int>());
  std::printf("inference     %.1f ms median per image (ONNX Runtime alone)\n\n",
              j["inference_ms_median"].get<double>());
  std::printf("%-16s %6s %5s %5s %7s %8s %6s %6s\n", "class", "boxes", "tp", "fp", "AP50",
              "AP50-95", "P", "R");
  for (const auto& c : j["classes"]) {
    std::printf("%-16s %6d %5d %5d %7s %8s %6.3f %6.3f\n",
                c["class_name"].get<std::string>().c_str(), c["truths"].get<int>(),
                c["tp"].get<int>(), c["fp"].get<int>(), Fixed(opt(c["ap50"])).c_str(),
                Fixed(opt(c["ap50_95"])).c_str(), c["precision"].get<double>(),
                c["recall"].get<double>());
  }
}

// Adds the figures to the store in o.data_dir when it exists and registers this model. Returns
// the stored row, nullopt when there is no such store or model (`why` says which), or an error.
Result<std::optional<store::ModelMetrics>> Store(const EvaluateOptions& o, const eval::Metrics& m,
                                                 const vision::ModelInfo& model, double median_ms,
                                                 std::string* why) {
  const store::Location where{.url = o.db, .data_dir = o.data_dir};
  const std::string db = store::Describe(where);  // the SQLite path, or the URL without password
  std::error_code ec;
  if (!store::IsPostgresUrl(o.db) && !fs::is_regular_file(db, ec)) {
    *why = "no store in " + (o.db.empty() ? o.data_dir : db);
    return std::optional<store::ModelMetrics>();
  }
  auto store = store::Open(where);
  if (!store.ok()) return store.status();
  auto models = (*store)->ListModels();
  if (!models.ok()) return models.status();
  const std::string version = api::VersionName(model);
  const auto it = std::find_if(models->begin(), models->end(), [&](const store::ModelVersion& v) {
    return v.version_name == version;
  });
  if (it == models->end()) {
    *why = "model " + version + " is not registered in " + db;
    return std::optional<store::ModelMetrics>();
  }
  store::ModelMetrics row;
  row.model_version_id = it->id;
  row.evaluation_date = Now();
  row.map50 = m.map50;
  row.map50_95 = m.map50_95;
  row.precision = m.precision;
  row.recall = m.recall;
  row.f1_score = m.f1;
  row.inference_time_ms = median_ms;
  row.test_dataset_path = fs::absolute(o.data, ec).lexically_normal().string();
  row.num_test_images = m.images;
  auto added = (*store)->AddModelMetrics(row);
  if (!added.ok()) return added.status();
  return std::optional<store::ModelMetrics>(*added);
}

// The evaluated predictions as a COCO results list, with the set's image and category ids
// (category -1: a class the set lacks, agnostic mode only).
Status SavePredictions(const std::string& path, const eval::Dataset& data,
                       const std::vector<eval::ImageResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    for (const auto& p : results[i].predictions) {
      list.push_back({{"image_id", data.images[i].id},
                      {"category_id", p.class_id < 0 ? -1 : data.category_ids[size_t(p.class_id)]},
                      {"bbox", {p.box.x, p.box.y, p.box.w, p.box.h}},
                      {"score", p.score}});
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << list.dump() << '\n';
  out.close();
  if (!out) return Status::Unavailable("cannot write " + path);
  return Status::Ok();
}

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "visionstock evaluate: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunEvaluate(const EvaluateOptions& o) {
  vs::log::SetLevel(vs::log::Level::kWarn);
  auto data = eval::ReadDataset(o.data);
  if (!data.ok()) return Fail(data.status().message(), 2);
  vision::DetectorConfig config = o.model.ToConfig();
  config.confidence_threshold = std::min(config.confidence_threshold, eval::kEvalConfidence);
  auto detector = vision::Detector::Load(config);
  if (!detector.ok()) {
    return Fail("cannot load the model " + o.model.model + ": " + detector.status().message(), 2);
  }
  const vision::ModelInfo& model = (*detector)->info();
  if (auto map = eval::ClassMap(model.class_names, data->class_names, o.agnostic); !map.ok()) {
    return Fail(map.status().message() + " (--agnostic counts every class as one)", 2);
  }
  Result<eval::RunResult> run = Status::Internal("not run");
  {
    Progress progress(data->images.size());
    run = eval::RunEvaluation(**detector, *data,
                              {.agnostic = o.agnostic,
                               .conf = o.model.conf,
                               .max_pixels = o.model.max_pixels,
                               .progress = [&](size_t i, const std::string& file) {
                                 if (i < data->images.size()) progress.Update(i, file);
                               }});
    progress.Clear();
  }
  if (!run.ok()) return Fail(run.status().message() + " (nothing evaluated)", 1);
  const auto& metrics = run->metrics;
  const auto& results = run->results;
  if (!o.save_predictions.empty()) {
    const Status saved = SavePredictions(o.save_predictions, *data, results);
    if (!saved.ok()) return Fail(saved.message(), 2);
  }
  const double median_ms = run->median_inference_ms;
  nlohmann::json answer = ToJson(metrics, *data, o, model, median_ms);

  std::string why;
  // The figures are printed even when storing them fails; the failure then sets the exit code.
  auto stored = Store(o, metrics, model, median_ms, &why);
  const bool saved = stored.ok() && stored->has_value();
  if (saved) {
    answer["stored"] = {{"model_version_id", (*stored)->model_version_id},
                        {"model_metrics_id", (*stored)->id}};
  }
  if (o.json) {
    std::printf("%s\n",
                answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    PrintTable(answer);
    if (saved) {
      std::printf("\nstored as model_metrics %lld of model version %lld in %s\n",
                  static_cast<long long>((*stored)->id),
                  static_cast<long long>((*stored)->model_version_id), o.data_dir.c_str());
    } else if (stored.ok()) {
      std::printf("\nnot stored: %s\n", why.c_str());
    }
  }
  std::fflush(stdout);
  if (!stored.ok()) return Fail("cannot store the metrics: " + stored.status().message(), 2);
  return 0;
}

}  // namespace vs::cli
