#include "iceberg/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iceberg/avro.h"
#include "iceberg/bounds.h"
#include "iceberg/table_metadata.h"
#include "iceberg/testing_python.h"
#include "io/file_io.h"

namespace clickstream::iceberg {
namespace {

using testing::RunPython;
using ManifestTest = testing::TempDirTest;

ManifestContext ClicksContext() {
  Schema schema{0,
                {Field{1, "user_id", TypeId::kString, false, ""},
                 Field{2, "page", TypeId::kString, false, ""},
                 Field{3, "click_timestamp", TypeId::kTimestamptz, false, ""}}};
  return ManifestContext{SchemaToJson(schema),
                         PartitionSpec{0, {PartitionField{2, 1000, "page", "identity"}}}};
}

DataFile File(const std::string& page, int64_t rows) {
  DataFile f;
  f.file_path = "/w/website/clicks/data/page=" + page.substr(1) + "/f.parquet";
  f.partition = {page};
  f.record_count = rows;
  f.file_size_in_bytes = 1000 + rows;
  f.column_sizes = {{1, 10}, {2, 20}, {3, 30}};
  f.value_counts = {{1, rows}, {2, rows}, {3, rows}};
  f.null_value_counts = {{1, 0}, {2, 0}, {3, 0}};
  f.lower_bounds = {{2, page}, {3, SerializeValue(TypeId::kTimestamptz, int64_t{1000}).value()}};
  f.upper_bounds = {{2, page}, {3, SerializeValue(TypeId::kTimestamptz, int64_t{2000}).value()}};
  f.split_offsets = {4};
  return f;
}

TEST_F(ManifestTest, ManifestAndListRoundTripThroughOurReader) {
  std::vector<DataFile> files = {File("/home", 10), File("/cart", 5), File("/products", 7)};
  std::string manifest_path = (dir_ / "m0.avro").string();
  auto manifest = WriteManifest(manifest_path, ClicksContext(), 77, 3, files);
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->added_files_count, 3);
  EXPECT_EQ(manifest->added_rows_count, 22);
  EXPECT_EQ(manifest->sequence_number, 3);
  EXPECT_EQ(manifest->manifest_length,
            static_cast<int64_t>(std::filesystem::file_size(manifest_path)));
  ASSERT_EQ(manifest->partitions.size(), 1u);
  EXPECT_EQ(manifest->partitions[0].lower_bound, "/cart");
  EXPECT_EQ(manifest->partitions[0].upper_bound, "/products");
  EXPECT_FALSE(manifest->partitions[0].contains_null);

  std::string list_path = (dir_ / "snap.avro").string();
  ASSERT_TRUE(WriteManifestList(list_path, 77, 76, 3, std::span(&*manifest, 1)).has_value());
  auto list = ReadManifestList(list_path);
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->at(0).manifest_path, manifest_path);
  EXPECT_EQ(list->at(0).added_snapshot_id, 77);
  EXPECT_EQ(list->at(0).partitions[0].upper_bound, "/products");

  auto entries = ReadManifest(manifest_path, &list->at(0));
  ASSERT_TRUE(entries.has_value()) << entries.error().message;
  ASSERT_EQ(entries->size(), 3u);
  const ManifestEntry& e = entries->at(1);
  EXPECT_EQ(e.status, EntryStatus::kAdded);
  EXPECT_EQ(e.snapshot_id, 77);
  EXPECT_EQ(e.sequence_number, 3);  // inherited
  EXPECT_EQ(e.data_file.partition.at(0), Literal(std::string("/cart")));
  EXPECT_EQ(e.data_file.record_count, 5);
  EXPECT_EQ(e.data_file.value_counts.at(3), 5);
  EXPECT_EQ(e.data_file.lower_bounds.at(3), files[1].lower_bounds.at(3));
  EXPECT_EQ(e.data_file.split_offsets, std::vector<int64_t>{4});

  // Writing over an existing file is refused.
  EXPECT_EQ(WriteManifest(manifest_path, ClicksContext(), 78, 4, files).error().code,
            ErrorCode::kAlreadyExists);
}

TEST_F(ManifestTest, RejectsFilesWhosePartitionDoesNotMatchTheSpec) {
  DataFile wrong = File("/home", 1);
  wrong.partition = {int64_t{5}};
  auto status =
      WriteManifest((dir_ / "m.avro").string(), ClicksContext(), 1, 1, std::span(&wrong, 1));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ManifestTest, UnpartitionedManifestHasAnEmptyPartitionStruct) {
  ManifestContext context = ClicksContext();
  context.spec = PartitionSpec{};
  DataFile f = File("/home", 3);
  f.partition.clear();
  std::string path = (dir_ / "m.avro").string();
  auto manifest = WriteManifest(path, context, 9, 1, std::span(&f, 1));
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_TRUE(manifest->partitions.empty());
  auto entries = ReadManifest(path);
  ASSERT_TRUE(entries.has_value());
  EXPECT_TRUE(entries->at(0).data_file.partition.empty());
  EXPECT_FALSE(entries->at(0).sequence_number.has_value());  // no ManifestFile: not inherited
}

