#include "iceberg/avro.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace clickstream::iceberg::avro {
namespace {

using nlohmann::json;

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr std::size_t kSyncSize = 16;
constexpr std::size_t kBlockTargetBytes = 1 << 20;
// Schemas deeper than this are refused before they can exhaust the stack (Iceberg's manifest
// schemas nest about 6 levels). JSON nests up to 3 levels per schema level ("fields" arrays).
constexpr int kMaxSchemaDepth = 64;
constexpr int kMaxSchemaJsonDepth = 4 * kMaxSchemaDepth;
// A file's deflate blocks may inflate to at most this many bytes, or kMaxInflateRatio times the
// file's size when that is more: a compression bomb (deflate reaches 1032:1) fails with one
// sentence instead of taking the machine's memory. Manifests inflate 2-5x.
constexpr std::size_t kMinInflateBudget = 16 << 20;
constexpr std::size_t kMaxInflateRatio = 32;

// ---- schema parsing ----

class SchemaParser {
 public:
  Result<AvroSchema> Parse(const json& node) {
    if (++depth_ > kMaxSchemaDepth) {
      return Corrupt("Avro schema nests more than " + std::to_string(kMaxSchemaDepth) +
                     " levels deep");
    }
    Result<AvroSchema> out = ParseNode(node);
    --depth_;
    return out;
  }

 private:
  Result<AvroSchema> ParseNode(const json& node) {
    if (node.is_string()) return Named(node.get<std::string>());
    if (node.is_array()) {
      auto out = std::make_shared<AvroNode>();
      out->type = AvroType::kUnion;
      for (const auto& branch : node) {
        CS_ASSIGN_OR_RETURN(auto child, Parse(branch));
        out->children.push_back(std::move(child));
      }
      return AvroSchema(out);
    }
    if (!node.is_object() || !node.contains("type")) {
      return Corrupt("Avro schema: expected a type name, a union or an object with \"type\"");
    }
    const json& type = node.at("type");
    if (!type.is_string()) return Parse(type);
    std::string name = type.get<std::string>();
    auto out = std::make_shared<AvroNode>();
    if (name == "record" || name == "error") {
      out->type = AvroType::kRecord;
      out->name = node.value("name", "");
      if (!out->name.empty()) named_[out->name] = out;
      if (!node.contains("fields") || !node.at("fields").is_array()) {
        return Corrupt("Avro schema: record '" + out->name + "' has no fields array");
      }
      for (const auto& field : node.at("fields")) {
        if (!field.is_object() || !field.contains("name") || !field.contains("type")) {
          return Corrupt("Avro schema: a field of record '" + out->name + "' lacks name or type");
        }
        out->field_names.push_back(field.at("name").get<std::string>());
        CS_ASSIGN_OR_RETURN(auto child, Parse(field.at("type")));
        out->children.push_back(std::move(child));
      }
      return AvroSchema(out);
    }
    if (name == "enum") {
      out->type = AvroType::kEnum;
      out->name = node.value("name", "");
      for (const auto& symbol : node.value("symbols", json::array())) {
        out->symbols.push_back(symbol.get<std::string>());
      }
      if (!out->name.empty()) named_[out->name] = out;
      return AvroSchema(out);
    }
    if (name == "fixed") {
      out->type = AvroType::kFixed;
      out->name = node.value("name", "");
      out->fixed_size = node.value("size", std::size_t{0});
      if (!out->name.empty()) named_[out->name] = out;
      return AvroSchema(out);
    }
    if (name == "array") {
      out->type = AvroType::kArray;
      if (!node.contains("items")) return Corrupt("Avro schema: array without items");
      CS_ASSIGN_OR_RETURN(auto child, Parse(node.at("items")));
      out->children.push_back(std::move(child));
      return AvroSchema(out);
    }
    if (name == "map") {
      out->type = AvroType::kMap;
      if (!node.contains("values")) return Corrupt("Avro schema: map without values");
      CS_ASSIGN_OR_RETURN(auto child, Parse(node.at("values")));
      out->children.push_back(std::move(child));
      return AvroSchema(out);
    }
    // A primitive written as {"type": "long", "logicalType": ...}.
    return Named(name);
  }

