#include "maintenance/partition_filter.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace clickstream::maintenance {
namespace {

using iceberg::Literal;
using iceberg::TypeId;

enum class TokenKind { kWord, kString, kNumber, kSymbol, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '\'') {
      std::string value;
      for (++i;; ++i) {
        if (i >= text.size()) return InvalidArgument("--where: unterminated string literal");
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            value += '\'';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        value += text[i];
      }
      tokens.push_back({TokenKind::kString, std::move(value)});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      std::size_t start = i++;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      tokens.push_back({TokenKind::kNumber, std::string(text.substr(start, i - start))});
    } else if (IsWordChar(c)) {
      std::size_t start = i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      tokens.push_back({TokenKind::kWord, std::string(text.substr(start, i - start))});
    } else if ((c == '!' || c == '<' || c == '>') && i + 1 < text.size() &&
               (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>'))) {
      tokens.push_back({TokenKind::kSymbol, std::string(text.substr(i, 2))});
      i += 2;
    } else if (c == '=' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',') {
      tokens.push_back({TokenKind::kSymbol, std::string(1, c)});
      ++i;
    } else {
      return InvalidArgument(std::string("--where: unexpected character '") + c + "'");
    }
  }
  tokens.push_back({TokenKind::kEnd, ""});
  return tokens;
}

bool IsKeyword(const Token& t, std::string_view keyword) {
  if (t.kind != TokenKind::kWord || t.text.size() != keyword.size()) return false;
  return std::equal(t.text.begin(), t.text.end(), keyword.begin(), [](char a, char b) {
    return std::toupper(static_cast<unsigned char>(a)) == b;
  });
}

// A literal token as a value of the partition column's type.
Result<Literal> TypedLiteral(const Token& t, TypeId type, const std::string& column) {
  auto mismatch = [&] {
    return InvalidArgument("--where: '" + t.text + "' is not a value of column " + column);
  };
  switch (type) {
    case TypeId::kString:
      if (t.kind != TokenKind::kString) return mismatch();
      return Literal(t.text);
    case TypeId::kBoolean:
      if (IsKeyword(t, "TRUE")) return Literal(true);
      if (IsKeyword(t, "FALSE")) return Literal(false);
      return mismatch();
    case TypeId::kInt:
    case TypeId::kDate:
    case TypeId::kLong: {
      if (t.kind != TokenKind::kNumber) return mismatch();
      int64_t v = 0;
      auto [end, err] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (err != std::errc() || end != t.text.data() + t.text.size()) return mismatch();
      if (type == TypeId::kLong) return Literal(v);
      if (v < INT32_MIN || v > INT32_MAX) return mismatch();
      return Literal(static_cast<int32_t>(v));
    }
    default:
      return InvalidArgument("--where: column " + column + " has a type filters do not support");
  }
}

// Parses a flat list of comparisons joined by AND.
class Parser {
 public:
  Parser(std::vector<Token> tokens, const iceberg::Schema& schema,
         const iceberg::PartitionSpec& spec)
      : tokens_(std::move(tokens)), schema_(schema), spec_(spec) {}

  Result<std::vector<PartitionFilter::Comparison>> ParseAll() {
    std::vector<PartitionFilter::Comparison> out;
    do {
      CS_ASSIGN_OR_RETURN(auto c, ParseComparison());
      out.push_back(std::move(c));
    } while (Accept("AND"));
    if (Peek().kind != TokenKind::kEnd) {
      return InvalidArgument("--where: expected AND or the end, found '" + Peek().text + "'");
    }
    return out;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(std::string_view keyword) {
    if (!IsKeyword(Peek(), keyword)) return false;
    ++pos_;
    return true;
  }
  bool AcceptSymbol(std::string_view symbol) {
    if (Peek().kind != TokenKind::kSymbol || Peek().text != symbol) return false;
    ++pos_;
    return true;
  }

  // The partition position and type of an identity-partitioned source column.
  Result<std::pair<int, TypeId>> BindColumn(const std::string& name) const {
    auto field = std::find_if(schema_.fields.begin(), schema_.fields.end(),
                              [&](const iceberg::Field& f) { return f.name == name; });
    if (field == schema_.fields.end()) return InvalidArgument("--where: no column " + name);
    for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
      if (spec_.fields[i].source_id == field->id && spec_.fields[i].transform == "identity") {
        return std::pair{static_cast<int>(i), field->type};
      }
    }
    return InvalidArgument("--where: column " + name +
                           " is not an identity partition column of the table");
  }

