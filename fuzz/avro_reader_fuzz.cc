// libFuzzer target: any bytes given to the Avro container reader (manifests and manifest lists are
// files anyone with write access to the warehouse can change) return a value or an error, never a
// crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "iceberg/avro.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = clickstream::iceberg::avro::ReadAvroFile(bytes);
  if (file.has_value()) {
    // What was read can be written again with its own schema.
    auto schema = file->metadata.find("avro.schema");
    if (schema != file->metadata.end()) {
      auto writer = clickstream::iceberg::avro::AvroFileWriter::Create(
          schema->second, {}, clickstream::iceberg::avro::AvroCodec::kNull);
      if (writer.has_value()) {
        for (const auto& record : file->records) (void)writer->Append(record);
        (void)writer->Finish();
      }
    }
  }
  return 0;
}