  Result<AvroSchema> Named(const std::string& name) {
    static const std::map<std::string, AvroType, std::less<>> kPrimitives = {
        {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
        {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
        {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
    };
    if (auto it = kPrimitives.find(name); it != kPrimitives.end()) {
      auto out = std::make_shared<AvroNode>();
      out->type = it->second;
      return AvroSchema(out);
    }
    if (auto it = named_.find(name); it != named_.end()) return it->second;
    // Named types may be referenced by their full name or by their short name.
    auto dot = name.rfind('.');
    if (dot != std::string::npos) {
      if (auto it = named_.find(name.substr(dot + 1)); it != named_.end()) return it->second;
    }
    return Corrupt("Avro schema: unknown type '" + name + "'");
  }

  std::map<std::string, AvroSchema> named_;
  int depth_ = 0;
};

// Deepest nesting of JSON arrays and objects in `text` (brackets inside strings do not count).
int JsonDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// ---- binary encoding ----

void PutLong(int64_t v, std::string& out) {
  uint64_t n = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

void PutBytes(std::string_view bytes, std::string& out) {
  PutLong(static_cast<int64_t>(bytes.size()), out);
  out.append(bytes);
}

template <typename T>
void PutLittleEndian(T value, std::string& out) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(raw, raw + sizeof(T));
  out.append(raw, sizeof(T));
}

Result<int64_t> GetLong(std::string_view data, std::size_t& pos) {
  uint64_t n = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) return Corrupt("Avro: truncated varint");
    auto byte = static_cast<uint8_t>(data[pos++]);
    n |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
  }
  return Corrupt("Avro: varint longer than 10 bytes");
}

Result<std::string_view> GetBytes(std::string_view data, std::size_t& pos) {
  CS_ASSIGN_OR_RETURN(int64_t size, GetLong(data, pos));
  if (size < 0 || static_cast<uint64_t>(size) > data.size() - pos) {
    return Corrupt("Avro: byte string runs past the end of the data");
  }
  std::string_view out = data.substr(pos, static_cast<std::size_t>(size));
  pos += static_cast<std::size_t>(size);
  return out;
}

template <typename T>
Result<T> GetLittleEndian(std::string_view data, std::size_t& pos) {
  if (data.size() - pos < sizeof(T)) return Corrupt("Avro: truncated float or double");
  char raw[sizeof(T)];
  std::memcpy(raw, data.data() + pos, sizeof(T));
  if constexpr (std::endian::native == std::endian::big) std::reverse(raw, raw + sizeof(T));
  pos += sizeof(T);
  T value;
  std::memcpy(&value, raw, sizeof(T));
  return value;
}

bool Fits(AvroType type, AvroValue::Kind kind) {
  using K = AvroValue::Kind;
  switch (type) {
    case AvroType::kNull:
      return kind == K::kNull;
    case AvroType::kBoolean:
      return kind == K::kBoolean;
    case AvroType::kInt:
      return kind == K::kInt;
    case AvroType::kLong:
      return kind == K::kLong || kind == K::kInt;
    case AvroType::kFloat:
      return kind == K::kFloat;
    case AvroType::kDouble:
      return kind == K::kDouble || kind == K::kFloat;
    case AvroType::kBytes:
    case AvroType::kFixed:
      return kind == K::kBytes;
    case AvroType::kString:
    case AvroType::kEnum:
      return kind == K::kString;
    case AvroType::kRecord:
      return kind == K::kRecord;
    case AvroType::kArray:
      return kind == K::kArray;
    case AvroType::kMap:
      return kind == K::kMap;
    case AvroType::kUnion:
      return false;
  }
  return false;
}

// How many more values a decode may create. Zero-byte values (nulls) in nested arrays could
// otherwise turn a few bytes into billions of values.
struct DecodeBudget {
  std::size_t values_left = 0;
};

// Values (about 100 bytes of memory each) one input of `bytes` bytes may decode into: four per
// byte, at least kMinDecodeValues. A manifest entry of ~60 values takes ~300 bytes, less than one
// value per byte even after inflating, so real files stay far below it.
constexpr std::size_t kMinDecodeValues = std::size_t{1} << 20;
DecodeBudget BudgetFor(std::size_t bytes) { return {std::max(kMinDecodeValues, 4 * bytes)}; }

Result<AvroValue> DecodeNode(const AvroNode& schema, std::string_view data, std::size_t& pos,
                             int depth, DecodeBudget& budget);

// The item count of an array, map or metadata block: a negative count is followed by the block's
// size in bytes (spec, "Complex Types: Arrays"). Every item takes at least one byte (zero-byte
// items such as nulls are the exception Iceberg never writes), so a count larger than the bytes
// left is corrupt rather than a reason to loop or allocate.
Result<int64_t> GetBlockCount(std::string_view data, std::size_t& pos) {
  CS_ASSIGN_OR_RETURN(int64_t count, GetLong(data, pos));
  if (count < 0) {
    if (count == std::numeric_limits<int64_t>::min()) return Corrupt("Avro: invalid block count");
    count = -count;
    CS_ASSIGN_OR_RETURN(int64_t block_size, GetLong(data, pos));
    (void)block_size;
  }
  if (static_cast<uint64_t>(count) > data.size() - pos + 1) {
    return Corrupt("Avro: a block claims " + std::to_string(count) + " items in the " +
                   std::to_string(data.size() - pos) + " bytes left");
  }
  return count;
}

template <typename ItemFn>
Status DecodeBlocks(std::string_view data, std::size_t& pos, ItemFn&& item) {
  while (true) {
    CS_ASSIGN_OR_RETURN(int64_t count, GetBlockCount(data, pos));
    if (count == 0) return Ok();
    for (int64_t i = 0; i < count; ++i) CS_RETURN_IF_ERROR(item());
  }
}

Result<AvroValue> DecodeNode(const AvroNode& schema, std::string_view data, std::size_t& pos,
                             int depth, DecodeBudget& budget) {
  if (depth > 64) return Corrupt("Avro: values nested more than 64 levels deep");
  if (budget.values_left == 0) {
    return Corrupt("Avro: the data decodes into more values than its size allows");
  }
  --budget.values_left;
  AvroValue out;
  switch (schema.type) {
    case AvroType::kNull:
      return out;
    case AvroType::kBoolean: {
      if (pos >= data.size()) return Corrupt("Avro: truncated boolean");
      return AvroValue::Boolean(data[pos++] != 0);
    }
    case AvroType::kInt: {
      CS_ASSIGN_OR_RETURN(int64_t v, GetLong(data, pos));
      return AvroValue::Int(static_cast<int32_t>(v));
    }
    case AvroType::kLong: {
      CS_ASSIGN_OR_RETURN(int64_t v, GetLong(data, pos));
      return AvroValue::Long(v);
    }
    case AvroType::kFloat: {
      CS_ASSIGN_OR_RETURN(float v, GetLittleEndian<float>(data, pos));
      return AvroValue::Float(v);
    }
    case AvroType::kDouble: {
      CS_ASSIGN_OR_RETURN(double v, GetLittleEndian<double>(data, pos));
      return AvroValue::Double(v);
    }
    case AvroType::kBytes: {
      CS_ASSIGN_OR_RETURN(auto v, GetBytes(data, pos));
      return AvroValue::Bytes(std::string(v));
    }
    case AvroType::kString: {
      CS_ASSIGN_OR_RETURN(auto v, GetBytes(data, pos));
      return AvroValue::String(std::string(v));
    }
    case AvroType::kFixed: {
      if (data.size() - pos < schema.fixed_size) return Corrupt("Avro: truncated fixed");
      auto v = AvroValue::Bytes(std::string(data.substr(pos, schema.fixed_size)));
      pos += schema.fixed_size;
      return v;
    }
    case AvroType::kEnum: {
      CS_ASSIGN_OR_RETURN(int64_t index, GetLong(data, pos));
      if (index < 0 || static_cast<std::size_t>(index) >= schema.symbols.size()) {
        return Corrupt("Avro: enum index out of range");
      }
      auto v = AvroValue::String(schema.symbols[static_cast<std::size_t>(index)]);
      v.integer = index;
      return v;
    }
    case AvroType::kUnion: {
      CS_ASSIGN_OR_RETURN(int64_t index, GetLong(data, pos));
      if (index < 0 || static_cast<std::size_t>(index) >= schema.children.size()) {
        return Corrupt("Avro: union branch index out of range");
      }
      return DecodeNode(*schema.children[static_cast<std::size_t>(index)], data, pos, depth + 1, budget);
    }
    case AvroType::kRecord: {
      out = AvroValue::Record();
      out.items.reserve(schema.children.size());
      out.keys = schema.field_names;
      for (const auto& child : schema.children) {
        CS_ASSIGN_OR_RETURN(auto v, DecodeNode(*child, data, pos, depth + 1, budget));
        out.items.push_back(std::move(v));
      }
      return out;
    }
    case AvroType::kArray: {
      out.kind = AvroValue::Kind::kArray;
      CS_RETURN_IF_ERROR(DecodeBlocks(data, pos, [&]() -> Status {
        CS_ASSIGN_OR_RETURN(auto v, DecodeNode(*schema.children[0], data, pos, depth + 1, budget));
        out.items.push_back(std::move(v));
        return Ok();
      }));
      return out;
    }
    case AvroType::kMap: {
      out.kind = AvroValue::Kind::kMap;
      CS_RETURN_IF_ERROR(DecodeBlocks(data, pos, [&]() -> Status {
        CS_ASSIGN_OR_RETURN(auto key, GetBytes(data, pos));
        CS_ASSIGN_OR_RETURN(auto v, DecodeNode(*schema.children[0], data, pos, depth + 1, budget));
        out.keys.emplace_back(key);
        out.items.push_back(std::move(v));
        return Ok();
      }));
      return out;
    }
  }
  return Corrupt("Avro: unknown schema node");
}

// ---- deflate (raw, as the Avro "deflate" codec requires: RFC 1951 without zlib header) ----

Result<std::string> Deflate(std::string_view input) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Internal("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return Internal("zlib: deflate did not finish");
  return out;
}

// Inflates one block, failing once the output would pass `budget` bytes (then lowered by the
// block's size, so one budget spans a whole file).
Result<std::string> Inflate(std::string_view input, std::size_t& budget) {
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) return Internal("zlib: inflateInit2 failed");
  std::string out;
  char buffer[1 << 16];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      return Corrupt("Avro: a deflate block does not decompress");
    }
    const std::size_t produced = sizeof(buffer) - stream.avail_out;
    if (produced > budget - out.size()) {
      inflateEnd(&stream);
      return Corrupt("Avro: deflate blocks inflate past " + std::to_string(out.size() + produced) +
                     " bytes, more than a manifest can hold (a compression bomb?)");
    }
    out.append(buffer, produced);
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return Corrupt("Avro: a deflate block is truncated");
    }
  }
  inflateEnd(&stream);
  budget -= out.size();
  return out;
}

}  // namespace

