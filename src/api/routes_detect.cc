// POST /api/detect: one photo in, one stored scan out.
#include "api/routes.h"
#include "api/scan_json.h"
#include "http/multipart.h"

namespace vs::api {
namespace {

namespace bh = http::beast_http;
constexpr size_t kMaxTextField = 200;

// A text field from the form (wins) or the query. Duplicates in the form are InvalidArgument.
Result<std::optional<std::string>> TextField(const http::MultipartForm* form,
                                             const http::QueryParams& query, const char* name) {
  if (form && form->Count(name) > 1) {
    return Status::InvalidArgument(std::string("form field '") + name + "' given more than once");
  }
  std::string value;
  if (const http::MultipartPart* part = form ? form->Find(name) : nullptr) {
    value.assign(part->data.data(), part->data.size());
  } else if (auto q = query.Get(name)) {
    value = std::move(*q);
  }
  if (value.empty()) return std::optional<std::string>();
  if (value.size() > kMaxTextField) {
    return Status::InvalidValue(std::string(name) + " is longer than 200 characters");
  }
  return std::optional<std::string>(std::move(value));
}

Result<nlohmann::json> Detect(const http::Request& request, const ApiDeps& deps) {
  // No model: nothing to do, whatever was sent (unless the request names a model).
  if (deps.models ? !deps.models->Active() && !request.query.Get("model")
                  : !deps.scans->detector()) {
    return Status::Unavailable("no detection model loaded: " +
                               (deps.models ? deps.models->reason() : deps.scans->model_reason()));
  }
  VS_RETURN_IF_ERROR(NeedStore(deps));
  const std::string content_type(request.header(bh::field::content_type));
  std::optional<http::MultipartForm> form;
  std::string_view image;
  if (http::IsMultipartFormData(content_type)) {
    auto boundary = http::MultipartBoundary(content_type);
    if (!boundary.ok()) return boundary.status();
    auto parsed = http::ParseMultipart(request.body(), *boundary);
    if (!parsed.ok()) return parsed.status();
    form = std::move(parsed).value();
    const size_t files = form->Count("file");
    if (files == 0) return Status::InvalidArgument("multipart body has no 'file' field");
    if (files > 1) return Status::InvalidArgument("multipart body has more than one 'file' field");
    image = form->Find("file")->data;
  } else {
    image = request.body();
  }
  if (image.empty()) return Status::InvalidArgument("no image: the request body is empty");

  const http::MultipartForm* f = form ? &*form : nullptr;
  ingest::ScanInput input;
  input.bytes = image;
  input.client_gone = [&request] { return request.client_gone(); };
  auto store = TextField(f, request.query, "store");
  if (!store.ok()) return store.status();
  if (*store) input.store = **store;
  auto shelf = TextField(f, request.query, "shelf_location");
  if (!shelf.ok()) return shelf.status();
  if (*shelf) input.shelf_location = **shelf;
  auto captured = TextField(f, request.query, "captured_at");
  if (!captured.ok()) return captured.status();
  if (*captured) {
    auto t = ParseIso8601(**captured);
    if (!t.ok()) return Status::InvalidValue("captured_at: '" + **captured + "' is not ISO 8601");
    input.captured_at = *t;
  }
  auto model_type = TextField(f, request.query, "model_type");
  if (!model_type.ok()) return model_type.status();
  auto model = TextField(f, request.query, "model");
  if (!model.ok()) return model.status();

  // The chosen model is held until the answer is made: switching the active model meanwhile
  // does not disturb this request.
  std::shared_ptr<const models::LoadedModel> chosen;
  std::string version_name = deps.model_version_name;
  if (deps.models) {
    auto resolved = deps.models->Resolve(*model, *model_type);
    if (!resolved.ok()) return resolved.status();
    chosen = std::move(resolved).value();
    input.detector = chosen->detector.get();
    input.model_version_id = chosen->version.id;
    input.full_resolution = chosen->settings.slicing.mode != vision::SliceMode::kOff;
    input.class_skus = &chosen->settings.class_skus;
    version_name = chosen->version.version_name;
  }
  auto out = deps.scans->Scan(input);
  if (!out.ok()) return out.status();
  if (deps.metrics) {
    using Ms = std::chrono::duration<double, std::milli>;
    deps.metrics->ObserveDecode(Ms(out->decode_ms));
    deps.metrics->ObserveDetection(Ms(out->inference_ms));
  }
  return DetectAnswer(out->scan, version_name);
}

}  // namespace

void AddDetectRoutes(http::Router& router, const ApiDeps& deps) {
  router.Add(
      {.method = bh::verb::post,
       .pattern = "/api/detect",
       .role = Role::kOperator,
       .summary = "Upload a shelf photo (field 'file'); detect, store and answer its products",
       .query = {"shelf_location", "store", "captured_at", "model_type", "model"},
       .body = http::BodyKind::kUpload,
       .tag = "detections"},
      [&deps](http::Request& r) { return Reply(r, Detect(r, deps)); });
}

}  // namespace vs::api
