// Writes the bundled NanoDet model's input and outputs on one photo as raw little-endian float32
// files, for comparison with the original TensorFlow.js model (tfjs_equivalence.test.mjs).
// Usage: vision_nanodet_dump MODEL.onnx PHOTO.jpg OUT_DIR
// OUT_DIR receives input.f32, <output name>.f32 and manifest.json.
#include <onnxruntime_cxx_api.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "vision/image.h"
#include "vision/letterbox.h"

namespace {

bool WriteFloats(const std::filesystem::path& path, const float* data, size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(n * sizeof(float)));
  return bool(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " MODEL.onnx PHOTO OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path out_dir = argv[3];
  std::filesystem::create_directories(out_dir);
  std::ifstream in(argv[2], std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto image = vs::vision::DecodeImage(bytes);
  if (!image.ok()) {
    std::cerr << "cannot decode " << argv[2] << ": " << image.status().ToString() << "\n";
    return 1;
  }
  try {
    Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "nanodet_dump");
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(1);
    Ort::Session session(env, argv[1], options);
    const auto shape = session.GetInputTypeInfo(0).GetTensorTypeAndShapeInfo().GetShape();
    if (shape.size() != 4 || shape[2] <= 0 || shape[3] <= 0) {
      std::cerr << "unexpected model input shape\n";
      return 1;
    }
    const auto spec = vs::vision::NanoDetInputSpec(int(shape[3]), int(shape[2]));
    std::vector<float> input(size_t(3 * shape[2] * shape[3]));
    vs::vision::PreprocessImage(image->bgr, spec, input.data());

    Ort::AllocatorWithDefaultOptions alloc;
    const std::string in_name = session.GetInputNameAllocated(0, alloc).get();
    std::vector<std::string> names;
    for (size_t i = 0; i < session.GetOutputCount(); ++i) {
      names.push_back(session.GetOutputNameAllocated(i, alloc).get());
    }
    std::vector<const char*> name_ptrs;
    for (const auto& n : names) name_ptrs.push_back(n.c_str());
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    Ort::Value tensor = Ort::Value::CreateTensor<float>(mem, input.data(), input.size(),
                                                        shape.data(), shape.size());
    const char* in_ptr = in_name.c_str();
    auto outputs = session.Run(Ort::RunOptions{nullptr}, &in_ptr, &tensor, 1, name_ptrs.data(),
                               name_ptrs.size());

    nlohmann::json manifest = {
        {"input", {{"name", in_name}, {"file", "input.f32"}, {"shape", shape}}},
        {"outputs", nlohmann::json::array()}};
    if (!WriteFloats(out_dir / "input.f32", input.data(), input.size())) return 1;
    for (size_t i = 0; i < outputs.size(); ++i) {
      const auto info = outputs[i].GetTensorTypeAndShapeInfo();
      const std::string file = names[i] + ".f32";
      if (!WriteFloats(out_dir / file, outputs[i].GetTensorData<float>(), info.GetElementCount())) {
        return 1;
      }
      manifest["outputs"].push_back(
          {{"name", names[i]}, {"file", file}, {"shape", info.GetShape()}});
    }
    std::ofstream(out_dir / "manifest.json") << manifest.dump(2) << "\n";
  } catch (const Ort::Exception& e) {
    std::cerr << "ONNX Runtime: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
