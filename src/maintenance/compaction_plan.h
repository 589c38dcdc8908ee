#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "iceberg/manifest.h"
#include "iceberg/schema.h"
#include "maintenance/partition_filter.h"

namespace clickstream::maintenance {

// Iceberg's write.target-file-size-bytes default.
inline constexpr int64_t kDefaultTargetFileSizeBytes = 128LL << 20;

// Which files `rewrite-data-files` rewrites, after Spark's bin-pack strategy (SizeBasedFileRewriter
// options of the same names).
struct CompactionPlanOptions {
  int64_t target_file_size_bytes = kDefaultTargetFileSizeBytes;
  // Files smaller than this (default 75% of the target) or larger than max (default 180%) are
  // candidates; 0 means the default.
  int64_t min_file_size_bytes = 0;
  int64_t max_file_size_bytes = 0;
  // A group is rewritten when it has at least this many files, or holds at least a target's worth
  // of data, or contains a file larger than the max.
  int min_input_files = 5;
  // Upper bound on the input bytes of one group: the unit of work, memory and conflict.
  int64_t max_group_bytes = 1LL << 30;
  // Every file is a candidate and every non-empty group is rewritten (Spark's rewrite-all).
  bool rewrite_all = false;
  // Only files of this spec whose partition matches are candidates.
  std::optional<PartitionFilter> where;
  int where_spec_id = 0;
  // Size-ratio merging, for tables a stream appends to (0: off, Spark's plain bin-pack). Per
  // partition, of the candidates below the minimum size sorted by size, the longest run of the
  // smallest ones whose largest is at most `size_ratio` times the others together is merged into
  // one file (the size ratio of RocksDB's universal compaction). A file is rewritten only once
  // the smaller files add at least 1/size_ratio of its size, so a byte is rewritten a few times
  // per (size_ratio + 1)-fold growth of its partition instead of at every rewrite, and a
  // partition holds about log_(size_ratio+1)(partition size / commit file size) files.
  int size_ratio = 0;
  // Files below `floor_bytes` join that run whatever the ratio (a floor, like Lucene's floor
  // segment size): the tiny files of the newest commits and what they were merged into stay one
  // file per partition until it passes the floor, at the price of rewriting up to the floor at
  // each rewrite. Counting them *as* the floor in the ratio instead also merged big files after
  // every few commits (bench/RESULTS.md, soak).
  int64_t floor_bytes = 0;
  // Upper bound on the input bytes of all planned groups (0: none); the groups of the smallest
  // files, which hurt reads the most per byte, come first. What a time budget can rewrite.
  int64_t max_input_bytes = 0;
};

// Data files of one partition of one spec, rewritten together into new files.
struct FileGroup {
  int spec_id = 0;
  std::vector<iceberg::Literal> partition;
  std::vector<iceberg::ManifestEntry> inputs;
  int64_t input_bytes = 0;
  int64_t input_records = 0;
};

// Groups the live data files (delete files are never planned) of each partition into bin-packed
// groups of at most max_group_bytes, and keeps the groups worth rewriting. Deterministic: groups
// are ordered by spec and partition, files within a group by path.
std::vector<FileGroup> PlanCompaction(std::span<const iceberg::ManifestEntry> live_files,
                                      const CompactionPlanOptions& options);

}  // namespace clickstream::maintenance