// ---- AvroValue ----

AvroValue AvroValue::Boolean(bool v) {
  AvroValue out;
  out.kind = Kind::kBoolean;
  out.integer = v ? 1 : 0;
  return out;
}
AvroValue AvroValue::Int(int32_t v) {
  AvroValue out;
  out.kind = Kind::kInt;
  out.integer = v;
  return out;
}
AvroValue AvroValue::Long(int64_t v) {
  AvroValue out;
  out.kind = Kind::kLong;
  out.integer = v;
  return out;
}
AvroValue AvroValue::Float(float v) {
  AvroValue out;
  out.kind = Kind::kFloat;
  out.real = v;
  return out;
}
AvroValue AvroValue::Double(double v) {
  AvroValue out;
  out.kind = Kind::kDouble;
  out.real = v;
  return out;
}
AvroValue AvroValue::String(std::string v) {
  AvroValue out;
  out.kind = Kind::kString;
  out.bytes = std::move(v);
  return out;
}
AvroValue AvroValue::Bytes(std::string v) {
  AvroValue out;
  out.kind = Kind::kBytes;
  out.bytes = std::move(v);
  return out;
}
AvroValue AvroValue::Array(std::vector<AvroValue> items) {
  AvroValue out;
  out.kind = Kind::kArray;
  out.items = std::move(items);
  return out;
}
AvroValue AvroValue::Record() {
  AvroValue out;
  out.kind = Kind::kRecord;
  return out;
}
AvroValue& AvroValue::Add(std::string field_name, AvroValue value) {
  keys.push_back(std::move(field_name));
  items.push_back(std::move(value));
  return *this;
}

