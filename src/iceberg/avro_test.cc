#include "iceberg/avro.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "iceberg/testing_python.h"

namespace clickstream::iceberg::avro {
namespace {

namespace fs = std::filesystem;

// A schema with every type the manifests use, field ids included as Iceberg writes them.
constexpr const char* kSchema = R"({
  "type": "record", "name": "sample", "fields": [
    {"name": "flag", "type": "boolean", "field-id": 1},
    {"name": "small", "type": "int", "field-id": 2},
    {"name": "big", "type": "long", "field-id": 3},
    {"name": "ratio", "type": "double", "field-id": 4},
    {"name": "label", "type": "string", "field-id": 5},
    {"name": "blob", "type": ["null", "bytes"], "default": null, "field-id": 6},
    {"name": "maybe", "type": ["null", "long"], "default": null, "field-id": 7},
    {"name": "counts", "type": ["null", {"type": "array", "logicalType": "map", "items":
      {"type": "record", "name": "k8_v9", "fields": [
        {"name": "key", "type": "int", "field-id": 8},
        {"name": "value", "type": "long", "field-id": 9}]}}], "default": null, "field-id": 10},
    {"name": "offsets", "type": {"type": "array", "element-id": 12, "items": "long"}, "field-id": 11}
  ]})";

AvroValue Sample(int i) {
  auto counts = AvroValue::Array({});
  for (int k = 0; k < i % 4; ++k) {
    counts.items.push_back(
        AvroValue::Record().Add("key", AvroValue::Int(k)).Add("value", AvroValue::Long(-k * 1000)));
  }
  return AvroValue::Record()
      .Add("flag", AvroValue::Boolean(i % 2 == 0))
      .Add("small", AvroValue::Int(-i))
      .Add("big", AvroValue::Long(int64_t{1} << 40 | i))
      .Add("ratio", AvroValue::Double(i / 4.0))
      .Add("label", AvroValue::String("row-" + std::to_string(i)))
      .Add("blob", i % 3 == 0 ? AvroValue::Null() : AvroValue::Bytes(std::string("\0\xff", 2)))
      .Add("maybe", i % 5 == 0 ? AvroValue::Null() : AvroValue::Long(i))
      .Add("counts", counts)
      .Add("offsets", AvroValue::Array({AvroValue::Long(4), AvroValue::Long(int64_t{i} << 33)}));
}

using AvroTest = testing::TempDirTest;
using testing::RunPython;

TEST(AvroEncodingTest, LongsUseZigZagVarints) {
  auto schema = ParseAvroSchema(R"("long")").value();
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64}, int64_t{64},
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    std::string out;
    ASSERT_TRUE(Encode(*schema, AvroValue::Long(v), out).has_value());
    std::size_t pos = 0;
    auto back = Decode(*schema, out, pos);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->integer, v);
    EXPECT_EQ(pos, out.size());
  }
  std::string out;
  ASSERT_TRUE(Encode(*schema, AvroValue::Long(-64), out).has_value());
  EXPECT_EQ(out, std::string("\x7f", 1));  // spec example: -64 encodes as 0x7f
  out.clear();
  ASSERT_TRUE(Encode(*schema, AvroValue::Long(64), out).has_value());
  EXPECT_EQ(out, std::string("\x80\x01", 2));
}

TEST(AvroEncodingTest, RejectsValuesThatDoNotFitTheSchema) {
  auto schema = ParseAvroSchema(kSchema).value();
  std::string out;
  auto wrong = Sample(1);
  wrong.items[1] = AvroValue::String("not an int");
  EXPECT_EQ(Encode(*schema, wrong, out).error().code, ErrorCode::kInvalidArgument);
  auto short_record = AvroValue::Record().Add("flag", AvroValue::Boolean(true));
  EXPECT_EQ(Encode(*schema, short_record, out).error().code, ErrorCode::kInvalidArgument);
}

TEST(AvroEncodingTest, TruncatedDataIsCorruptNotACrash) {
  auto schema = ParseAvroSchema(kSchema).value();
  std::string out;
  ASSERT_TRUE(Encode(*schema, Sample(7), out).has_value());
  for (std::size_t cut = 0; cut < out.size(); ++cut) {
    std::size_t pos = 0;
    auto value = Decode(*schema, std::string_view(out).substr(0, cut), pos);
    EXPECT_FALSE(value.has_value()) << cut;
  }
}

