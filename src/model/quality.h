// How good a photo is: the raw measures taken from its pixels (QualityMetrics), the rules that turn them into a
// score (QualityRules, from triage.json) and the explained score itself (QualityScore). Plain values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::model {

// What the analyse stage measured on the decoded raster. Sizes-dependent measures are taken on a working raster of
// a fixed long side (QualityMetrics::kWorkingSidePx) so that they compare whatever size was decoded.
struct QualityMetrics {
  static constexpr int kWorkingSidePx = 1024;
  bool measured = false;
  int working_width = 0;  // the raster the measures were taken on
  int working_height = 0;
  double sharpness = 0;               // variance of the Laplacian of the grey working raster (0..255 scale)
  double tenengrad = 0;               // mean squared Sobel gradient magnitude
  double isolation = 0;               // sharpest tile / median tile sharpness (subject isolation, shallow focus)
  double mean_luminance = 0;          // 0..1
  double shadow_clip_percent = 0;     // pixels at pure black (luma <= 2), 0..100
  double highlight_clip_percent = 0;  // pixels at pure white (luma >= 253), 0..100
  bool silhouette = false;            // dark subject against a bright background, clipping intended
  double highlight_level = 0;         // 98th percentile of luma, 0..1 (how much of the range the exposure uses)
  double noise_sigma = 0;            // Immerkaer's estimate of Gaussian noise on the decoded raster's luma, grey levels
  double luma_noise_sigma = 0;       // the same on the working raster (what noise adds to the Laplacian's variance)
  double blockiness = 1;             // JPEG 8x8 grid: mean step across block edges / elsewhere (1 = none)
  double posterized_percent = 0;     // tone levels left empty inside each channel's occupied range (a stretch), 0..100
  double dynamic_range_stops = 0;    // log2 of the 98th over the 2nd percentile of linear luminance
  double contrast = 0;               // RMS contrast: standard deviation of luma, 0..1
  double colourfulness = 0;          // Hasler and Suesstrunk's M (0 grey .. ~100+ very colourful)
  double mean_saturation = 0;        // HSV saturation, 0..1
  double oversaturated_percent = 0;  // pixels saturated above 0.9 with a clipped channel (colour clipping), 0..100
  double bimodality = 0;             // luma histogram: smaller of the two main peaks over the valley between them
  double brisque = -1;               // BRISQUE 0 (best) .. 100; -1 when the model files are missing
  double thirds = 0;                 // 0..1: how close the subject sits to a rule-of-thirds power point
  double horizon_tilt_deg = 0;       // angle of the dominant near-horizontal line; 0 when none
  bool has_horizon = false;
  double leading_lines = 0;  // 0..1: share of strong line segments pointing into the frame
  // Faces (from the face stage's boxes and 68 landmarks); zero when there are none.
  int face_count = 0;
  double face_ratio = 0;      // largest face box area / frame area, 0..1
  double face_sharpness = 0;  // variance of the Laplacian inside the largest face box
  double eye_sharpness = 0;   // variance of the Laplacian around the largest face's eyes
  struct Eyes {
    double aspect_ratio = 0;  // mean eye aspect ratio of both eyes (68 landmarks)
    double yaw_deg = 0;       // how far the face is turned from the camera, estimated from the landmarks
    double contrast = -1;     // grey deviation inside the eyes over the skin below them; -1 = not measured
    // Horizontal over vertical grey steps inside the eyes: an iris's sides against the sclera make horizontal steps, a
    // closed lid is a horizontal line of lashes, all vertical steps. -1 = not measured.
    double edge_ratio = -1;
  };
  std::vector<Eyes> eyes;  // one per face with 68 landmarks
};

// EXIF facts used by the rules (from the decoder's metadata pass).
struct CaptureSettings {
  double iso = 0;         // 0 = unknown
  double exposure_s = 0;  // shutter time, seconds; 0 = unknown
  double f_number = 0;
  double focal_length_mm = 0;
};

// One dimension's part in an aggregate.
struct DimensionScore {
  std::string name;
  double raw = 0;           // the measure (after EXIF adjustment), in its own unit
  double score = 0;         // normalised 0..10
  double weight = 0;        // percent, the category's weights sum to 100
  double contribution = 0;  // score * weight / 100
};

struct Penalty {
  std::string name;   // noise, oversaturation, bimodality, compression, posterization, small, clipping, blink
  double points = 0;  // subtracted from the aggregate
  std::string text;
};

// The explained score of one image under one set of rules and one normalisation reference.
struct QualityScore {
  bool scored = false;
  double aggregate = 0;  // 0..10
  std::string category;  // portrait, group_portrait, ..., others
  std::vector<DimensionScore> dimensions;
  std::vector<Penalty> penalties;
  bool eyes_closed = false;
  std::string sentence;  // what drove the score, for people
};

