// POST /api/models/compare-photo?models=A,B: two or more registered models on one uploaded photo,
// answered side by side and stored nowhere (no scan, no photo, no event). The route runs in the
// detection lane like POST /api/detect (cli/serve.cc), so a full lane answers 503 before the body
// is read.
#include <algorithm>
#include <map>

#include "api/params.h"
#include "api/routes.h"
#include "http/multipart.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;

// At most this many models per request: each one is a full decode and inference on one lane
// thread, so the cap bounds how long one request may hold its lane slot.
constexpr size_t kMaxCompared = 4;

// The entries of `models=A,B,...` (version names or ids), each trimmed of spaces. InvalidValue
// unless there are 2..kMaxCompared non-empty entries.
Result<std::vector<std::string>> ModelNames(const http::QueryParams& query) {
  auto list = NonEmpty(query, "models");
  if (!list) {
    return Status::InvalidValue("models is required: two to " + std::to_string(kMaxCompared) +
                                " version names or ids, separated by commas");
  }
  std::vector<std::string> names;
  size_t from = 0;
  for (;;) {
    const size_t comma = list->find(',', from);
    std::string name = list->substr(from, comma == std::string::npos ? comma : comma - from);
    const size_t first = name.find_first_not_of(' ');
    const size_t last = name.find_last_not_of(' ');
    name = first == std::string::npos ? std::string() : name.substr(first, last - first + 1);
    if (name.empty()) return Status::InvalidValue("models: an empty entry in '" + *list + "'");
    names.push_back(std::move(name));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  if (names.size() < 2 || names.size() > kMaxCompared) {
    return Status::InvalidValue("models: give two to " + std::to_string(kMaxCompared) +
                                " versions to compare (got " + std::to_string(names.size()) + ")");
  }
  return names;
}

// The photo: the one 'file' field of a multipart body, else the raw body.
Result<std::string_view> Photo(const http::Request& request) {
  const std::string content_type(request.header(bh::field::content_type));
  std::string_view image = request.body();
  if (http::IsMultipartFormData(content_type)) {
    auto boundary = http::MultipartBoundary(content_type);
    if (!boundary.ok()) return boundary.status();
    auto form = http::ParseMultipart(request.body(), *boundary);
    if (!form.ok()) return form.status();
    const size_t files = form->Count("file");
    if (files == 0) return Status::InvalidArgument("multipart body has no 'file' field");
    if (files > 1) return Status::InvalidArgument("multipart body has more than one 'file' field");
    // The part's bytes lie inside the request body, which outlives the form.
    image = form->Find("file")->data;
  }
  if (image.empty()) return Status::InvalidArgument("no image: the request body is empty");
  return image;
}

// One detection as /api/detect answers it, without the stored id and SKU: {class_name, class_id,
// confidence, x_center, y_center, width, height, bbox}.
nlohmann::json DetectionJson(const vision::Detection& d, int width, int height) {
  const store::NewDetection n = ingest::Normalise(d, width, height);
  return {{"class_name", n.class_name},
          {"class_id", n.class_id},
          {"confidence", n.confidence},
          {"x_center", n.x_center},
          {"y_center", n.y_center},
          {"width", n.width},
          {"height", n.height},
          {"bbox",
           {(n.x_center - n.width / 2) * width, (n.y_center - n.height / 2) * height,
            (n.x_center + n.width / 2) * width, (n.y_center + n.height / 2) * height}}};
}

// Decodes the photo as POST /api/detect would for `model` and runs it.
Result<nlohmann::json> RunOne(const http::Request& request, const ApiDeps& deps,
                              std::string_view photo, const models::LoadedModel& model) {
  const bool sliced = model.settings.slicing.mode != vision::SliceMode::kOff;
  auto decoded = deps.scans->Decode(photo, *model.detector, sliced,
                                    [&request] { return request.client_gone(); });
  if (!decoded.ok()) return decoded.status();
  if (request.client_gone()) {
    return Status::Unavailable("the client went away before detection; nothing was stored");
  }
  const vision::DecodedImage& image = decoded->image;
  auto out = model.detector->Detect(image);
  if (!out.ok()) return out.status();
  if (deps.metrics) {
    using Ms = std::chrono::duration<double, std::milli>;
    deps.metrics->ObserveDecode(Ms(decoded->decode_ms));
    deps.metrics->ObserveDetection(Ms(out->inference_ms));
  }
  nlohmann::json detections = nlohmann::json::array();
  std::map<std::string, int> counts;
  for (const auto& d : out->detections) {
    detections.push_back(DetectionJson(d, image.width, image.height));
    ++counts[d.class_name];
  }
  return nlohmann::json{{"model_version", model.version.version_name},
                        {"model_version_id", model.version.id},
                        {"model_type", model.version.model_type},
                        {"settings", models::SettingsToJson(model.settings)},
                        {"width", image.width},
                        {"height", image.height},
                        {"detections_count", out->detections.size()},
                        {"counts", counts},
                        {"decode_ms", decoded->decode_ms},
                        {"inference_ms", out->inference_ms},
                        {"detections", std::move(detections)}};
}

Result<nlohmann::json> ComparePhoto(const http::Request& request, const ApiDeps& deps) {
  if (!deps.models) return Status::Unavailable("this server has no model registry");
  auto names = ModelNames(request.query);
  if (!names.ok()) return names.status();
  auto photo = Photo(request);
  if (!photo.ok()) return photo.status();
  // Every model is resolved (and loaded) before any runs, so an unknown name costs no inference;
  // each is held until the answer is made, whatever the active model becomes meanwhile.
  std::vector<std::shared_ptr<const models::LoadedModel>> chosen;
  for (const std::string& name : *names) {
    auto m = deps.models->Resolve(name, std::nullopt);
    if (!m.ok()) return m.status();
    for (const auto& earlier : chosen) {
      if (earlier->version.id == (*m)->version.id) {
        return Status::InvalidValue("models: version '" + (*m)->version.version_name +
                                    "' is named twice");
      }
    }
    chosen.push_back(std::move(m).value());
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& model : chosen) {
    auto one = RunOne(request, deps, *photo, *model);
    if (!one.ok()) return one.status();
    results.push_back(std::move(one).value());
  }
  // Every model sees the same oriented photo; its size is the first one's.
  return nlohmann::json{{"width", results[0]["width"]},
                        {"height", results[0]["height"]},
                        {"stored", false},
                        {"models", std::move(results)}};
}

}  // namespace

void AddModelCompareRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add({.method = bh::verb::post,
              .pattern = "/api/models/compare-photo",
              .role = Role::kOperator,
              .summary = "Run two to four registered models (models=A,B) on one uploaded photo "
                         "('file'); their detections and counts side by side, nothing stored",
              .query = {"models"},
              .body = http::BodyKind::kUpload,
              .tag = "models"},
             [&deps](http::Request& r) { return Reply(r, ComparePhoto(r, deps)); });
}

}  // namespace vs::api
