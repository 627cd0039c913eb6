#include "http/multipart.h"

#include <gtest/gtest.h>

#include <string>

namespace vs::http {
namespace {

std::string Body(std::initializer_list<std::string> lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

TEST(MultipartBoundary, PlainAndQuoted) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc123").value(), "abc123");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"a b;c=d\"").value(), "a b;c=d");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data;charset=utf-8;BOUNDARY=xyz").value(), "xyz");
}

TEST(MultipartBoundary, MissingEmptyOrTooLong) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).status().code(),
      Code::kInvalidArgument);
  EXPECT_TRUE(MultipartBoundary("multipart/form-data; boundary=" + std::string(70, 'a')).ok());
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"abc").status().code(),
            Code::kInvalidArgument);
}

TEST(MultipartType, Recognised) {
  EXPECT_TRUE(IsMultipartFormData("multipart/form-data; boundary=x"));
  EXPECT_TRUE(IsMultipartFormData("MULTIPART/FORM-DATA"));
  EXPECT_FALSE(IsMultipartFormData("multipart/mixed; boundary=x"));
  EXPECT_FALSE(IsMultipartFormData("image/jpeg"));
  EXPECT_FALSE(IsMultipartFormData(""));
}

TEST(HeaderValue, QuotedEscapesAndCase) {
  auto v = ParseHeaderValue(R"(Form-Data; Name="file"; filename="a \"b\";c.jpg")");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, "form-data");
  EXPECT_EQ(v->Param("name").value(), "file");
  EXPECT_EQ(v->Param("filename").value(), "a \"b\";c.jpg");
  EXPECT_FALSE(v->Param("other").has_value());
  EXPECT_FALSE(ParseHeaderValue("form-data; name").ok());
  EXPECT_FALSE(ParseHeaderValue(R"(form-data; name="x" junk)").ok());
}

TEST(Multipart, TwoPartsWithBinaryData) {
  const std::string binary("\x00\x01\r\n--bounda\xff", 12);
  const std::string body =
      Body({"--XyZ", R"(Content-Disposition: form-data; name="shelf_location")", "", "A1", "--XyZ",
            R"(Content-Disposition: form-data; name="file"; filename="p.jpg")",
            "Content-Type: image/jpeg", "", binary, "--XyZ--"});
  auto form = ParseMultipart(body, "XyZ");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  ASSERT_EQ(form->parts.size(), 2u);
  EXPECT_EQ(form->parts[0].name, "shelf_location");
  EXPECT_EQ(form->parts[0].data, "A1");
  EXPECT_FALSE(form->parts[0].filename.has_value());
  const MultipartPart* file = form->Find("file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename.value(), "p.jpg");
  EXPECT_EQ(file->content_type, "image/jpeg");
  EXPECT_EQ(std::string(file->data), binary);
}

TEST(Multipart, PreambleEpilogueAndPadding) {
  const std::string body =
      "preamble text\r\n" +
      Body({"--b  ", R"(content-disposition: form-data; name=a)", "", "1", "--b\t",
            R"(Content-Disposition: form-data; name="b")", "", "", "--b--"}) +
      "epilogue";
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  ASSERT_EQ(form->parts.size(), 2u);
  EXPECT_EQ(form->parts[0].data, "1");
  EXPECT_EQ(form->parts[1].name, "b");
  EXPECT_EQ(form->parts[1].data, "");  // empty value
}

TEST(Multipart, DataEndingInCrlfKeepsIt) {
  const std::string body =
      Body({"--b", R"(Content-Disposition: form-data; name="a")", "", "line\r\n", "--b--"});
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->parts[0].data, "line\r\n");
}

TEST(Multipart, BoundaryPrefixInsideDataIsData) {
  // "--bX" and "--b" not at a line start are not delimiters.
  const std::string data = "x--b\r\n--bX\r\n--b-";
  const std::string body =
      Body({"--b", R"(Content-Disposition: form-data; name="a")", "", data, "--b--"});
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  ASSERT_EQ(form->parts.size(), 1u);
  EXPECT_EQ(form->parts[0].data, data);
}

