#include "pipeline/offset_fence.h"

#include <string>

namespace clickstream::pipeline {

namespace {

std::string Describe(const std::optional<int64_t>& offset) {
  return offset ? "offset " + std::to_string(*offset) : "no record";
}

}  // namespace

Status CheckExpectedOffsets(const std::map<int32_t, int64_t>& recorded,
                            const ExpectedOffsets& expected) {
  for (const auto& [partition, offset] : expected) {
    auto it = recorded.find(partition);
    std::optional<int64_t> actual =
        it == recorded.end() ? std::nullopt : std::optional<int64_t>(it->second);
    if (actual != offset) {
      return Conflict("Kafka partition " + std::to_string(partition) + " is at " +
                      Describe(actual) + " in the table, not at " + Describe(offset) +
                      " as this batch expects: another processor committed it first");
    }
  }
  return Ok();
}

}  // namespace clickstream::pipeline
