#include "io/file_io.h"

#include <arrow/buffer.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/io/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "io/arrow_error.h"
#include "io/s3_filesystem.h"

namespace clickstream::io {

namespace {

// A file on S3: Arrow's filesystem and the "bucket/key" path it takes.
struct S3File {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string path;
};

Result<S3File> OnS3(std::string_view location) {
  CS_ASSIGN_OR_RETURN(std::string path, S3Path(location));
  CS_ASSIGN_OR_RETURN(auto fs, S3FileSystem());
  return S3File{std::move(fs), std::move(path)};
}

std::string RandomSuffix() {
  thread_local std::mt19937_64 engine{std::random_device{}() ^
                                      (static_cast<uint64_t>(getpid()) << 32)};
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(engine()));
  return text;
}

// Writes all of `bytes` to `fd`, fsyncs and closes it. The descriptor is closed whatever fails;
// the error names the first call that failed, with the errno it set (saved before any other call).
Status WriteSyncClose(const FileCalls& calls, int fd, const std::string& name,
                      std::string_view bytes) {
  int err = 0;
  const char* failed = "";
  std::size_t written = 0;
  while (err == 0 && written < bytes.size()) {
    ssize_t n = calls.write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      failed = "write";
    } else {
      written += static_cast<std::size_t>(n);
    }
  }
  if (err == 0 && calls.fsync(fd) != 0) {
    err = errno;
    failed = "flush";
  }
  if (calls.close(fd) != 0 && err == 0) {
    err = errno;
    failed = "close";
  }
  if (err != 0)
    return IoError(std::string("cannot ") + failed + " " + name + ": " + std::strerror(err));
  return Ok();
}

Status CreateParentDirectories(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return IoError("cannot create " + path.parent_path().string() + ": " + ec.message());
  return Ok();
}

Result<std::string> ReadLocalFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return IoError("cannot read " + path.string());
  return std::move(bytes).str();
}

Result<std::string> ReadS3File(std::string_view location) {
  CS_ASSIGN_OR_RETURN(S3File file, OnS3(location));
  std::string what = "reading " + std::string(location);
  auto input = file.fs->OpenInputFile(file.path);
  if (!input.ok()) return std::unexpected(FromArrow(input.status(), what));
  auto size = (*input)->GetSize();
  if (!size.ok()) return std::unexpected(FromArrow(size.status(), what));
  auto buffer = (*input)->ReadAt(0, *size);
  if (!buffer.ok()) return std::unexpected(FromArrow(buffer.status(), what));
  (void)(*input)->Close();
  return (*buffer)->ToString();
}

Status WriteS3File(std::string_view location, std::string_view bytes) {
  CS_ASSIGN_OR_RETURN(S3File file, OnS3(location));
  std::string what = "writing " + std::string(location);
  auto output = file.fs->OpenOutputStream(file.path);
  if (!output.ok()) return std::unexpected(FromArrow(output.status(), what));
  arrow::Status written = (*output)->Write(bytes.data(), static_cast<int64_t>(bytes.size()));
  if (!written.ok()) {
    (void)(*output)->Abort();
    return std::unexpected(FromArrow(written, what));
  }
  arrow::Status closed = (*output)->Close();  // the PUT: the object exists from here on
  if (!closed.ok()) return std::unexpected(FromArrow(closed, what));
  return Ok();
}

Result<std::vector<FileInfo>> ListLocalFiles(std::string_view directory) {
  CS_ASSIGN_OR_RETURN(std::filesystem::path root, LocalPath(directory));
  std::vector<FileInfo> files;
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return files;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    FileInfo info;
    info.location = JoinLocation(directory, it->path().lexically_relative(root).string());
    info.size = static_cast<int64_t>(it->file_size(entry_ec));
    auto modified = std::filesystem::last_write_time(it->path(), entry_ec);
    info.modified_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::file_clock::to_sys(modified).time_since_epoch())
                           .count();
    files.push_back(std::move(info));
  }
  if (ec) return IoError("cannot list " + root.string() + ": " + ec.message());
  return files;
}

Result<std::vector<FileInfo>> ListS3Files(std::string_view directory) {
  CS_ASSIGN_OR_RETURN(S3File dir, OnS3(directory));
  arrow::fs::FileSelector selector;
  selector.base_dir = dir.path;
  selector.recursive = true;
  selector.allow_not_found = true;
  auto listed = dir.fs->GetFileInfo(selector);
  if (!listed.ok()) {
    return std::unexpected(FromArrow(listed.status(), "listing " + std::string(directory)));
  }
  std::vector<FileInfo> files;
  for (const arrow::fs::FileInfo& entry : *listed) {
    if (entry.type() != arrow::fs::FileType::File) continue;
    std::string_view relative = entry.path();
    relative.remove_prefix(std::min(relative.size(), dir.path.size()));
    FileInfo info;
    info.location = JoinLocation(directory, relative);
    info.size = entry.size();
    info.modified_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(entry.mtime().time_since_epoch())
            .count();
    files.push_back(std::move(info));
  }
  return files;
}

}  // namespace