TEST(Multipart, CloseDelimiterWithoutTrailingCrlf) {
  const std::string body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--";
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->parts[0].data, "v");
}

TEST(Multipart, DuplicateNamesAreAllReturned) {
  const std::string body =
      Body({"--b", R"(Content-Disposition: form-data; name="file")", "", "1", "--b",
            R"(Content-Disposition: form-data; name="file")", "", "2", "--b--"});
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->Count("file"), 2u);
  EXPECT_EQ(form->Find("file")->data, "1");
  EXPECT_EQ(form->Count("missing"), 0u);
  EXPECT_EQ(form->Find("missing"), nullptr);
}

TEST(Multipart, ObsoleteHeaderFolding) {
  const std::string body =
      Body({"--b", "Content-Disposition: form-data;", "  name=\"folded\"", "", "v", "--b--"});
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->parts[0].name, "folded");
}

// Found by fuzz/multipart_fuzz.cc: a blank folded line gave "image/jpeg " (trailing space),
// which a client sending the form again could not reproduce.
TEST(Multipart, BlankFoldedLinesAddNothingToAValue) {
  const std::string body = Body({"--b", R"(Content-Disposition: form-data; name="f")",
                                 "Content-Type: image/jpeg", "\t", "", "v", "--b--"});
  auto form = ParseMultipart(body, "b");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->parts[0].content_type, "image/jpeg");
}

void ExpectBad(const std::string& body, const std::string& boundary = "b") {
  auto form = ParseMultipart(body, boundary);
  EXPECT_FALSE(form.ok()) << "accepted: " << body;
  if (!form.ok()) {
    EXPECT_EQ(form.status().code(), Code::kInvalidArgument);
  }
}

TEST(Multipart, RejectsEmptyAndNoDelimiter) {
  ExpectBad("");
  ExpectBad("just some text");
  ExpectBad("--other\r\n\r\n--other--");
  ExpectBad("--b--\r\n");  // no parts at all
}

TEST(Multipart, RejectsTruncatedBodies) {
  const std::string full =
      Body({"--b", R"(Content-Disposition: form-data; name="a")", "", "value", "--b--"});
  // Every strict prefix that cuts into the structure is rejected, never half-accepted.
  for (size_t n = 0; n + 2 < full.size(); ++n) {
    const std::string cut = full.substr(0, n);
    auto form = ParseMultipart(cut, "b");
    EXPECT_FALSE(form.ok()) << "prefix of " << n << " bytes accepted";
  }
  EXPECT_TRUE(ParseMultipart(full, "b").ok());
}

TEST(Multipart, RejectsBadPartHeaders) {
  ExpectBad(Body({"--b", "", "no headers", "--b--"}));
  ExpectBad(Body({"--b", "Content-Type: text/plain", "", "x", "--b--"}));
  ExpectBad(Body({"--b", "Content-Disposition: attachment; name=\"a\"", "", "x", "--b--"}));
  ExpectBad(Body({"--b", "Content-Disposition: form-data", "", "x", "--b--"}));
  ExpectBad(Body({"--b", "Content-Disposition: form-data; name=\"\"", "", "x", "--b--"}));
  ExpectBad(Body({"--b", "not a header line", "", "x", "--b--"}));
  ExpectBad(Body({"--b", "Content-Disposition: form-data; name=\"a", "", "x", "--b--"}));
  ExpectBad(Body({"--b", "Content-Disposition: form-data; name=a",
                  "Content-Disposition: form-data; name=b", "", "x", "--b--"}));
}

TEST(Multipart, BareLfIsNotADelimiterLine) {
  // Lines must end in CRLF: an LF-only body has no delimiter after the data.
  ExpectBad("--b\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b--\n");
}

TEST(Multipart, TooManyParts) {
  std::string body;
  for (int i = 0; i < 5; ++i)
    body += Body({"--b", "Content-Disposition: form-data; name=p", "", "x"});
  body += "--b--\r\n";
  EXPECT_TRUE(ParseMultipart(body, "b").ok());
  MultipartLimits limits;
  limits.max_parts = 4;
  EXPECT_FALSE(ParseMultipart(body, "b", limits).ok());
}

}  // namespace
}  // namespace vs::http
