// The floor for duplicate finding: the least work any tool must do on a folder of photos. Each file is read once
// into memory, its bytes hashed (SHA-256, OpenSSL) and decoded at the scale a perceptual hash needs: JPEG at 1/8
// DCT scale (libjpeg-turbo), PNG whole (libpng); two threads. Prints files, failures and wall seconds.
// With --copy-to, each file's bytes are also written to a new file there and made durable (write-back started
// after each write, every copy and the folder fsync'd at the end): what an ingest that copies must do on top.
//
// Usage: dedup_floor [--threads N=2] [--copy-to EMPTY_DIR] DIR
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <fcntl.h>
#include <jpeglib.h>
#include <openssl/evp.h>
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csetjmp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

bool Sha256(const std::string& bytes, unsigned char* digest) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int n = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) == 1 && EVP_DigestFinal_ex(ctx, digest, &n) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
};

void OnJpegError(j_common_ptr info) { std::longjmp(reinterpret_cast<JpegError*>(info->err)->jump, 1); }

// Decodes at 1/8 scale; returns the number of pixels decoded (0 on failure).
size_t DecodeJpegEighth(const std::string& bytes) {
  jpeg_decompress_struct info;
  JpegError error;
  info.err = jpeg_std_error(&error.mgr);
  error.mgr.error_exit = OnJpegError;
  std::vector<unsigned char> row;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    return 0;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_read_header(&info, TRUE);
  info.scale_num = 1;
  info.scale_denom = 8;
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  row.resize(static_cast<size_t>(info.output_width) * info.output_components);
  while (info.output_scanline < info.output_height) {
    unsigned char* rows[] = {row.data()};
    jpeg_read_scanlines(&info, rows, 1);
  }
  const size_t pixels = static_cast<size_t>(info.output_width) * info.output_height;
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return pixels;
}

size_t DecodePng(const std::string& bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return 0;
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) return 0;
  return static_cast<size_t>(image.width) * image.height;
}

// Writes `bytes` to the new file `to` and starts its write-back; false on any error.
bool WriteCopy(const std::string& bytes, const fs::path& to) {
  const int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  return ::close(fd) == 0 && done == bytes.size();
}

bool Fsync(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

bool Process(const fs::path& file, const fs::path& copy) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unsigned char digest[EVP_MAX_MD_SIZE];
  if (bytes.size() < 8 || !Sha256(bytes, digest)) return false;
  if (!copy.empty() && !WriteCopy(bytes, copy)) return false;
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  if (b[0] == 0xFF && b[1] == 0xD8) return DecodeJpegEighth(bytes) > 0;
  if (png_sig_cmp(b, 0, 8) == 0) return DecodePng(bytes) > 0;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  fs::path dir, copy_to;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::stoi(argv[++i]));
    } else if (arg == "--copy-to" && i + 1 < argc) {
      copy_to = argv[++i];
    } else {
      dir = arg;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: dedup_floor [--threads N] [--copy-to EMPTY_DIR] DIR\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::atomic<size_t> next{0};
  std::atomic<int> failed{0};
  // The copies are named by position: the folder's own names may repeat across subfolders.
  auto copy_of = [&](size_t i) { return copy_to.empty() ? fs::path() : copy_to / std::to_string(i); };
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < files.size(); i = next++) failed += Process(files[i], copy_of(i)) ? 0 : 1;
    });
  }
  for (auto& w : workers) w.join();
  if (!copy_to.empty()) {
    // Durable, as a library's copies must be before they are recorded: each file, then the folder.
    for (size_t i = 0; i < files.size(); ++i) {
      if (fs::exists(copy_of(i)) && !Fsync(copy_of(i), O_RDONLY)) ++failed;
    }
    if (!Fsync(copy_to, O_RDONLY | O_DIRECTORY)) ++failed;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu files, %d not decoded, %.3f s\n", files.size(), failed.load(), seconds);
  return 0;
}