TEST_F(AvroTest, ContainerFileRoundTripsThroughOurReader) {
  for (auto codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    auto writer = AvroFileWriter::Create(kSchema, {{"format-version", "2"}}, codec);
    ASSERT_TRUE(writer.has_value()) << writer.error().message;
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(writer->Append(Sample(i)).has_value());
    auto bytes = writer->Finish();
    ASSERT_TRUE(bytes.has_value());
    auto file = ReadAvroFile(*bytes);
    ASSERT_TRUE(file.has_value()) << file.error().message;
    EXPECT_EQ(file->metadata.at("format-version"), "2");
    EXPECT_EQ(file->metadata.at("avro.schema"), kSchema);
    ASSERT_EQ(file->records.size(), 100u);
    const AvroValue& r = file->records[7];
    EXPECT_EQ(r.Find("small")->integer, -7);
    EXPECT_EQ(r.Find("big")->integer, (int64_t{1} << 40) | 7);
    EXPECT_EQ(r.Find("label")->bytes, "row-7");
    EXPECT_EQ(r.Find("blob")->bytes, std::string("\0\xff", 2));
    EXPECT_EQ(r.Find("maybe")->integer, 7);
    EXPECT_TRUE(file->records[5].Find("maybe")->is_null());
    ASSERT_EQ(r.Find("counts")->items.size(), 3u);
    EXPECT_EQ(r.Find("counts")->items[2].Find("value")->integer, -2000);
    EXPECT_EQ(r.Find("offsets")->items[1].integer, int64_t{7} << 33);
    EXPECT_EQ(r.Find("no_such_field"), nullptr);
  }
}

TEST(AvroContainerTest, CorruptedFilesAreErrorsNotCrashes) {
  for (auto codec : {AvroCodec::kNull, AvroCodec::kDeflate}) {
    auto writer = AvroFileWriter::Create(kSchema, {{"format-version", "2"}}, codec);
    ASSERT_TRUE(writer.has_value());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer->Append(Sample(i)).has_value());
    const std::string good = writer->Finish().value();
    // A cut at a block boundary is a valid shorter file; anywhere else it is an error.
    for (std::size_t cut = 0; cut < good.size(); cut += 7) {
      auto file = ReadAvroFile(std::string_view(good).substr(0, cut));
      if (file.has_value()) {
        EXPECT_LT(file->records.size(), 20u) << cut;
      }
    }
    std::mt19937 engine(42);
    int rejected = 0;
    for (int round = 0; round < 500; ++round) {
      std::string bad = good;
      for (int flips = 0; flips < 3; ++flips) {
        bad[engine() % bad.size()] ^= static_cast<char>(1 + engine() % 255);
      }
      rejected += ReadAvroFile(bad).has_value() ? 0 : 1;  // must return, either way
    }
    EXPECT_GT(rejected, 250);
  }
}

// The header of an empty container file with `schema` and `codec`; its last 16 bytes are the
// sync marker every block must end with.
std::string EmptyFile(const std::string& schema, AvroCodec codec) {
  return AvroFileWriter::Create(schema, {}, codec).value().Finish().value();
}

std::string Varint(int64_t v) {
  std::string out;
  uint64_t n = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  return out;
}

// Appends one block of `count` records with `payload` (already encoded) to a container file.
std::string WithBlock(std::string file, int64_t count, const std::string& payload) {
  const std::string sync = file.substr(file.size() - 16);
  return file + Varint(count) + Varint(static_cast<int64_t>(payload.size())) + payload + sync;
}

