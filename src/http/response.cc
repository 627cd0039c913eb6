#include "http/response.h"

namespace vs::http {

Response JsonResponse(beast_http::status status, const nlohmann::json& body, unsigned version) {
  return BytesResponse(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json", version);
}

Response BytesResponse(beast_http::status status, std::string body, std::string_view content_type,
                       unsigned version) {
  Response res{status, version};
  res.set(beast_http::field::content_type, Bsv(content_type));
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response EmptyResponse(beast_http::status status, unsigned version) {
  Response res{status, version};
  if (status != beast_http::status::no_content && status != beast_http::status::not_modified) {
    res.content_length(0);
  }
  return res;
}

}  // namespace vs::http
