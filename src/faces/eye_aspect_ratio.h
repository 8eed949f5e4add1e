// Eye aspect ratio from the 68 landmarks: how open the eyes are, for blink detection.
#pragma once

#include <vector>

#include "model/face.h"

namespace triage::faces {

// Below this mean ratio the eyes are taken as closed. On the labelled set of bench/quality/blink_bench (CEW closed
// faces, UTKFace open faces) closed eyes measured 0.08-0.31 (5th-95th percentile: dlib's points rarely meet on a
// closed lid) and open ones 0.20-0.38 (smiles and squints at the low end): 0.21 is the largest threshold that kept
// precision at 0.9 on the half it was tuned on (README "Quality scores").
inline constexpr double kClosedEyeAspectRatio = 0.21;

// Mean over both eyes of (|p2 - p6| + |p3 - p5|) / (2 |p1 - p4|), p1..p6 being an eye's six points in dlib's
// 68-point order (36..41 and 42..47). 0 when `landmarks` does not hold 68 points or an eye has no width.
double EyeAspectRatio(const std::vector<model::Point>& landmarks);

}  // namespace triage::faces
