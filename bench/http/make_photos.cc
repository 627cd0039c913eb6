// http_bench_photos OUT_DIR: writes photo-1080p.jpg (1920x1080) and photo-12mp.jpg (4000x3000),
// darknet's dog.jpg resized (cubic) and saved at JPEG quality 90, unless they already exist.
#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: http_bench_photos OUT_DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  const cv::Mat photo = cv::imread(VS_DARKNET_DATA "/dog.jpg", cv::IMREAD_COLOR);
  if (photo.empty()) {
    std::fprintf(stderr, "http_bench_photos: cannot read " VS_DARKNET_DATA "/dog.jpg\n");
    return 1;
  }
  struct Size {
    const char* name;
    int w, h;
  };
  for (const Size s : {Size{"photo-1080p.jpg", 1920, 1080}, Size{"photo-12mp.jpg", 4000, 3000}}) {
    const auto path = dir / s.name;
    if (std::filesystem::exists(path)) continue;
    cv::Mat resized;
    cv::resize(photo, resized, cv::Size(s.w, s.h), 0, 0, cv::INTER_CUBIC);
    if (!cv::imwrite(path.string(), resized, {cv::IMWRITE_JPEG_QUALITY, 90})) {
      std::fprintf(stderr, "http_bench_photos: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
