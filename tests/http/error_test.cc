#include "http/error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vs::http {
namespace {

using S = beast_http::status;

TEST(HttpStatusFor, EveryCodeHasItsStatus) {
  EXPECT_EQ(HttpStatusFor(Code::kOk), S::ok);
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), S::bad_request);
  EXPECT_EQ(HttpStatusFor(Code::kInvalidValue), S::unprocessable_entity);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), S::not_found);
  EXPECT_EQ(HttpStatusFor(Code::kConflict), S::conflict);
  EXPECT_EQ(HttpStatusFor(Code::kTooLarge), S::payload_too_large);
  EXPECT_EQ(HttpStatusFor(Code::kUnsupportedMedia), S::unsupported_media_type);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), S::service_unavailable);
  EXPECT_EQ(HttpStatusFor(Code::kTooManyRequests), S::too_many_requests);
  EXPECT_EQ(HttpStatusFor(Code::kNotImplemented), S::not_implemented);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), S::internal_server_error);
}

TEST(ErrorResponse, OneShape) {
  const Response res = ErrorResponse(Status::UnsupportedMedia("not an image"));
  EXPECT_EQ(res.result(), S::unsupported_media_type);
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  const auto body = nlohmann::json::parse(res.body());
  EXPECT_EQ(body, nlohmann::json::parse(
                      R"({"error":{"code":"unsupported_media_type","message":"not an image"}})"));
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(res.body().size()));
}

TEST(ErrorResponse, InvalidUtf8InMessageIsReplacedNotThrown) {
  const Response res = ErrorResponse(Status::InvalidArgument("bad \xff byte"));
  EXPECT_EQ(res.result(), S::bad_request);
  EXPECT_FALSE(nlohmann::json::parse(res.body(), nullptr, false).is_discarded());
}

}  // namespace
}  // namespace vs::http