const AvroValue* AvroValue::Find(std::string_view field_name) const {
  if (kind != Kind::kRecord) return nullptr;
  for (std::size_t i = 0; i < keys.size() && i < items.size(); ++i) {
    if (keys[i] == field_name) return &items[i];
  }
  return nullptr;
}

// ---- public functions ----

Result<AvroSchema> ParseAvroSchema(std::string_view text) {
  if (JsonDepth(text) > kMaxSchemaJsonDepth) {
    return Corrupt("Avro schema nests more than " + std::to_string(kMaxSchemaDepth) +
                   " levels deep");
  }
  json node = json::parse(text, nullptr, false);
  if (node.is_discarded()) return Corrupt("Avro schema is not valid JSON");
  try {
    SchemaParser parser;
    return parser.Parse(node);
  } catch (const json::exception& e) {
    return Corrupt(std::string("Avro schema has an unexpected shape: ") + e.what());
  }
}

Status Encode(const AvroNode& schema, const AvroValue& value, std::string& out) {
  using K = AvroValue::Kind;
  if (schema.type == AvroType::kUnion) {
    for (std::size_t i = 0; i < schema.children.size(); ++i) {
      if (Fits(schema.children[i]->type, value.kind)) {
        PutLong(static_cast<int64_t>(i), out);
        return Encode(*schema.children[i], value, out);
      }
    }
    return InvalidArgument("Avro: no union branch fits the value");
  }
  if (!Fits(schema.type, value.kind)) {
    return InvalidArgument("Avro: value does not fit the schema type" +
                           (schema.name.empty() ? std::string() : " " + schema.name));
  }
  switch (schema.type) {
    case AvroType::kNull:
      return Ok();
    case AvroType::kBoolean:
      out.push_back(value.integer != 0 ? 1 : 0);
      return Ok();
    case AvroType::kInt:
    case AvroType::kLong:
      PutLong(value.integer, out);
      return Ok();
    case AvroType::kFloat:
      PutLittleEndian(static_cast<float>(value.real), out);
      return Ok();
    case AvroType::kDouble:
      PutLittleEndian(value.real, out);
      return Ok();
    case AvroType::kBytes:
    case AvroType::kString:
      PutBytes(value.bytes, out);
      return Ok();
    case AvroType::kFixed:
      if (value.bytes.size() != schema.fixed_size) {
        return InvalidArgument("Avro: fixed value of the wrong size");
      }
      out.append(value.bytes);
      return Ok();
    case AvroType::kEnum:
      for (std::size_t i = 0; i < schema.symbols.size(); ++i) {
        if (schema.symbols[i] == value.bytes) {
          PutLong(static_cast<int64_t>(i), out);
          return Ok();
        }
      }
      return InvalidArgument("Avro: '" + value.bytes + "' is not a symbol of the enum");
    case AvroType::kRecord:
      if (value.items.size() != schema.children.size()) {
        return InvalidArgument("Avro: record " + schema.name + " expects " +
                               std::to_string(schema.children.size()) + " fields, got " +
                               std::to_string(value.items.size()));
      }
      for (std::size_t i = 0; i < schema.children.size(); ++i) {
        if (i < value.keys.size() && value.keys[i] != schema.field_names[i]) {
          return InvalidArgument("Avro: record " + schema.name + " field " + std::to_string(i) +
                                 " is '" + schema.field_names[i] + "', the value has '" +
                                 value.keys[i] + "'");
        }
        CS_RETURN_IF_ERROR(Encode(*schema.children[i], value.items[i], out));
      }
      return Ok();
    case AvroType::kArray:
    case AvroType::kMap:
      if (!value.items.empty()) {
        PutLong(static_cast<int64_t>(value.items.size()), out);
        for (std::size_t i = 0; i < value.items.size(); ++i) {
          if (value.kind == K::kMap) PutBytes(value.keys.at(i), out);
          CS_RETURN_IF_ERROR(Encode(*schema.children[0], value.items[i], out));
        }
      }
      PutLong(0, out);
      return Ok();
    case AvroType::kUnion:
      break;
  }
  return Internal("Avro: unreachable schema type");
}

