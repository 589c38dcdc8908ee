#include "io/file_io.h"

#include <arrow/io/interfaces.h>
#include <arrow/result.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/testing_temp_dir.h"

namespace clickstream::io {
namespace {

TEST(LocationTest, StorageFollowsTheScheme) {
  EXPECT_EQ(StorageOf("/w/t/data/x.parquet").value(), Storage::kLocal);
  EXPECT_EQ(StorageOf("file:/w/t").value(), Storage::kLocal);
  EXPECT_EQ(StorageOf("file:///w/t").value(), Storage::kLocal);
  EXPECT_EQ(StorageOf("s3://bucket/w/t").value(), Storage::kS3);
  EXPECT_EQ(StorageOf("s3a://bucket/w/t").value(), Storage::kS3);
  EXPECT_FALSE(StorageOf("hdfs://nn/w/t").has_value());
  EXPECT_FALSE(StorageOf("relative/path").has_value());
}

TEST(LocationTest, S3PathIsBucketAndKey) {
  EXPECT_EQ(S3Path("s3://bucket/w/t/metadata/v1.json").value(), "bucket/w/t/metadata/v1.json");
  EXPECT_EQ(S3Path("s3a://bucket/w/").value(), "bucket/w");
  EXPECT_FALSE(S3Path("s3://").has_value());
  EXPECT_FALSE(S3Path("/local/path").has_value());
}

using LocalFileIoTest = clickstream::testing::TempDirTest;

TEST_F(LocalFileIoTest, WritesReadsSizesListsAndDeletes) {
  std::string dir = "file:" + dir_.string();
  std::string file = JoinLocation(dir, "a/b/m.json");
  ASSERT_TRUE(WriteNewFile(file, "{\"x\": 1}").has_value());
  EXPECT_EQ(ReadFile(file).value(), "{\"x\": 1}");
  EXPECT_EQ(FileSize(file).value(), 8);
  auto again = WriteNewFile(file, "{}");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);

  auto listed = ListFiles(dir).value();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].location, file);
  EXPECT_EQ(listed[0].size, 8);
  EXPECT_GT(listed[0].modified_ms, 0);

  ASSERT_TRUE(DeleteFile(file).has_value());
  auto gone = DeleteFile(file);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(ListFiles(JoinLocation(dir, "missing")).value().empty());
}

TEST_F(LocalFileIoTest, OutputStreamCreatesParentsAndInputReadsItBack) {
  std::string file = (dir_ / "data" / "page=x" / "f.parquet").string();
  auto out = OpenOutputFile(file).value();
  ASSERT_TRUE(out->Write("PAR1", 4).ok());
  ASSERT_TRUE(out->Close().ok());
  auto in = OpenInputFile(file).value();
  EXPECT_EQ(in->GetSize().ValueOrDie(), 4);
}

TEST(FileIoErrorTest, AnUnreachableS3EndpointIsUnavailable) {
  // The only S3 use in this binary: the client is configured from the environment at first use.
  ASSERT_EQ(setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1), 0);
  ASSERT_EQ(setenv("AWS_ACCESS_KEY_ID", "key", 1), 0);
  ASSERT_EQ(setenv("AWS_SECRET_ACCESS_KEY", "secret", 1), 0);
  auto read = ReadFile("s3://bucket/t/metadata/v1.metadata.json");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable) << read.error().message;
  EXPECT_NE(read.error().message.find("s3://bucket/t/metadata/v1.metadata.json"),
            std::string::npos);
}

TEST(FileIoErrorTest, OtherSchemesAreRefusedWithTheLocation) {
  auto read = ReadFile("hdfs://nn/t/metadata/v1.json");
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(read.error().message.find("hdfs://nn/t"), std::string::npos);
}

// Faults for WriteNewFile (FileCalls takes plain function pointers, hence file-scope state).
int opened_fd = -1;
int closes_of_opened = 0;
int RecordingOpen(const char* path, int flags, mode_t mode) {
  opened_fd = ::open(path, flags, mode);
  closes_of_opened = 0;
  return opened_fd;
}
int CountingClose(int fd) {
  if (fd == opened_fd) ++closes_of_opened;
  return ::close(fd);
}
int FailingFsync(int /*fd*/) {
  errno = EIO;
  return -1;
}
int FailingClose(int fd) {
  CountingClose(fd);
  errno = EDQUOT;  // NFS and quota file systems report a failed write-back on close
  return -1;
}
int ClobberingUnlink(const char* path) {
  int rc = ::unlink(path);
  errno = ENOENT;
  return rc;
}

using WriteNewFileTest = clickstream::testing::TempDirTest;

TEST_F(WriteNewFileTest, FailedFsyncClosesTheDescriptorAndReportsTheFsyncErrno) {
  FileCalls calls;
  calls.open = RecordingOpen;
  calls.close = CountingClose;
  calls.fsync = FailingFsync;
  calls.unlink = ClobberingUnlink;
  std::filesystem::path path = dir_ / "m.json";
  auto written = WriteNewLocalFile(path, "{}", calls);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().code, ErrorCode::kIoError);
  EXPECT_NE(written.error().message.find(std::strerror(EIO)), std::string::npos)
      << written.error().message;
  EXPECT_EQ(closes_of_opened, 1) << "the descriptor leaked";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 0)
      << "no file, temporary or final, is left";
}

TEST_F(WriteNewFileTest, FailedCloseReportsTheCloseErrno) {
  FileCalls calls;
  calls.open = RecordingOpen;
  calls.close = FailingClose;
  calls.unlink = ClobberingUnlink;
  auto written = WriteNewLocalFile(dir_ / "m.json", "{}", calls);
  ASSERT_FALSE(written.has_value());
  EXPECT_NE(written.error().message.find(std::strerror(EDQUOT)), std::string::npos)
      << written.error().message;
  EXPECT_EQ(closes_of_opened, 1);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 0);
}

}  // namespace
}  // namespace clickstream::io
