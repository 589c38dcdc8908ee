#include "events/click_generator.h"

#include <algorithm>
#include <cmath>

namespace clickstream::events {

std::vector<std::string> SiteMap() {
  std::vector<std::string> pages = {"/home",     "/products", "/search",  "/cart",
                                    "/checkout", "/login",    "/account", "/deals"};
  // Product detail pages interleaved with category pages, then the long tail.
  constexpr const char* kCategories[] = {"electronics", "books",  "home-garden", "fashion",
                                         "toys",        "sports", "beauty",      "grocery"};
  for (int id = 1; id <= 40; ++id) {
    pages.push_back("/products/" + std::to_string(id));
    if (id % 5 == 0) pages.push_back(std::string("/category/") + kCategories[id / 5 - 1]);
  }
  for (const char* page : {"/orders", "/wishlist", "/help", "/contact", "/about", "/blog",
                           "/shipping", "/returns", "/careers", "/privacy", "/terms"}) {
    pages.emplace_back(page);
  }
  return pages;
}

Result<ClickGenerator> ClickGenerator::Make(const GeneratorOptions& options) {
  if (options.users < 1) return InvalidArgument("--users must be at least 1");
  if (!(options.page_skew >= 0)) return InvalidArgument("page skew must be >= 0");
  if (options.max_lateness_us < 0) return InvalidArgument("lateness must be >= 0");
  std::vector<std::string> pages = SiteMap();
  std::vector<double> cumulative(pages.size());
  double total = 0;
  for (size_t rank = 0; rank < pages.size(); ++rank) {
    total += 1.0 / std::pow(static_cast<double>(rank + 1), options.page_skew);
    cumulative[rank] = total;
  }
  for (double& c : cumulative) c /= total;
  cumulative.back() = 1.0;
  return ClickGenerator(options, std::move(pages), std::move(cumulative));
}

ClickGenerator::ClickGenerator(const GeneratorOptions& options, std::vector<std::string> pages,
                               std::vector<double> cumulative)
    : options_(options),
      pages_(std::move(pages)),
      cumulative_(std::move(cumulative)),
      random_(options.seed) {}

double ClickGenerator::PageProbability(size_t rank) const {
  return rank == 0 ? cumulative_[0] : cumulative_[rank] - cumulative_[rank - 1];
}

size_t ClickGenerator::NextPageRank() {
  const double u = random_.Uniform();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min(static_cast<size_t>(it - cumulative_.begin()), pages_.size() - 1);
}

void ClickGenerator::Next(int64_t now_us, ClickEvent& event) {
  // User activity density ~ x^(-1/2): squaring a uniform draw favours low ids, every id occurs.
  const double u = random_.Uniform();
  const auto user = 1 + std::min(options_.users - 1,
                                 static_cast<int64_t>(u * u * static_cast<double>(options_.users)));
  event.user_id.assign("user_");
  event.user_id.append(std::to_string(user));
  event.page.assign(pages_[NextPageRank()]);
  const auto lateness =
      options_.max_lateness_us == 0
          ? 0
          : static_cast<int64_t>(random_.Below(static_cast<uint64_t>(options_.max_lateness_us)));
  event.event_ts_us = now_us - lateness;
}

ClickEvent ClickGenerator::Next(int64_t now_us) {
  ClickEvent event;
  Next(now_us, event);
  return event;
}

}  // namespace clickstream::events
