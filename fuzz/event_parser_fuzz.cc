// libFuzzer target: any Kafka message given to the processor's event parser is an event or a
// one-line dead-letter reason, never a crash; an accepted event survives its own encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "events/click_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using clickstream::events::ClickEventParser;
  static ClickEventParser* parser = new ClickEventParser();  // reused, as the processor does
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto event = parser->Parse(bytes);
  if (!event.has_value()) {
    if (event.error().message.empty() ||
        event.error().message.find('\n') != std::string_view::npos) {
      std::abort();  // a dead-letter reason is one non-empty line
    }
    return 0;
  }
  auto again = parser->Parse(clickstream::events::EncodeClickEvent(*event));
  if (!again.has_value() || again->user_id != event->user_id || again->page != event->page ||
      again->event_ts_us != event->event_ts_us) {
    std::abort();  // an accepted event must round-trip through the producer's encoding
  }
  return 0;
}
