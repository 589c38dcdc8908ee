#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "events/click_event.h"
#include "events/random.h"

namespace clickstream::events {

struct GeneratorOptions {
  int64_t users = 1000;    // user ids are user_1 .. user_<users>
  uint64_t seed = 42;      // same seed and same clock readings: same events
  double page_skew = 1.0;  // Zipf exponent over the site map (rank 1 is the most visited)
  int64_t max_lateness_us = 3'000'000;  // event_ts lies up to this much before the clock reading
};

// The pages of the website in popularity order: /home, /products, /search, /cart, ..., product
// pages /products/<id>, category pages and rarely visited ones (/careers, /privacy) at the tail.
std::vector<std::string> SiteMap();

// A deterministic source of realistic clicks: a user population with a mildly skewed activity
// (low ids are the regulars), pages drawn Zipf-like from SiteMap(), and event times close to the
// clock reading passed in (a little late, as clients send with some delay).
class ClickGenerator {
 public:
  // kInvalidArgument when users < 1, page_skew < 0 or max_lateness_us < 0.
  static Result<ClickGenerator> Make(const GeneratorOptions& options);

  // The next click; its event_ts is in (now_us - max_lateness_us, now_us].
  ClickEvent Next(int64_t now_us);
  // Same, reusing `event`'s string buffers.
  void Next(int64_t now_us, ClickEvent& event);

  const std::vector<std::string>& pages() const { return pages_; }
  // Probability of pages()[rank] under the configured skew.
  double PageProbability(size_t rank) const;
  DeterministicRandom& random() { return random_; }

 private:
  ClickGenerator(const GeneratorOptions& options, std::vector<std::string> pages,
                 std::vector<double> cumulative);
  size_t NextPageRank();

  GeneratorOptions options_;
  std::vector<std::string> pages_;
  std::vector<double> cumulative_;  // cumulative_[r] = P(rank <= r)
  DeterministicRandom random_;
};

}  // namespace clickstream::events