TEST(AvroHostileInputTest, BlockCountLargerThanTheBytesLeftIsCorrupt) {
  const std::string header = EmptyFile(R"({"type": "record", "name": "r", "fields": [
      {"name": "a", "type": "null"}]})",
                                       AvroCodec::kNull);
  const std::string file = WithBlock(header, int64_t{1} << 40, "x");
  auto read = ReadAvroFile(file);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(read.error().message.find("1099511627776"), std::string::npos) << read.error().message;
  // The same inside an array value, and a count of INT64_MIN.
  auto array = ParseAvroSchema(R"({"type": "array", "items": "null"})").value();
  for (int64_t count : {int64_t{1} << 40, std::numeric_limits<int64_t>::min()}) {
    const std::string data = Varint(count) + Varint(1) + "x";
    std::size_t pos = 0;
    EXPECT_FALSE(Decode(*array, data, pos).has_value()) << count;
  }
  // Nested arrays of zero-byte nulls: 1500 x 1500 values from 4.5 KB are refused.
  auto nested =
      ParseAvroSchema(R"({"type": "array", "items": {"type": "array", "items": "null"}})").value();
  std::string quadratic = Varint(1500);
  for (int i = 0; i < 1500; ++i) quadratic += Varint(1500) + Varint(0);
  quadratic += Varint(0);
  std::size_t pos = 0;
  auto decoded = Decode(*nested, quadratic, pos);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("more values"), std::string::npos);
  // The header's metadata map too.
  std::string bad_header = "Obj\x01" + Varint(std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(ReadAvroFile(bad_header).has_value());
}

TEST(AvroHostileInputTest, DeeplyNestedSchemaIsCorruptNotAStackOverflow) {
  const int levels = 300'000;
  std::string unions = std::string(levels, '[') + "\"null\"" + std::string(levels, ']');
  auto parsed = ParseAvroSchema(unions);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(parsed.error().message.find("levels deep"), std::string::npos);
  std::string records = "\"long\"";
  for (int i = 0; i < 100; ++i) {
    records = R"({"type": "record", "name": "r)" + std::to_string(i) +
              R"(", "fields": [{"name": "f", "type": )" + records + "}]}";
  }
  EXPECT_FALSE(ParseAvroSchema(records).has_value());
  // Within the cap, nesting is fine.
  std::string shallow = std::string(60, '[') + "\"null\"" + std::string(60, ']');
  EXPECT_TRUE(ParseAvroSchema(shallow).has_value());
}

// Raw deflate (as the Avro codec) of one record of `schema` {"b": bytes} holding `zeros` zero
// bytes, fed in 1 MiB pieces.
std::string DeflatedZeros(std::size_t zeros) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string chunk(1 << 20, '\0');
  std::string out;
  char buffer[1 << 16];
  std::string length = Varint(static_cast<int64_t>(zeros));
  stream.next_in = reinterpret_cast<Bytef*>(length.data());
  stream.avail_in = static_cast<uInt>(length.size());
  stream.next_out = reinterpret_cast<Bytef*>(buffer);
  stream.avail_out = sizeof(buffer);
  EXPECT_EQ(deflate(&stream, Z_NO_FLUSH), Z_OK);
  out.append(buffer, sizeof(buffer) - stream.avail_out);
  for (std::size_t done = 0; done < zeros; done += chunk.size()) {
    const bool last = done + chunk.size() >= zeros;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    stream.avail_in = static_cast<uInt>(std::min(chunk.size(), zeros - done));
    int rc;
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof(buffer);
      rc = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof(buffer) - stream.avail_out);
    } while (stream.avail_out == 0 || (last && rc != Z_STREAM_END));
  }
  deflateEnd(&stream);
  return out;
}

TEST(AvroHostileInputTest, DeflateBombIsCorruptBeforeItTakesTheMemory) {
  const std::string header = EmptyFile(R"({"type": "record", "name": "r", "fields": [
      {"name": "b", "type": "bytes"}]})",
                                       AvroCodec::kDeflate);
  const std::string bomb = DeflatedZeros(std::size_t{200} << 20);  // 200 MiB of zeros
  ASSERT_LT(bomb.size(), std::size_t{1} << 20);
  auto read = ReadAvroFile(WithBlock(header, 1, bomb));
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(read.error().message.find("compression bomb"), std::string::npos)
      << read.error().message;
  // Many small bombs share one budget per file; a few of them are a valid file.
  const std::string small = DeflatedZeros(std::size_t{4} << 20);
  std::string many = header;
  for (int i = 0; i < 2; ++i) many = WithBlock(many, 1, small);
  ASSERT_TRUE(ReadAvroFile(many).has_value()) << ReadAvroFile(many).error().message;
  for (int i = 2; i < 8; ++i) many = WithBlock(many, 1, small);
  read = ReadAvroFile(many);
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().message.find("compression bomb"), std::string::npos);
}

