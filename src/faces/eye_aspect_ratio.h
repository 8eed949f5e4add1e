// Eye aspect ratio from the 68 landmarks: how open the eyes are, for blink detection.
#pragma once

#include <vector>

#include "model/face.h"

namespace triage::faces {

// Below this mean ratio the eyes are taken as closed. Open eyes on the development set measured 0.18 to 0.44
// (smiles and squints sit at the low end), so the common 0.2 would flag open eyes; closed eyes measure ~0.05-0.12.
inline constexpr double kClosedEyeAspectRatio = 0.15;

// Mean over both eyes of (|p2 - p6| + |p3 - p5|) / (2 |p1 - p4|), p1..p6 being an eye's six points in dlib's
// 68-point order (36..41 and 42..47). 0 when `landmarks` does not hold 68 points or an eye has no width.
double EyeAspectRatio(const std::vector<model::Point>& landmarks);

}  // namespace triage::faces
