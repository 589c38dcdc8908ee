// The fuzz target's seed corpus (fuzz/corpus/avro_reader: manifests written by this project and by
// pyiceberg, and inputs the fuzzer once crashed on) replayed on every build, sanitizers included.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "iceberg/avro.h"

namespace clickstream::iceberg::avro {
namespace {

namespace fs = std::filesystem;

fs::path CorpusDir() {
  const char* source = std::getenv("CLICKSTREAM_SOURCE_DIR");
  return fs::path(source != nullptr ? source : ".") / "fuzz" / "corpus" / "avro_reader";
}

TEST(AvroCorpusTest, EverySeedIsReadOrRefusedAndManifestsAreRead) {
  ASSERT_TRUE(fs::is_directory(CorpusDir())) << CorpusDir();
  int files = 0;
  int manifests = 0;
  for (const auto& entry : fs::directory_iterator(CorpusDir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    auto file = ReadAvroFile(bytes.str());  // must return, either way
    ++files;
    const std::string name = entry.path().filename().string();
    if (name.find("manifest") != std::string::npos) {
      ++manifests;
      ASSERT_TRUE(file.has_value()) << name << ": " << file.error().message;
      EXPECT_FALSE(file->records.empty()) << name;
    }
  }
  EXPECT_GE(manifests, 8);
  EXPECT_GE(files, manifests);
}

}  // namespace
}  // namespace clickstream::iceberg::avro