// The scored dimensions, in display order.
const std::vector<std::string>& QualityDimensions();
// The categories in the order their rules are tried; "others" last.
const std::vector<std::string>& QualityCategories();
// Ok for no category ("": no filter) or a quality category; otherwise kInvalidArgument naming the value and the
// categories there are (a typo would otherwise list nothing, as if no photo had that category).
base::Status CheckQualityCategory(const std::string& category);

// The default weights of every category (each sums to 100).
std::map<std::string, std::map<std::string, double>> DefaultQualityWeights();

// Thresholds and weights from triage.json "quality" (defaults follow the seed's scoring configuration).
struct QualityRules {
  // thresholds
  double portrait_face_ratio_percent = 5;   // largest face above this share of the frame -> portrait
  double blink_penalty_percent = 50;        // aggregate multiplier (percent) when eyes are closed
  double night_luminance_threshold = 0.15;  // mean luminance below -> night
  double night_highlight_level = 0.7;       // ... when its 98th luma percentile reaches this (lights in the dark)
  double night_iso_threshold = 3200;        // ISO above -> night (low light)
  double long_exposure_shutter_s = 1.0;     // shutter above -> long_exposure
  double astro_shutter_s = 10.0;            // shutter above (and dark) -> astro
  int min_faces_for_group = 4;
  // Mean eye aspect ratio below -> eyes closed, unless the eyes look open (below). The scoring configuration this
  // follows uses 0.28 with another landmark model; dlib's 68 points rarely close the lids fully (closed eyes measure
  // 0.08-0.31, open ones 0.19-0.39 on the labelled set of bench/quality/blink_bench), so the defaults are tuned there.
  double blink_ear_threshold = 0.24;
  // Below blink_sure_ear_threshold the eyes are closed. Between it and blink_ear_threshold they are taken as open when
  // their contrast (QualityMetrics::Eyes) reaches blink_open_contrast (iris and sclera show, as in a squinting smile
  // that dlib's points draw narrow) or their edge ratio reaches blink_open_edge_ratio (an iris's sides against the
  // sclera). Tuned together on one half of the labelled set.
  double blink_sure_ear_threshold = 0.17;
  double blink_open_contrast = 0.26;
  double blink_open_edge_ratio = 0.45;
  double max_face_turn_deg = 35;             // faces turned further are not judged for blinks
  double macro_isolation = 60;               // isolation above (no face) -> macro
  double monochrome_saturation_percent = 5;  // mean saturation below -> monochrome
  // composition
  double power_point_weight = 2.0;
  double line_weight = 1.0;
  // exif adjustments
  bool iso_sharpness_compensation = true;
  bool aperture_isolation_boost = true;
  // exposure
  double shadow_clip_threshold_percent = 15;
  double highlight_clip_threshold_percent = 10;
  bool silhouette_detection = true;
  double clipping_penalty_per_percent = 0.05;  // points per percent beyond the threshold
  double clipping_max_penalty_points = 1.0;
  // penalties
  double noise_sigma_threshold = 4.0;
  double noise_max_penalty_points = 1.5;
  double noise_penalty_per_sigma = 0.3;
  double bimodality_threshold = 2.5;
  double bimodality_penalty_points = 0.5;
  double oversaturation_threshold = 0.9;
  double oversaturation_pixel_percent = 5;
  double oversaturation_penalty_points = 0.5;
  // A picture smaller than a full-HD screen (1920 x 1080) shows its pixels when viewed full screen: each halving
  // of the pixel count below it costs these points. The measures above are taken at one working size, where a
  // half-size copy can look cleaner than its original (blocks and noise averaged away): this is what it lost.
  double small_image_megapixels = 2.07;
  double small_image_points_per_halving = 0.25;
  double small_image_max_penalty_points = 1.5;
  // normalisation
  double percentile_target = 90;  // this percentile of the reference scores 10
  bool per_category = true;
  int category_min_samples = 50;
  // category -> dimension -> weight (percent); every category's weights sum to 100
  std::map<std::string, std::map<std::string, double>> weights = DefaultQualityWeights();
};

// What scores 10 in each dimension: the percentile_target-th percentile of the "goodness" of every stored image,
// overall and per category. Built by quality::BuildReference from stored metrics; when a category has fewer than
// category_min_samples images the overall value is used, and when even that is short, built-in anchors.
struct QualityReference {
  int samples = 0;
  int64_t items = 0;                      // the photos outside the trash there were when it was built, measured or not
  std::map<std::string, double> overall;  // dimension -> goodness scoring 10
  std::map<std::string, int> category_samples;
  std::map<std::string, std::map<std::string, double>> by_category;
};

}  // namespace triage::model
