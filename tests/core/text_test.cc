#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace vs {
namespace {

using namespace std::string_literals;

struct Case {
  const char* what;
  std::string value;
  bool ok;
};

TEST(ValidateIdentifier, Table) {
  const Case cases[] = {
      {"ASCII", "store-12 / aisle 4", true},
      {"two-byte", "Caf\xC3\xA9 M\xC3\xBCller", true},
      {"three-byte", "\xE5\xBA\x97\xE8\x88\x97", true},  // 店舗
      {"four-byte", "shelf \xF0\x9F\x9B\x92", true},     // U+1F6D2
      {"highest code point U+10FFFF", "\xF4\x8F\xBF\xBF", true},
      {"U+FFFD and U+FEFF are characters", "\xEF\xBF\xBD\xEF\xBB\xBF", true},
      {"C1 controls are not C0", "\xC2\x85", true},
      {"empty", "", false},
      {"NUL", "a\0b"s, false},
      {"tab", "a\tb", false},
      {"newline", "a\nb", false},
      {"escape", "\x1B[31m", false},
      {"unit separator", "a\x1F", false},
      {"DEL", "a\x7F", false},
      {"lone continuation byte", "a\x80", false},
      {"truncated two-byte", "\xC3", false},
      {"truncated three-byte", "\xE5\xBA", false},
      {"overlong NUL", "\xC0\x80", false},
      {"overlong slash (2 bytes)", "\xC1\xAF", false},
      {"overlong slash (3 bytes)", "\xE0\x80\xAF", false},
      {"overlong U+FFFF in 4 bytes", "\xF0\x8F\xBF\xBF", false},
      {"surrogate U+D800", "\xED\xA0\x80", false},
      {"surrogate U+DFFF", "\xED\xBF\xBF", false},
      {"above U+10FFFF", "\xF4\x90\x80\x80", false},
      {"F5 lead byte", "\xF5\x80\x80\x80", false},
      {"FF byte", "\xFF", false},
      {"Latin-1 e-acute", "Caf\xE9", false},
      {"second byte not a continuation", "\xC3\x28", false},
  };
  for (const Case& c : cases) {
    const Status st = ValidateIdentifier("store", c.value, 64);
    EXPECT_EQ(st.ok(), c.ok) << c.what << ": " << st.ToString();
    if (!c.ok) {
      EXPECT_EQ(st.code(), Code::kInvalidValue) << c.what;
      EXPECT_EQ(st.message().rfind("store: ", 0), 0u) << c.what << ": " << st.message();
    }
  }
}

TEST(ValidateIdentifier, LengthIsCountedInBytes) {
  EXPECT_TRUE(ValidateIdentifier("shelf_location", std::string(10, 'a'), 10).ok());
  const Status long_ascii = ValidateIdentifier("shelf_location", std::string(11, 'a'), 10);
  EXPECT_EQ(long_ascii.code(), Code::kInvalidValue);
  EXPECT_NE(long_ascii.message().find("shelf_location"), std::string::npos);
  EXPECT_NE(long_ascii.message().find("limit is 10 bytes"), std::string::npos);
  // Six two-byte characters are 12 bytes.
  EXPECT_FALSE(
      ValidateIdentifier("store", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 10).ok());
}

TEST(ValidateIdentifier, MessageSaysWhere) {
  EXPECT_EQ(ValidateIdentifier("store", "ab\xFF", 64).message(), "store: invalid UTF-8 at byte 2");
  EXPECT_EQ(ValidateIdentifier("store", "a\nb", 64).message(),
            "store: control character 10 at byte 1");
}

}  // namespace
}  // namespace vs
