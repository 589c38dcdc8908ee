#include "common/result.h"

#include <gtest/gtest.h>

namespace clickstream {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd number " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  CS_ASSIGN_OR_RETURN(int half, Half(x));
  CS_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  CS_RETURN_IF_ERROR(Half(x));
  return Ok();
}

TEST(ResultTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "odd number 3");
}

TEST(ResultTest, ReturnIfErrorWorksOnResultsAndStatus) {
  EXPECT_TRUE(CheckEven(4).has_value());
  EXPECT_FALSE(CheckEven(5).has_value());
}

TEST(ResultTest, WithContextPrefixesMessageAndKeepsCode) {
  Error e = Error{ErrorCode::kNotFound, "no such table"}.WithContext("loading website.x");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.message, "loading website.x: no such table");
}

}  // namespace
}  // namespace clickstream