Result<std::string> ReadFile(std::string_view location) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(location));
  if (storage == Storage::kS3) return ReadS3File(location);
  CS_ASSIGN_OR_RETURN(auto path, LocalPath(location));
  return ReadLocalFile(path);
}

Status WriteNewFile(std::string_view location, std::string_view bytes) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(location));
  if (storage == Storage::kS3) return WriteS3File(location, bytes);
  CS_ASSIGN_OR_RETURN(auto path, LocalPath(location));
  return WriteNewLocalFile(path, bytes, FileCalls{});
}

Status WriteNewLocalFile(const std::filesystem::path& path, std::string_view bytes,
                         const FileCalls& calls) {
  CS_RETURN_IF_ERROR(CreateParentDirectories(path));
  // Write a private temporary file, then link it into place: readers never see a partial file,
  // and link() fails instead of replacing a file another writer put there first.
  std::string tmp = path.string() + "." + RandomSuffix() + ".tmp";
  int fd = calls.open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + tmp + ": " + std::strerror(errno));
  if (Status synced = WriteSyncClose(calls, fd, tmp, bytes); !synced) {
    calls.unlink(tmp.c_str());
    return synced;
  }
  int rc = calls.link(tmp.c_str(), path.c_str());
  int err = errno;
  calls.unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return AlreadyExists(path.string() + " already exists");
    return IoError("cannot create " + path.string() + ": " + std::strerror(err));
  }
  return Ok();
}

Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(std::string_view location) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(location));
  std::string what = "opening " + std::string(location);
  if (storage == Storage::kS3) {
    CS_ASSIGN_OR_RETURN(S3File file, OnS3(location));
    auto input = file.fs->OpenInputFile(file.path);
    if (!input.ok()) return std::unexpected(FromArrow(input.status(), what));
    return *input;
  }
  CS_ASSIGN_OR_RETURN(auto path, LocalPath(location));
  auto input = arrow::io::ReadableFile::Open(path.string());
  if (!input.ok()) return std::unexpected(FromArrow(input.status(), what));
  return std::shared_ptr<arrow::io::RandomAccessFile>(*input);
}

Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutputFile(std::string_view location) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(location));
  std::string what = "creating " + std::string(location);
  if (storage == Storage::kS3) {
    CS_ASSIGN_OR_RETURN(S3File file, OnS3(location));
    auto output = file.fs->OpenOutputStream(file.path);
    if (!output.ok()) return std::unexpected(FromArrow(output.status(), what));
    return *output;
  }
  CS_ASSIGN_OR_RETURN(auto path, LocalPath(location));
  CS_RETURN_IF_ERROR(CreateParentDirectories(path));
  auto output = arrow::io::FileOutputStream::Open(path.string());
  if (!output.ok()) return std::unexpected(FromArrow(output.status(), what));
  return std::shared_ptr<arrow::io::OutputStream>(*output);
}

Status DeleteFile(std::string_view location) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(location));
  std::string what = "deleting " + std::string(location);
  if (storage == Storage::kS3) {
    CS_ASSIGN_OR_RETURN(S3File file, OnS3(location));
    auto info = file.fs->GetFileInfo(file.path);
    if (!info.ok()) return std::unexpected(FromArrow(info.status(), what));
    if (info->type() == arrow::fs::FileType::NotFound) return NotFound(std::string(location));
    arrow::Status deleted = file.fs->DeleteFile(file.path);
    if (!deleted.ok()) return std::unexpected(FromArrow(deleted, what));
    return Ok();
  }
  CS_ASSIGN_OR_RETURN(auto path, LocalPath(location));
  std::error_code ec;
  if (std::filesystem::remove(path, ec)) return Ok();
  if (ec) return IoError(what + ": " + ec.message());
  return NotFound(std::string(location));
}

void DeleteQuietly(std::string_view location) { (void)DeleteFile(location); }

Result<int64_t> FileSize(std::string_view location) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(location));
  if (storage == Storage::kS3) {
    CS_ASSIGN_OR_RETURN(S3File file, OnS3(location));
    auto info = file.fs->GetFileInfo(file.path);
    if (!info.ok()) return std::unexpected(FromArrow(info.status(), "sizing " + file.path));
    if (info->type() != arrow::fs::FileType::File) return NotFound(std::string(location));
    return info->size();
  }
  CS_ASSIGN_OR_RETURN(auto path, LocalPath(location));
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return IoError("cannot size " + path.string() + ": " + ec.message());
  return static_cast<int64_t>(size);
}

Result<std::vector<FileInfo>> ListFiles(std::string_view directory) {
  CS_ASSIGN_OR_RETURN(Storage storage, StorageOf(directory));
  if (storage == Storage::kS3) return ListS3Files(directory);
  return ListLocalFiles(directory);
}

}  // namespace clickstream::io
