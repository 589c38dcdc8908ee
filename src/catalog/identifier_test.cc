#include "catalog/identifier.h"

#include <gtest/gtest.h>

#include <string>

namespace clickstream::catalog {
namespace {

TEST(IdentifierTest, ParsesNamespaceDotTable) {
  auto id = ParseTableIdentifier("website.clicks");
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->ns, "website");
  EXPECT_EQ(id->name, "clicks");
  EXPECT_EQ(id->ToString(), "website.clicks");
}

TEST(IdentifierTest, AcceptsDigitsUnderscoresAndDashes) {
  EXPECT_TRUE(ParseTableIdentifier("web_site2.clicks-dlq_1").has_value());
}

TEST(IdentifierTest, RejectsNamesThatCouldEscapeTheWarehouse) {
  for (const char* text : {"..", "../etc.passwd", "website../x", "website.a/b", "website./",
                           "/abs.clicks", "website.\\x", "website..", ".clicks", "website.",
                           "website", "a..b", "a.b.", ".a.b", "a/b.c.d", "website.-rf",
                           "website.cl icks"}) {
    auto id = ParseTableIdentifier(text);
    ASSERT_FALSE(id.has_value()) << text;
    EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument) << text;
  }
}

TEST(IdentifierTest, ParsesNestedNamespacesAsOtherEnginesWriteThem) {
  auto id = ParseTableIdentifier("analytics.daily.events");
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->ns, "analytics.daily");
  EXPECT_EQ(id->name, "events");
  EXPECT_EQ(id->ToString(), "analytics.daily.events");
  EXPECT_TRUE(ValidateNamespace("a.b.c").has_value());
  EXPECT_FALSE(ValidateNamespace("a..c").has_value());
  EXPECT_FALSE(ValidateNamespace("").has_value());
}

TEST(IdentifierTest, StoredNamesAreLookedUpAsTheyAre) {
  EXPECT_TRUE(ValidateStoredName("sales reports", "namespace").has_value());
  EXPECT_TRUE(ValidateStoredName("caf\xc3\xa9.v2", "namespace").has_value());
  EXPECT_FALSE(ValidateStoredName("", "namespace").has_value());
  EXPECT_FALSE(ValidateStoredName("a\nb", "table").has_value());
  EXPECT_FALSE(ValidateStoredName(std::string(256, 'a'), "table").has_value());
}

TEST(IdentifierTest, RejectsEmptyControlAndVeryLongNames) {
  EXPECT_FALSE(ValidateName("", "table").has_value());
  EXPECT_FALSE(ValidateName(std::string("a\nb"), "table").has_value());
  EXPECT_FALSE(ValidateName(std::string("a\0b", 3), "table").has_value());
  EXPECT_FALSE(ValidateName("caf\xc3\xa9", "table").has_value());
  EXPECT_TRUE(ValidateName(std::string(kMaxNameLength, 'a'), "table").has_value());
  auto long_name = ValidateName(std::string(kMaxNameLength + 1, 'a'), "table");
  ASSERT_FALSE(long_name.has_value());
  EXPECT_NE(long_name.error().message.find("longer than"), std::string::npos);
}

TEST(IdentifierTest, ErrorMessageDoesNotEchoControlCharacters) {
  auto status = ValidateName("a\x1b[31mb", "table");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace clickstream::catalog
