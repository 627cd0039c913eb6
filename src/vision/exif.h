// EXIF orientation: reading the tag from a JPEG APP1 payload and applying it to pixels.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <span>

namespace vs::vision {

// Orientation (1..8) from the payload of an APP1 segment that starts with "Exif\0\0".
// Returns 1 (as stored) when the payload is not EXIF, is malformed or has no valid tag.
int ExifOrientation(std::span<const uint8_t> app1_payload);

// True for orientations 5..8, which swap width and height.
inline bool OrientationSwapsAxes(int orientation) { return orientation >= 5 && orientation <= 8; }

// Returns `image` turned so that it displays upright for the given orientation.
cv::Mat ApplyOrientation(const cv::Mat& image, int orientation);

}  // namespace vs::vision
