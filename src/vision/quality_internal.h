// Parts of MeasureQuality kept in their own files (composition, faces, BRISQUE). Internal to vision/.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "model/face.h"
#include "model/quality.h"

namespace triage::vision::internal {

// BRISQUE score (0 best .. 100) of an 8-bit grey raster (the decoded one: a centre crop of it is measured at its
// own scale), or -1 without the model files.
double Brisque(const cv::Mat& grey);

// Rule-of-thirds placement (largest face, else the saliency peak), horizon tilt and leading lines. `to_working`
// maps full-resolution face coordinates onto `grey`.
void MeasureComposition(const cv::Mat& grey, const std::vector<model::Face>& faces, double to_working,
                        model::QualityMetrics& q);

// What tells an open eye from a closed one, each the mean over both eyes resampled upright at a fixed scale; -1 without
// 68 points or for eyes under 4 px wide. `landmarks` are dlib's 68 points in full-resolution coordinates, `to_working`
// maps them onto `grey`.
struct EyeMeasures {
  // The grey level's standard deviation inside the eye over the median grey of the skin just below it: high where
  // iris and sclera show, low on a closed lid.
  double contrast = -1;
  // The horizontal grey steps' magnitude over the vertical ones': an iris's sides against the sclera make horizontal
  // steps, a closed lid's line of lashes vertical ones.
  double edge_ratio = -1;
};
EyeMeasures MeasureEyes(const cv::Mat& grey, const std::vector<model::Point>& landmarks, double to_working);

// Face count, size, face and eye sharpness, and per face the eye aspect ratio, eye contrast and edge ratio, and turn.
void MeasureFaces(const cv::Mat& grey, const std::vector<model::Face>& faces, double to_working,
                  model::QualityMetrics& q);

}  // namespace triage::vision::internal