// pyiceberg's own manifest reader (independent of fastavro's generic view) decodes our files.
TEST_F(ManifestTest, PyicebergReadsOurManifestListAndManifest) {
  std::vector<DataFile> files = {File("/home", 10), File("/cart", 5)};
  std::string manifest_path = (dir_ / "m0.avro").string();
  auto manifest = WriteManifest(manifest_path, ClicksContext(), 77, 3, files);
  ASSERT_TRUE(manifest.has_value());
  ASSERT_TRUE(WriteManifestList((dir_ / "snap.avro").string(), 77, std::nullopt, 3,
                                std::span(&*manifest, 1))
                  .has_value());
  std::string out = RunPython(R"(
import json, sys, fastavro
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.manifest import read_manifest_list
d = sys.argv[1]
io = PyArrowFileIO()
lists = list(read_manifest_list(io.new_input(d + '/snap.avro')))
m = lists[0]
entries = m.fetch_manifest_entry(io, discard_deleted=False)
with open(d + '/m0.avro', 'rb') as f:
    r = fastavro.reader(f)
    header = {k: v for k, v in r.metadata.items() if k != 'avro.schema'}
    schema = json.loads(r.metadata['avro.schema'])
def ids(node):
    out = []
    if isinstance(node, dict):
        if 'field-id' in node: out.append(node['field-id'])
        if 'element-id' in node: out.append(node['element-id'])
        for v in node.values(): out += ids(v)
    elif isinstance(node, list):
        for v in node: out += ids(v)
    return out
print(json.dumps({
  'path': m.manifest_path, 'added': m.added_files_count, 'rows': m.added_rows_count,
  'seq': m.sequence_number, 'snapshot': m.added_snapshot_id,
  'lower': m.partitions[0].lower_bound.decode(), 'upper': m.partitions[0].upper_bound.decode(),
  'entries': [{'page': e.data_file.partition[0], 'records': e.data_file.record_count,
               'seq': e.sequence_number, 'snapshot': e.snapshot_id, 'status': int(e.status),
               'value_counts': {str(k): v for k, v in e.data_file.value_counts.items()},
               'ts_lower': e.data_file.lower_bounds[3].hex()} for e in entries],
  'header': header, 'ids': sorted(ids(schema)),
}))
)",
                              dir_);
  auto result = nlohmann::json::parse(out);
  EXPECT_EQ(result["path"], manifest_path);
  EXPECT_EQ(result["added"], 2);
  EXPECT_EQ(result["rows"], 15);
  EXPECT_EQ(result["seq"], 3);
  EXPECT_EQ(result["snapshot"], 77);
  EXPECT_EQ(result["lower"], "/cart");
  EXPECT_EQ(result["upper"], "/home");
  ASSERT_EQ(result["entries"].size(), 2u);
  EXPECT_EQ(result["entries"][1]["page"], "/cart");
  EXPECT_EQ(result["entries"][1]["records"], 5);
  EXPECT_EQ(result["entries"][1]["seq"], 3);
  EXPECT_EQ(result["entries"][1]["snapshot"], 77);
  EXPECT_EQ(result["entries"][1]["status"], 1);
  EXPECT_EQ(result["entries"][1]["value_counts"]["3"], 5);
  EXPECT_EQ(result["entries"][1]["ts_lower"], "e803000000000000");
  EXPECT_EQ(result["header"]["format-version"], "2");
  EXPECT_EQ(result["header"]["content"], "data");
  EXPECT_EQ(result["header"]["partition-spec-id"], "0");
  EXPECT_EQ(
      nlohmann::json::parse(result["header"]["partition-spec"].get<std::string>())[0]["field-id"],
      1000);
  EXPECT_EQ(nlohmann::json::parse(result["header"]["schema"].get<std::string>())["fields"].size(),
            3u);
  // Every field id of the spec's manifest_entry (v2) is present.
  std::vector<int> expected = {0,   1,   2,   3,   4,   100, 101, 102, 103, 104, 108, 109,
                               110, 117, 118, 119, 120, 121, 122, 125, 126, 127, 128, 129,
                               130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 1000};
  EXPECT_EQ(result["ids"].get<std::vector<int>>(), expected);
}