Result<AvroValue> Decode(const AvroNode& schema, std::string_view data, std::size_t& pos) {
  DecodeBudget budget = BudgetFor(data.size());
  return DecodeNode(schema, data, pos, 0, budget);
}

// ---- container files ----

Result<AvroFileWriter> AvroFileWriter::Create(
    std::string schema_json, std::vector<std::pair<std::string, std::string>> metadata,
    AvroCodec codec) {
  AvroFileWriter writer;
  CS_ASSIGN_OR_RETURN(writer.schema_, ParseAvroSchema(schema_json));
  writer.codec_ = codec;
  std::random_device random;
  std::mt19937_64 engine((static_cast<uint64_t>(random()) << 32) ^ random());
  for (std::size_t i = 0; i < kSyncSize; ++i) {
    writer.sync_.push_back(static_cast<char>(engine() & 0xff));
  }
  std::string& out = writer.out_;
  out.append(kMagic);
  metadata.insert(metadata.begin(),
                  {"avro.codec", codec == AvroCodec::kDeflate ? "deflate" : "null"});
  metadata.insert(metadata.begin(), {"avro.schema", std::move(schema_json)});
  PutLong(static_cast<int64_t>(metadata.size()), out);
  for (const auto& [key, value] : metadata) {
    PutBytes(key, out);
    PutBytes(value, out);
  }
  PutLong(0, out);
  out.append(writer.sync_);
  return writer;
}

