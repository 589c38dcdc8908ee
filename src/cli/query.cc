// `clickstream query top-pages|unique-users|user-activity`: the seed's three questions by name,
// answered by DuckDB embedded with the shared SQL of engines/sql, printed for people.
#include <algorithm>
#include <iostream>
#include <optional>

#include "analysis/analysis_session.h"
#include "analysis/named_queries.h"
#include "cli/command.h"
#include "cli/time_travel_flags.h"

namespace clickstream::cli {
namespace {

// The page sequence line names at most this many pages (and no more than the table lists).
constexpr std::size_t kSequencePages = 30;

struct QueryFlags {
  analysis::TimeTravel travel;
  int64_t limit = 10;
  std::string user_id;
  std::optional<int64_t> activity_limit;  // user-activity: list at most this many clicks
};

analysis::Column NumberColumn(std::string name) {
  return {std::move(name), "BIGINT", analysis::ValueKind::kNumber};
}
analysis::Column TextColumn(std::string name) {
  return {std::move(name), "VARCHAR", analysis::ValueKind::kText};
}

// Answers one question on a fresh session; `answer` prints it.
template <typename Answer>
Status WithQuestions(const QueryFlags& flags, const GlobalOptions& globals, Answer answer) {
  CS_ASSIGN_OR_RETURN(auto session, analysis::OpenAnalysisSession(globals.catalog, flags.travel));
  bool has_clicks = false;
  for (const auto& table : session.tables) {
    has_clicks = has_clicks || table.id.ToString() == analysis::kClicksTable;
  }
  if (!has_clicks) {
    return NotFound(std::string(analysis::kClicksTable) + " is not in the catalog " +
                    globals.catalog + " (it has: " + session.TableNames() +
                    "); create it with `clickstream tables create`");
  }
  analysis::ClickQuestions questions(session.duckdb, analysis::DefaultSqlDirectory());
  return answer(questions);
}

Status TopPages(const QueryFlags& flags, const GlobalOptions& globals) {
  return WithQuestions(flags, globals, [&](analysis::ClickQuestions& questions) -> Status {
    CS_ASSIGN_OR_RETURN(auto pages, questions.TopPages(flags.limit));
    analysis::QueryResult table;
    table.columns = {NumberColumn("rank"), TextColumn("page"), NumberColumn("clicks")};
    for (std::size_t i = 0; i < pages.size(); ++i) {
      table.rows.push_back({std::to_string(i + 1), pages[i].page, std::to_string(pages[i].clicks)});
    }
    std::cout << "Most popular pages in " << analysis::kClicksTable << " (top " << flags.limit
              << "):\n"
              << analysis::FormatTable(table) << std::flush;
    return Ok();
  });
}

Status UniqueUsers(const QueryFlags& flags, const GlobalOptions& globals) {
  return WithQuestions(flags, globals, [&](analysis::ClickQuestions& questions) -> Status {
    CS_ASSIGN_OR_RETURN(int64_t users, questions.UniqueUsers());
    std::cout << "Unique users in " << analysis::kClicksTable << ": " << users << "\n"
              << std::flush;
    return Ok();
  });
}

Status UserActivity(const QueryFlags& flags, const GlobalOptions& globals) {
  return WithQuestions(flags, globals, [&](analysis::ClickQuestions& questions) -> Status {
    CS_ASSIGN_OR_RETURN(auto clicks, questions.UserActivity(flags.user_id));
    if (clicks.empty()) {
      std::cout << flags.user_id << " has no clicks in " << analysis::kClicksTable << ".\n"
                << std::flush;
      return Ok();
    }
    analysis::QueryResult table;
    table.columns = {NumberColumn("#"), TextColumn("click_timestamp"), TextColumn("page")};
    const std::size_t shown = std::min(
        clicks.size(), static_cast<std::size_t>(
                           flags.activity_limit.value_or(static_cast<int64_t>(clicks.size()))));
    const std::size_t in_sequence = std::min(shown, kSequencePages);
    std::string sequence;
    for (std::size_t i = 0; i < clicks.size(); ++i) {
      const auto& click = clicks[i];
      if (i < shown) {
        table.rows.push_back(
            {std::to_string(click.click_number), click.click_timestamp, click.page});
      }
      if (i < in_sequence) sequence += (sequence.empty() ? "" : " -> ") + click.page;
    }
    if (clicks.size() > in_sequence) {
      sequence += " -> ... (" + std::to_string(clicks.size() - in_sequence) + " more)";
    }
    std::cout << "Click activity of " << flags.user_id << " (";
    if (shown < clicks.size()) std::cout << "first " << shown << " of ";
    std::cout << clicks.size() << (clicks.size() == 1 ? " click" : " clicks")
              << ", oldest first):\n"
              << analysis::FormatTable(table) << "Page sequence: " << sequence << "\n"
              << std::flush;
    return Ok();
  });
}

}  // namespace

void AddQueryCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "query",
      "Answer the three questions on website.clicks (DuckDB embedded, SQL from engines/sql)");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  auto flags = std::make_shared<QueryFlags>();
  AddTimeTravelFlags(*cmd, flags->travel);
  auto run = [flags, &globals,
              &exit_code](Status (*question)(const QueryFlags&, const GlobalOptions&)) {
    const auto status = question(*flags, globals);
    exit_code = status.has_value() ? kExitOk : ReportError(AsUsage(status).error());
  };

  CLI::App* top = cmd->add_subcommand("top-pages", "The most popular pages, most clicked first");
  top->add_option("--limit", flags->limit, "How many pages to show")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}))
      ->capture_default_str();
  top->callback([run] { run(TopPages); });

  CLI::App* unique = cmd->add_subcommand("unique-users", "How many distinct users clicked");
  unique->callback([run] { run(UniqueUsers); });

  CLI::App* activity = cmd->add_subcommand(
      "user-activity", "One user's clicks in time order, with the page sequence");
  activity->add_option("user_id", flags->user_id, "The user, e.g. user_42")->required();
  activity
      ->add_option("--limit", flags->activity_limit, "List at most this many clicks (oldest first)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
  activity->callback([run] { run(UserActivity); });
}

}  // namespace clickstream::cli
