#include "iceberg/bounds.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace clickstream::iceberg {
namespace {

std::string Bytes(std::initializer_list<unsigned> bytes) {
  std::string out;
  for (unsigned b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(BoundsTest, SerializesEveryPrimitiveTypePerAppendixD) {
  EXPECT_EQ(SerializeValue(TypeId::kBoolean, Literal(true)).value(), Bytes({0x01}));
  EXPECT_EQ(SerializeValue(TypeId::kBoolean, Literal(false)).value(), Bytes({0x00}));
  EXPECT_EQ(SerializeValue(TypeId::kInt, Literal(int32_t{-2})).value(),
            Bytes({0xFE, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(SerializeValue(TypeId::kDate, Literal(int32_t{19000})).value(),
            Bytes({0x38, 0x4A, 0x00, 0x00}));
  EXPECT_EQ(SerializeValue(TypeId::kLong, Literal(int64_t{0x0102030405060708})).value(),
            Bytes({0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  // 2026-11-23T22:55:00.123456Z in microseconds.
  EXPECT_EQ(SerializeValue(TypeId::kTimestamptz, Literal(int64_t{1795474500123456})).value(),
            Bytes({0x40, 0x7B, 0xC8, 0x7B, 0xF9, 0x60, 0x06, 0x00}));
  EXPECT_EQ(SerializeValue(TypeId::kTimestamp, Literal(int64_t{1})).value(),
            Bytes({1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(SerializeValue(TypeId::kFloat, Literal(1.0f)).value(), Bytes({0x00, 0x00, 0x80, 0x3F}));
  EXPECT_EQ(SerializeValue(TypeId::kDouble, Literal(-2.5)).value(),
            Bytes({0, 0, 0, 0, 0, 0, 0x04, 0xC0}));
  EXPECT_EQ(SerializeValue(TypeId::kString, Literal(std::string("/cart"))).value(), "/cart");
  EXPECT_EQ(SerializeValue(TypeId::kBinary, Literal(Bytes({0x00, 0xFF}))).value(),
            Bytes({0x00, 0xFF}));
}

TEST(BoundsTest, RejectsLiteralOfWrongType) {
  auto r = SerializeValue(TypeId::kLong, Literal(int32_t{1}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(SerializeValue(TypeId::kString, Literal()).has_value());
}

TEST(BoundsTest, DeserializeInvertsSerialize) {
  const std::pair<TypeId, Literal> cases[] = {
      {TypeId::kBoolean, Literal(true)},
      {TypeId::kInt, Literal(std::numeric_limits<int32_t>::min())},
      {TypeId::kDate, Literal(int32_t{-1})},
      {TypeId::kLong, Literal(std::numeric_limits<int64_t>::max())},
      {TypeId::kTimestamptz, Literal(int64_t{1795474500123456})},
      {TypeId::kTimestamp, Literal(int64_t{-5})},
      {TypeId::kFloat, Literal(3.25f)},
      {TypeId::kDouble, Literal(1e300)},
      {TypeId::kString, Literal(std::string("ünïcödé"))},
      {TypeId::kBinary, Literal(Bytes({0, 1, 2, 255}))},
  };
  for (const auto& [type, literal] : cases) {
    auto bytes = SerializeValue(type, literal);
    ASSERT_TRUE(bytes.has_value());
    auto back = DeserializeValue(type, *bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, literal) << "type " << static_cast<int>(type);
  }
}

TEST(BoundsTest, DeserializeRejectsWrongLength) {
  auto r = DeserializeValue(TypeId::kLong, Bytes({1, 2, 3}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kCorrupt);
  EXPECT_FALSE(DeserializeValue(TypeId::kBoolean, "").has_value());
}

TEST(BoundsTest, ShortStringsAreNotTruncated) {
  EXPECT_EQ(TruncateLowerBound(TypeId::kString, "/products/12"), "/products/12");
  EXPECT_EQ(TruncateUpperBound(TypeId::kString, "/products/12"), "/products/12");
  std::string sixteen = "abcdefghijklmnop";
  EXPECT_EQ(TruncateUpperBound(TypeId::kString, sixteen), sixteen);
}

TEST(BoundsTest, LongStringsTruncateToSixteenCodePointsAndIncrementUpper) {
  std::string value = "/products/category/12345";
  EXPECT_EQ(TruncateLowerBound(TypeId::kString, value), "/products/catego");
  EXPECT_EQ(TruncateUpperBound(TypeId::kString, value), "/products/categp");
  // The bounds still hold the value.
  EXPECT_LE(TruncateLowerBound(TypeId::kString, value), value);
  EXPECT_GT(TruncateUpperBound(TypeId::kString, value).value(), value);
}

TEST(BoundsTest, TruncationCountsCodePointsNotBytes) {
  // 17 two-byte characters: the bound keeps 16 of them (32 bytes).
  std::string value;
  for (int i = 0; i < 17; ++i) value += "é";  // U+00E9
  std::string lower = TruncateLowerBound(TypeId::kString, value);
  EXPECT_EQ(lower.size(), 32u);
  std::string upper = TruncateUpperBound(TypeId::kString, value).value();
  // Last code point becomes U+00EA (ê).
  EXPECT_EQ(upper, lower.substr(0, 30) + "ê");
}

TEST(BoundsTest, UpperBoundCarriesPastMaxCodePointAndSkipsSurrogates) {
  std::string max_cp = "\xF4\x8F\xBF\xBF";  // U+10FFFF
  std::string value = "abcdefghijklmno" + max_cp + "z";
  EXPECT_EQ(TruncateUpperBound(TypeId::kString, value), "abcdefghijklmnp");

  std::string before_surrogates = "\xED\x9F\xBF";  // U+D7FF
  std::string v2 = "abcdefghijklmno" + before_surrogates + "z";
  EXPECT_EQ(TruncateUpperBound(TypeId::kString, v2), "abcdefghijklmno\xEE\x80\x80");  // U+E000

  std::string all_max;
  for (int i = 0; i < 17; ++i) all_max += max_cp;
  EXPECT_FALSE(TruncateUpperBound(TypeId::kString, all_max).has_value());
}

TEST(BoundsTest, BinaryTruncatesBytesAndCarries) {
  std::string value(20, '\x01');
  EXPECT_EQ(TruncateLowerBound(TypeId::kBinary, value), std::string(16, '\x01'));
  EXPECT_EQ(TruncateUpperBound(TypeId::kBinary, value), std::string(15, '\x01') + "\x02");
  std::string tail_ff = std::string(14, 'a') + "\xFF\xFF" + "zz";
  EXPECT_EQ(TruncateUpperBound(TypeId::kBinary, tail_ff), std::string(13, 'a') + "b");
  EXPECT_FALSE(TruncateUpperBound(TypeId::kBinary, std::string(17, '\xFF')).has_value());
}

TEST(BoundsTest, NonStringTypesAreNeverTruncated) {
  std::string eight(8, '\xFF');
  EXPECT_EQ(TruncateLowerBound(TypeId::kLong, eight, 2), eight);
  EXPECT_EQ(TruncateUpperBound(TypeId::kLong, eight, 2), eight);
}

}  // namespace
}  // namespace clickstream::iceberg
