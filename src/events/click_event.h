#pragma once

#include <cstdint>
#include <string>

namespace clickstream::events {

// One click on the website: who (user_id, also the Kafka key), where (page path) and when
// (event_ts as microseconds since the Unix epoch, UTC). DESIGN.md "Event contract".
struct ClickEvent {
  std::string user_id;
  std::string page;
  int64_t event_ts_us = 0;

  friend bool operator==(const ClickEvent&, const ClickEvent&) = default;
};

}  // namespace clickstream::events
