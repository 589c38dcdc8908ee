#pragma once

// The logic of the interactive `clickstream sql` shell, without a terminal: input lines in,
// results and errors out. The terminal side (line editing, history, Ctrl-C) is src/cli's.

#include <ostream>
#include <string>
#include <string_view>

#include "analysis/duckdb_session.h"
#include "analysis/query_result.h"

namespace clickstream::analysis {

// True when `sql` ends with a `;` outside string literals, quoted identifiers and comments, i.e.
// the statements typed so far are complete.
bool EndsWithStatementTerminator(std::string_view sql);

// Reads SQL statements line by line (a statement may span lines and ends with `;`) and runs each
// on `session` once complete, printing its rows in the current format to `out`. Lines starting
// with `.` outside a statement are commands (.help lists them). An error is one line on `err` and
// never ends the shell.
class SqlShell {
 public:
  SqlShell(DuckDbSession& session, std::ostream& out, std::ostream& err)
      : session_(session), out_(out), err_(err) {}

  enum class Step {
    kNeedMore,  // the statement is not complete yet: more lines, please
    kDone,      // the line was handled
    kQuit,      // .quit or .exit
  };

  // Handles one line of input (without its newline).
  Step Feed(std::string_view line);
  // Runs what is left of an unfinished statement (at the end of the input).
  void Finish();
  // Drops an unfinished statement (Ctrl-C at the prompt).
  void DiscardPending() { pending_.clear(); }
  bool HasPending() const { return !pending_.empty(); }
  OutputFormat format() const { return format_; }

 private:
  Step RunCommand(std::string_view line);
  void RunSql(const std::string& sql);
  void PrintTables();
  void PrintSchema(std::string_view table);
  void PrintError(const std::string& message);

  DuckDbSession& session_;
  std::ostream& out_;
  std::ostream& err_;
  std::string pending_;
  OutputFormat format_ = OutputFormat::kTable;
};

}  // namespace clickstream::analysis
