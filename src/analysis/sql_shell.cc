#include "analysis/sql_shell.h"

#include <cctype>
#include <vector>

namespace clickstream::analysis {
namespace {

constexpr std::string_view kHelp =
    "Type SQL ended by ';' (a statement may span lines); tables answer to website.clicks and\n"
    "catalog.website.clicks. Ctrl-C stops a running statement, Ctrl-D or .quit leaves.\n"
    ".tables                  list the tables\n"
    ".schema [TABLE]          the columns of TABLE (of every table without one)\n"
    ".format table|csv|json   how results are printed (now: ";

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string_view FormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kJson:
      return "json";
    default:
      return "table";
  }
}

}  // namespace

bool EndsWithStatementTerminator(std::string_view sql) {
  enum class State { kCode, kString, kIdentifier, kLineComment, kBlockComment };
  State state = State::kCode;
  char last = '\0';  // last character of code outside literals and comments
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    switch (state) {
      case State::kCode:
        if (c == '-' && next == '-') {
          state = State::kLineComment;
          break;
        }
        if (c == '/' && next == '*') {
          state = State::kBlockComment;
          ++i;
          break;
        }
        if (c == '\'') state = State::kString;
        if (c == '"') state = State::kIdentifier;
        if (!std::isspace(static_cast<unsigned char>(c))) last = c;
        break;
      case State::kString:  // '' inside a literal toggles out and straight back in
        if (c == '\'') state = State::kCode;
        break;
      case State::kIdentifier:
        if (c == '"') state = State::kCode;
        break;
      case State::kLineComment:
        if (c == '\n') state = State::kCode;
        break;
      case State::kBlockComment:
        if (c == '*' && next == '/') {
          state = State::kCode;
          ++i;
        }
        break;
    }
  }
  return (state == State::kCode || state == State::kLineComment) && last == ';';
}

SqlShell::Step SqlShell::Feed(std::string_view line) {
  if (pending_.empty()) {
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty()) return Step::kDone;
    if (trimmed.front() == '.') return RunCommand(trimmed);
  }
  pending_.append(line);
  pending_.push_back('\n');
  if (!EndsWithStatementTerminator(pending_)) return Step::kNeedMore;
  const std::string sql = std::move(pending_);
  pending_.clear();
  RunSql(sql);
  return Step::kDone;
}

void SqlShell::Finish() {
  if (Trim(pending_).empty()) return;
  const std::string sql = std::move(pending_);
  pending_.clear();
  RunSql(sql);
}

void SqlShell::RunSql(const std::string& sql) {
  auto result = session_.Query(sql);
  if (!result) {
    const std::string& message = result.error().message;
    return PrintError(message.starts_with("INTERRUPT Error") ? "interrupted" : message);
  }
  if (result->columns.empty()) return;
  out_ << Format(*result, format_) << std::flush;
}

void SqlShell::PrintError(const std::string& message) { err_ << "Error: " << message << std::endl; }

SqlShell::Step SqlShell::RunCommand(std::string_view line) {
  const auto space = line.find_first_of(" \t");
  const std::string_view command = line.substr(0, space);
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view() : Trim(line.substr(space));
  if (command == ".quit" || command == ".exit") return Step::kQuit;
  if (command == ".help") {
    out_ << kHelp << FormatName(format_) << ")\n.help                    this text\n"
         << ".quit                    leave (also .exit)\n"
         << std::flush;
  } else if (command == ".tables") {
    PrintTables();
  } else if (command == ".schema") {
    PrintSchema(argument);
  } else if (command == ".format") {
    if (argument == "table") {
      format_ = OutputFormat::kTable;
    } else if (argument == "csv") {
      format_ = OutputFormat::kCsv;
    } else if (argument == "json") {
      format_ = OutputFormat::kJson;
    } else if (argument.empty()) {
      out_ << FormatName(format_) << std::endl;
    } else {
      PrintError(".format takes table, csv or json, not '" + std::string(argument) + "'");
    }
  } else {
    PrintError("unknown command " + std::string(command) + "; .help lists the commands");
  }
  return Step::kDone;
}

void SqlShell::PrintTables() {
  auto names = session_.Query(
      "SELECT schema_name || '.' || view_name AS name FROM duckdb_views() "
      "WHERE NOT internal AND database_name = current_database() UNION "
      "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
      "WHERE database_name = current_database() ORDER BY name");
  if (!names) return PrintError(names.error().message);
  for (const auto& row : names->rows) out_ << row[0].value_or("") << '\n';
  out_ << std::flush;
}

void SqlShell::PrintSchema(std::string_view table) {
  std::vector<std::string> tables;
  if (table.empty()) {
    auto names = session_.Query(
        "SELECT schema_name || '.' || view_name FROM duckdb_views() "
        "WHERE NOT internal AND database_name = current_database() ORDER BY 1");
    if (!names) return PrintError(names.error().message);
    for (const auto& row : names->rows) tables.push_back(row[0].value_or(""));
  } else {
    tables.emplace_back(table);
  }
  for (const std::string& name : tables) {
    auto columns = session_.Query("DESCRIBE " + name);
    if (!columns) return PrintError(columns.error().message);
    out_ << name << " (";
    for (size_t i = 0; i < columns->rows.size(); ++i) {
      out_ << (i == 0 ? "" : ", ") << columns->rows[i][0].value_or("") << ' '
           << columns->rows[i][1].value_or("");
    }
    out_ << ")\n";
  }
  out_ << std::flush;
}

}  // namespace clickstream::analysis
