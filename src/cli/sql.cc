// `clickstream sql "SELECT ..."`: any SQL over the catalog's tables, by their catalog names, on
// DuckDB embedded (src/analysis), printed as a table, CSV or JSON. Without a query: an interactive
// shell (analysis::SqlShell) with line editing and history (cli/line_editor.h) on a terminal, or
// the statements of standard input otherwise.
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <clocale>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "analysis/analysis_session.h"
#include "analysis/sql_shell.h"
#include "cli/command.h"
#include "cli/line_editor.h"
#include "cli/time_travel_flags.h"

namespace clickstream::cli {
namespace {

struct SqlFlags {
  std::string sql;
  std::string file;
  std::string format_name = "table";
  analysis::TimeTravel travel;
};

Result<std::string> ReadSqlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the SQL file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Ctrl-C while the shell runs: SIGINT is blocked in every thread (DuckDB's workers start after
// this and inherit the mask, so none of them can be killed by it) and a watcher thread turns each
// one into an interrupt of the running statement and an event on `fd` that wakes the line editor.
class CtrlC {
 public:
  CtrlC() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~CtrlC() {
    stop_ = true;
    if (watcher_.joinable()) watcher_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    close(fd_);
  }
  CtrlC(const CtrlC&) = delete;
  CtrlC& operator=(const CtrlC&) = delete;

  // Starts watching; a Ctrl-C while `running` is set interrupts `session`.
  void Watch(analysis::DuckDbSession& session) {
    watcher_ = std::thread([this, &session] {
      const timespec tick{0, 100'000'000};
      while (!stop_) {
        if (sigtimedwait(&set_, nullptr, &tick) != SIGINT) continue;
        if (running_) {
          session.Interrupt();
          // The terminal echoed ^C; the error that follows starts on a line of its own.
          [[maybe_unused]] const ssize_t newline = write(STDERR_FILENO, "\n", 1);
        }
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t written = write(fd_, &one, sizeof(one));
      }
    });
  }
  // Runs `work` as a statement Ctrl-C may interrupt; Ctrl-C presses during it are then forgotten.
  template <typename Work>
  auto Interruptible(Work work) {
    running_ = true;
    auto result = work();
    running_ = false;
    uint64_t count = 0;
    [[maybe_unused]] const ssize_t drained = read(fd_, &count, sizeof(count));
    return result;
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  sigset_t set_{};
  sigset_t previous_{};
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  return home != nullptr && *home != '\0' ? std::string(home) + "/.clickstream_sql_history" : "";
}

// Statements from a terminal, with prompts, line editing and history.
void RunTerminalShell(analysis::SqlShell& shell, CtrlC& ctrl_c) {
  std::setlocale(LC_CTYPE, "");
  LineEditor editor("clickstream", HistoryPath(), ctrl_c.fd());
  std::string line, statement;
  for (;;) {
    const auto got = editor.ReadLine(shell.HasPending() ? "   ...> " : "sql> ", line);
    if (got == LineEditor::Read::kEnd) break;
    uint64_t count = 0;
    if (got == LineEditor::Read::kInterrupted) {
      [[maybe_unused]] const ssize_t drained = read(ctrl_c.fd(), &count, sizeof(count));
      shell.DiscardPending();
      statement.clear();
      continue;
    }
    statement += (statement.empty() ? "" : "\n") + line;
    const auto step = ctrl_c.Interruptible([&] { return shell.Feed(line); });
    if (step == analysis::SqlShell::Step::kNeedMore) continue;
    if (!statement.empty()) editor.Remember(statement);
    statement.clear();
    if (step == analysis::SqlShell::Step::kQuit) break;
  }
  std::cout << std::endl;
}

// The shell: `clickstream sql` without a query.
Status RunShell(const SqlFlags& flags, const GlobalOptions& globals) {
  CtrlC ctrl_c;
  CS_ASSIGN_OR_RETURN(auto session, analysis::OpenAnalysisSession(globals.catalog, flags.travel));
  ctrl_c.Watch(session.duckdb);
  analysis::SqlShell shell(session.duckdb, std::cout, std::cerr);
  if (flags.format_name != "table") shell.Feed(".format " + flags.format_name);
  if (isatty(STDIN_FILENO) == 0) {
    std::string line;
    while (std::getline(std::cin, line)) {
      const auto step = ctrl_c.Interruptible([&] { return shell.Feed(line); });
      if (step == analysis::SqlShell::Step::kQuit) return Ok();
    }
    ctrl_c.Interruptible([&] {
      shell.Finish();
      return 0;
    });
    return Ok();
  }
  std::cout << "clickstream sql: DuckDB " << analysis::DuckDbSession::LibraryVersion() << " on "
            << globals.catalog << " (" << session.TableNames() << ")\n"
            << "Statements end with ';'. .help for help, Ctrl-D to leave." << std::endl;
  RunTerminalShell(shell, ctrl_c);
  return Ok();
}

Status RunSql(const SqlFlags& flags, const GlobalOptions& globals) {
  std::string sql = flags.sql;
  if (!flags.file.empty()) {
    CS_ASSIGN_OR_RETURN(sql, ReadSqlFile(flags.file));
  } else if (flags.sql.empty()) {
    return RunShell(flags, globals);
  }
  if (sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return Usage("no SQL given: pass a query (\"SELECT ...\") or --file FILE.sql");
  }
  CS_ASSIGN_OR_RETURN(auto session, analysis::OpenAnalysisSession(globals.catalog, flags.travel));
  auto result = session.duckdb.Query(sql);
  if (!result) {
    Error error = result.error();
    if (error.message.contains("does not exist")) {
      error.message += " (the catalog " + globals.catalog + " has: " + session.TableNames() + ")";
    }
    return std::unexpected(error);
  }
  const analysis::OutputFormat format = flags.format_name == "csv" ? analysis::OutputFormat::kCsv
                                        : flags.format_name == "json"
                                            ? analysis::OutputFormat::kJson
                                            : analysis::OutputFormat::kTable;
  std::cout << analysis::Format(*result, format) << std::flush;
  return Ok();
}

}  // namespace

void AddSqlCommand(CLI::App& root, const GlobalOptions& globals, int& exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "sql",
      "Run SQL on the Iceberg tables by their catalog names (website.clicks, "
      "website.clicks_enriched, website.user_profiles, website.clicks_dlq) with DuckDB embedded");
  auto flags = std::make_shared<SqlFlags>();
  auto* sql = cmd->add_option("sql", flags->sql,
                              "The SQL to run, e.g. \"SELECT count(*) FROM website.clicks\"; "
                              "without it, an interactive shell (.help lists its commands)");
  cmd->add_option("--file", flags->file,
                  "Run the SQL in this file instead (e.g. engines/sql/top_locations.sql)")
      ->excludes(sql)
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", flags->format_name, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  AddTimeTravelFlags(*cmd, flags->travel);
  cmd->callback([flags, &globals, &exit_code] {
    // DuckDB's kInvalidArgument (syntax, unknown table) and a bad --as-of are about the SQL text
    // and the flags.
    const auto status = AsUsage(RunSql(*flags, globals));
    exit_code = status.has_value() ? kExitOk : ReportError(status.error());
  });
}

}  // namespace clickstream::cli