  Result<PartitionFilter::Comparison> ParseComparison() {
    const Token& column = Next();
    if (column.kind != TokenKind::kWord) {
      return InvalidArgument("--where: expected a column name, found '" + column.text + "'");
    }
    CS_ASSIGN_OR_RETURN(auto bound, BindColumn(column.text));
    PartitionFilter::Comparison c;
    c.partition_index = bound.first;
    if (Accept("IS")) {
      c.op = Accept("NOT") ? PartitionFilter::Op::kIsNotNull : PartitionFilter::Op::kIsNull;
      if (!Accept("NULL")) return InvalidArgument("--where: expected NULL after IS");
      return c;
    }
    bool negated = Accept("NOT");
    if (Accept("IN")) {
      c.op = negated ? PartitionFilter::Op::kNotIn : PartitionFilter::Op::kIn;
      if (!AcceptSymbol("(")) return InvalidArgument("--where: expected ( after IN");
      do {
        CS_ASSIGN_OR_RETURN(auto v, TypedLiteral(Next(), bound.second, column.text));
        c.values.push_back(std::move(v));
      } while (AcceptSymbol(","));
      if (!AcceptSymbol(")")) return InvalidArgument("--where: expected ) to close IN");
      return c;
    }
    if (negated) return InvalidArgument("--where: expected IN after NOT");
    CS_ASSIGN_OR_RETURN(c.op, ParseOp(Next()));
    CS_ASSIGN_OR_RETURN(auto v, TypedLiteral(Next(), bound.second, column.text));
    c.values.push_back(std::move(v));
    return c;
  }

  static Result<PartitionFilter::Op> ParseOp(const Token& t) {
    using Op = PartitionFilter::Op;
    if (t.kind == TokenKind::kSymbol) {
      if (t.text == "=") return Op::kEq;
      if (t.text == "!=" || t.text == "<>") return Op::kNe;
      if (t.text == "<") return Op::kLt;
      if (t.text == "<=") return Op::kLe;
      if (t.text == ">") return Op::kGt;
      if (t.text == ">=") return Op::kGe;
    }
    return InvalidArgument("--where: expected a comparison operator, found '" + t.text + "'");
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  const iceberg::Schema& schema_;
  const iceberg::PartitionSpec& spec_;
};

bool Holds(const PartitionFilter::Comparison& c, const Literal& value) {
  using Op = PartitionFilter::Op;
  bool is_null = std::holds_alternative<std::monostate>(value);
  if (c.op == Op::kIsNull) return is_null;
  if (c.op == Op::kIsNotNull) return !is_null;
  if (is_null) return false;  // SQL: a comparison with null is never true
  bool in = std::find(c.values.begin(), c.values.end(), value) != c.values.end();
  switch (c.op) {
    case Op::kEq:
      return value == c.values[0];
    case Op::kNe:
      return value != c.values[0];
    case Op::kLt:
      return value < c.values[0];
    case Op::kLe:
      return value <= c.values[0];
    case Op::kGt:
      return value > c.values[0];
    case Op::kGe:
      return value >= c.values[0];
    case Op::kIn:
      return in;
    case Op::kNotIn:
      return !in;
    default:
      return false;
  }
}

}  // namespace

Result<PartitionFilter> PartitionFilter::Parse(std::string_view text, const iceberg::Schema& schema,
                                               const iceberg::PartitionSpec& spec) {
  CS_ASSIGN_OR_RETURN(auto tokens, Tokenize(text));
  if (tokens.size() == 1) return InvalidArgument("--where is empty");
  Parser parser(std::move(tokens), schema, spec);
  PartitionFilter filter;
  CS_ASSIGN_OR_RETURN(filter.comparisons_, parser.ParseAll());
  filter.text_ = std::string(text);
  return filter;
}

bool PartitionFilter::Matches(std::span<const Literal> partition) const {
  for (const auto& c : comparisons_) {
    if (c.partition_index >= static_cast<int>(partition.size())) return false;
    if (!Holds(c, partition[c.partition_index])) return false;
  }
  return true;
}

}  // namespace clickstream::maintenance
