# Locates every third-party dependency. Debian packages are found on the system; ONNX Runtime
# comes from the npm tarball unpacked by scripts/setup.sh into ${VISIONSTOCK_DEPS_DIR}/onnxruntime.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto SSL)
find_package(PostgreSQL REQUIRED)
# Prometheus metric types and text format (src/metrics; the core library only).
find_package(prometheus-cpp CONFIG REQUIRED)
# JPEG and PNG decoding under work limits (src/vision/image_jpeg.cc, image_png.cc).
find_package(JPEG REQUIRED)
find_package(PNG REQUIRED)

# OpenCV (imgcodecs + imgproc only; Debian ships no CMake config without libopencv-dev).
find_path(OPENCV_INCLUDE_DIR opencv2/imgcodecs.hpp PATH_SUFFIXES opencv4 REQUIRED)
foreach(mod core imgproc imgcodecs)
  find_library(OPENCV_${mod}_LIB opencv_${mod} REQUIRED)
  list(APPEND OPENCV_LIBS ${OPENCV_${mod}_LIB})
endforeach()
add_library(opencv_min INTERFACE)
target_include_directories(opencv_min SYSTEM INTERFACE ${OPENCV_INCLUDE_DIR})
target_link_libraries(opencv_min INTERFACE ${OPENCV_LIBS})

# CLI11 (header-only).
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
add_library(cli11 INTERFACE)
target_include_directories(cli11 SYSTEM INTERFACE ${CLI11_INCLUDE_DIR})

# ONNX Runtime.
set(ONNXRUNTIME_DIR ${VISIONSTOCK_DEPS_DIR}/onnxruntime)
set(ONNXRUNTIME_LIB_DIR ${ONNXRUNTIME_DIR}/lib)
if(NOT EXISTS ${ONNXRUNTIME_LIB_DIR}/libonnxruntime.so.1)
  message(FATAL_ERROR "ONNX Runtime not found in ${ONNXRUNTIME_DIR}: run scripts/setup.sh (or make build) first")
endif()
add_library(onnxruntime SHARED IMPORTED)
set_target_properties(onnxruntime PROPERTIES
  IMPORTED_LOCATION ${ONNXRUNTIME_LIB_DIR}/libonnxruntime.so.1
  IMPORTED_SONAME libonnxruntime.so.1
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${ONNXRUNTIME_DIR}/include
  INTERFACE_INCLUDE_DIRECTORIES ${ONNXRUNTIME_DIR}/include)
set(CMAKE_BUILD_RPATH ${ONNXRUNTIME_LIB_DIR})
set(CMAKE_INSTALL_RPATH ${ONNXRUNTIME_LIB_DIR})