Status AvroFileWriter::Append(const AvroValue& record) {
  if (!schema_) return Internal("Avro: the file writer was already finished");
  CS_RETURN_IF_ERROR(Encode(*schema_, record, block_));
  ++block_count_;
  if (block_.size() >= kBlockTargetBytes) CS_RETURN_IF_ERROR(FlushBlock());
  return Ok();
}

Status AvroFileWriter::FlushBlock() {
  if (block_count_ == 0) return Ok();
  std::string payload;
  if (codec_ == AvroCodec::kDeflate) {
    CS_ASSIGN_OR_RETURN(payload, Deflate(block_));
  } else {
    payload = std::move(block_);
  }
  PutLong(block_count_, out_);
  PutBytes(payload, out_);
  out_.append(sync_);
  block_.clear();
  block_count_ = 0;
  return Ok();
}

Result<std::string> AvroFileWriter::Finish() {
  if (!schema_) return Internal("Avro: the file writer was already finished");
  CS_RETURN_IF_ERROR(FlushBlock());
  schema_.reset();
  return std::move(out_);
}

Result<AvroFile> ReadAvroFile(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("not an Avro object container file (bad magic)");
  }
  std::size_t pos = kMagic.size();
  AvroFile file;
  while (true) {
    CS_ASSIGN_OR_RETURN(int64_t count, GetBlockCount(bytes, pos));
    if (count == 0) break;
    for (int64_t i = 0; i < count; ++i) {
      CS_ASSIGN_OR_RETURN(auto key, GetBytes(bytes, pos));
      CS_ASSIGN_OR_RETURN(auto value, GetBytes(bytes, pos));
      file.metadata.emplace(std::string(key), std::string(value));
    }
  }
  if (bytes.size() - pos < kSyncSize) return Corrupt("Avro: truncated header");
  std::string_view sync = bytes.substr(pos, kSyncSize);
  pos += kSyncSize;

  auto schema_it = file.metadata.find("avro.schema");
  if (schema_it == file.metadata.end()) return Corrupt("Avro: header has no avro.schema");
  CS_ASSIGN_OR_RETURN(file.schema, ParseAvroSchema(schema_it->second));
  std::string codec = "null";
  if (auto it = file.metadata.find("avro.codec"); it != file.metadata.end()) codec = it->second;
  if (codec != "null" && codec != "deflate") {
    return Corrupt("Avro: codec '" + codec + "' is not supported (null and deflate are)");
  }

  std::size_t inflate_budget = std::max(kMinInflateBudget, kMaxInflateRatio * bytes.size());
  DecodeBudget values = BudgetFor(bytes.size());
  while (pos < bytes.size()) {
    CS_ASSIGN_OR_RETURN(int64_t count, GetLong(bytes, pos));
    CS_ASSIGN_OR_RETURN(auto payload, GetBytes(bytes, pos));
    if (bytes.size() - pos < kSyncSize || bytes.substr(pos, kSyncSize) != sync) {
      return Corrupt("Avro: block is not followed by the file's sync marker");
    }
    pos += kSyncSize;
    std::string inflated;
    std::string_view block = payload;
    if (codec == "deflate") {
      CS_ASSIGN_OR_RETURN(inflated, Inflate(payload, inflate_budget));
      block = inflated;
    }
    // Every record takes at least one byte (see GetBlockCount).
    if (count < 0 || static_cast<uint64_t>(count) > block.size()) {
      return Corrupt("Avro: a block claims " + std::to_string(count) + " records in " +
                     std::to_string(block.size()) + " bytes");
    }
    std::size_t block_pos = 0;
    for (int64_t i = 0; i < count; ++i) {
      CS_ASSIGN_OR_RETURN(auto record, DecodeNode(*file.schema, block, block_pos, 0, values));
      file.records.push_back(std::move(record));
    }
    if (block_pos != block.size()) return Corrupt("Avro: block has bytes after its last record");
  }
  return file;
}

}  // namespace clickstream::iceberg::avro
