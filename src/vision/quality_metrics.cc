// Sharpness as the variance of the Laplacian, exposure as mean luminance (OpenCV).
#include "vision/quality_metrics.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace triage::vision {

QualityMetrics MeasureQuality(const model::RgbImage& image) {
  QualityMetrics q;
  if (image.empty()) return q;
  cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
  cv::Mat grey;
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  // Sharpness depends on scale: measure on a bounded raster so scores compare across image sizes.
  int side = std::max(grey.cols, grey.rows);
  if (side > 1024) {
    double f = 1024.0 / side;
    cv::resize(grey, grey, cv::Size(), f, f, cv::INTER_AREA);
  }
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  q.sharpness = stddev[0] * stddev[0];
  q.exposure = cv::mean(grey)[0] / 255.0;
  return q;
}

}  // namespace triage::vision