TEST_F(AvroTest, FastavroReadsOurFileWithMetadataAndFieldIds) {
  auto writer = AvroFileWriter::Create(kSchema, {{"format-version", "2"}, {"content", "data"}});
  ASSERT_TRUE(writer.has_value());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(writer->Append(Sample(i)).has_value());
  std::ofstream(dir_ / "ours.avro", std::ios::binary) << writer->Finish().value();

  std::string out = RunPython(R"(
import fastavro, json, sys
with open(sys.argv[1] + '/ours.avro', 'rb') as f:
    reader = fastavro.reader(f)
    rows = list(reader)
    schema = json.loads(reader.metadata['avro.schema'])
    print(json.dumps({
        'codec': reader.metadata['avro.codec'],
        'format_version': reader.metadata['format-version'],
        'content': reader.metadata['content'],
        'field_ids': [fl['field-id'] for fl in schema['fields']],
        'element_id': schema['fields'][8]['type']['element-id'],
        'count': len(rows),
        'row7': {k: (v.hex() if isinstance(v, bytes) else v) for k, v in rows[7].items()},
        'null_maybe': rows[5]['maybe'],
    }))
)",
                              dir_);
  auto result = nlohmann::json::parse(out);
  EXPECT_EQ(result["codec"], "deflate");
  EXPECT_EQ(result["format_version"], "2");
  EXPECT_EQ(result["content"], "data");
  EXPECT_EQ(result["field_ids"], nlohmann::json({1, 2, 3, 4, 5, 6, 7, 10, 11}));
  EXPECT_EQ(result["element_id"], 12);
  EXPECT_EQ(result["count"], 1000);
  auto row = result["row7"];
  EXPECT_EQ(row["flag"], false);
  EXPECT_EQ(row["small"], -7);
  EXPECT_EQ(row["big"], (int64_t{1} << 40) | 7);
  EXPECT_EQ(row["ratio"], 1.75);
  EXPECT_EQ(row["label"], "row-7");
  EXPECT_EQ(row["blob"], "00ff");
  EXPECT_EQ(row["maybe"], 7);
  EXPECT_EQ(row["counts"], nlohmann::json::parse(R"([{"key":0,"value":0},{"key":1,"value":-1000},)"
                                                 R"({"key":2,"value":-2000}])"));
  EXPECT_EQ(row["offsets"], nlohmann::json({4, int64_t{7} << 33}));
  EXPECT_TRUE(result["null_maybe"].is_null());
}

TEST_F(AvroTest, ReadsAFileWrittenByFastavro) {
  RunPython(std::string(R"(
import fastavro, json, sys
schema = json.loads(r''')") +
                kSchema + R"(''')
rows = []
for i in range(5000):
    rows.append({'flag': i % 2 == 0, 'small': -i, 'big': (1 << 40) | i, 'ratio': i / 4.0,
                 'label': 'row-%d' % i, 'blob': None if i % 3 == 0 else b'\x00\xff',
                 'maybe': None if i % 5 == 0 else i,
                 'counts': [{'key': k, 'value': -k * 1000} for k in range(i % 4)],
                 'offsets': [4, i << 33]})
with open(sys.argv[1] + '/theirs.avro', 'wb') as f:
    fastavro.writer(f, fastavro.parse_schema(schema), rows, codec='deflate', sync_interval=4000,
                    metadata={'format-version': '2'})
)",
            dir_);
  std::ifstream in(dir_ / "theirs.avro", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto file = ReadAvroFile(bytes.str());
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_EQ(file->metadata.at("format-version"), "2");
  EXPECT_EQ(file->metadata.at("avro.codec"), "deflate");
  ASSERT_EQ(file->records.size(), 5000u);
  for (int i : {0, 7, 4999}) {
    const AvroValue& r = file->records[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.Find("small")->integer, -i);
    EXPECT_EQ(r.Find("big")->integer, (int64_t{1} << 40) | i);
    EXPECT_EQ(r.Find("ratio")->real, i / 4.0);
    EXPECT_EQ(r.Find("label")->bytes, "row-" + std::to_string(i));
    EXPECT_EQ(r.Find("counts")->items.size(), static_cast<std::size_t>(i % 4));
    EXPECT_EQ(r.Find("offsets")->items[1].integer, int64_t{i} << 33);
    EXPECT_EQ(r.Find("maybe")->is_null(), i % 5 == 0);
  }
}

}  // namespace
}  // namespace clickstream::iceberg::avro