// What pyiceberg writes, our reader reads.
TEST_F(ManifestTest, ReadsManifestsWrittenByPyiceberg) {
  std::string out = RunPython(R"(
import json, sys, datetime
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, StringType, TimestamptzType, LongType
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import IdentityTransform
d = sys.argv[1]
c = SqlCatalog('catalog', uri='sqlite:///' + d + '/c.db', warehouse='file://' + d + '/wh')
c.create_namespace('website')
s = Schema(NestedField(1, 'user_id', StringType()), NestedField(2, 'page', StringType()),
           NestedField(3, 'n', LongType()))
t = c.create_table('website.clicks', s,
                   partition_spec=PartitionSpec(PartitionField(2, 1000, IdentityTransform(), 'page')))
t.append(pa.table({'user_id': ['a', 'b', 'c'], 'page': ['/cart', '/home', '/cart'],
                   'n': pa.array([1, 2, 3], pa.int64())}))
t.append(pa.table({'user_id': ['d'], 'page': ['/faq'], 'n': pa.array([4], pa.int64())}))
t = c.load_table('website.clicks')
print(json.dumps({'list': t.current_snapshot().manifest_list, 'metadata': t.metadata_location}))
)",
                              dir_);
  auto paths = nlohmann::json::parse(out);
  auto metadata = ReadTableMetadata(paths["metadata"].get<std::string>());
  ASSERT_TRUE(metadata.has_value()) << metadata.error().message;
  EXPECT_EQ(metadata->snapshots.size(), 2u);
  EXPECT_EQ(metadata->CurrentSnapshot()->summary.at("total-records"), "4");

  auto list = ReadManifestList(paths["list"].get<std::string>());
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);  // pyiceberg's fast append carries the first manifest forward
  int64_t rows = 0;
  std::map<std::string, int64_t> by_page;
  for (const ManifestFile& m : *list) {
    auto entries = ReadManifest(m.manifest_path, &m);
    ASSERT_TRUE(entries.has_value()) << entries.error().message;
    for (const auto& e : *entries) {
      rows += e.data_file.record_count;
      by_page[std::get<std::string>(e.data_file.partition.at(0))] += e.data_file.record_count;
      EXPECT_TRUE(e.sequence_number.has_value());
      EXPECT_EQ(e.data_file.value_counts.at(3), e.data_file.record_count);
      EXPECT_TRUE(e.data_file.file_path.starts_with("file://"));
    }
  }
  EXPECT_EQ(rows, 4);
  EXPECT_EQ(by_page, (std::map<std::string, int64_t>{{"/cart", 2}, {"/faq", 1}, {"/home", 1}}));
}

TEST_F(ManifestTest, AnEntryStatusOutsideZeroToTwoIsCorrupt) {
  constexpr char kSchema[] = R"({"type": "record", "name": "manifest_entry", "fields": [
      {"name": "status", "type": "int", "field-id": 0},
      {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
          {"name": "file_path", "type": "string", "field-id": 100}]}}]})";
  for (int32_t status : {3, -1, 1 << 30}) {
    auto writer = avro::AvroFileWriter::Create(kSchema, {{"format-version", "2"}});
    ASSERT_TRUE(writer.has_value());
    auto record = avro::AvroValue::Record()
                      .Add("status", avro::AvroValue::Int(status))
                      .Add("data_file", avro::AvroValue::Record().Add(
                                            "file_path", avro::AvroValue::String("/d/f.parquet")));
    ASSERT_TRUE(writer->Append(record).has_value());
    std::string path = (dir_ / ("status" + std::to_string(status) + ".avro")).string();
    ASSERT_TRUE(io::WriteNewFile(path, writer->Finish().value()).has_value());
    auto entries = ReadManifest(path);
    ASSERT_FALSE(entries.has_value()) << "status " << status << " was accepted";
    EXPECT_EQ(entries.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(entries.error().message.find("status " + std::to_string(status)), std::string::npos)
        << entries.error().message;
    EXPECT_NE(entries.error().message.find(path), std::string::npos) << entries.error().message;
  }
}

TEST_F(ManifestTest, AV1ListWithoutFileCountsKeepsItsManifestsInNewSnapshots) {
  // The counts are optional in v1 lists: unknown counts must never drop a manifest.
  constexpr char kSchema[] = R"({"type": "record", "name": "manifest_file", "fields": [
      {"name": "manifest_path", "type": "string", "field-id": 500},
      {"name": "manifest_length", "type": "long", "field-id": 501},
      {"name": "partition_spec_id", "type": "int", "field-id": 502},
      {"name": "added_snapshot_id", "type": ["null", "long"], "field-id": 503}]})";
  auto writer = avro::AvroFileWriter::Create(kSchema, {{"format-version", "1"}});
  ASSERT_TRUE(writer.has_value());
  auto record = avro::AvroValue::Record()
                    .Add("manifest_path", avro::AvroValue::String("/m/one.avro"))
                    .Add("manifest_length", avro::AvroValue::Long(100))
                    .Add("partition_spec_id", avro::AvroValue::Int(0))
                    .Add("added_snapshot_id", avro::AvroValue::Null());
  ASSERT_TRUE(writer->Append(record).has_value());
  auto list = ParseManifestList(writer->Finish().value());
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].file_counts_known);
  EXPECT_EQ(WithLiveFiles(*list).size(), 1u);

  ManifestFile history;
  history.deleted_files_count = 3;
  ManifestFile live = history;
  live.existing_files_count = 1;
  EXPECT_FALSE(HasLiveFiles(history));
  EXPECT_TRUE(HasLiveFiles(live));
  EXPECT_EQ(WithLiveFiles({history, live, history}).size(), 1u);
}

}  // namespace
}  // namespace clickstream::iceberg
