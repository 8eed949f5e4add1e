// Verifying near-duplicate candidates: perceptual hashes only propose them; this check decides, from a small picture
// of each image stored with its item (never decoding an original again).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/image.h"

namespace triage::vision {

// The stored picture: a 64x64 grey raster of the whole image (aspect ignored), a 16x16 colour raster and the
// raster's aspect ratio; kSignatureBytes bytes with a leading format version.
inline constexpr size_t kSignatureBytes = 1 + 4 + 64 * 64 + 16 * 16 * 3;

// Makes the signature of decoded pixels (any size from 64 px up; the analyse stage's raster). Empty for an empty
// image. Pure, thread-safe.
std::vector<uint8_t> MakeSignature(const model::RgbImage& image);

// What intake stores to find an image's duplicates: the pHash of the whole image and of its central
// `center_fraction`, and the signature. A raster larger than kFingerprintSidePx is area-averaged to that side once
// and all three are taken from the copy (each alone would convert and shrink the whole raster again); hashes of the
// copy are those of a raster decoded at that size, as intake decodes when it needs no more. Pure, thread-safe.
inline constexpr int kFingerprintSidePx = 256;
struct ImageFingerprint {
  uint64_t phash = 0;
  uint64_t phash_center = 0;
  std::vector<uint8_t> signature;
};
ImageFingerprint FingerprintOf(const model::RgbImage& image, double center_fraction);

struct NearDuplicateCheckOptions {
  // Largest scale change accepted between the two pictures, either way, when neither is turned (a 5% crop is 1.053,
  // half size is 1; a window of 92% of the picture per side, 1.087, is another framing of the scene: a different
  // picture). Measured scales of crops of up to 6% a side reached 1.072 on real photos, those of 92% windows 1.081.
  double max_crop_scale = 1.075;
  // A turned copy is zoomed to fill its frame, or its canvas grows to hold it: the scale it may show grows with the
  // rotation, by this share per degree (a 2.4 degree turn of a 3:2 photo zooms it by 6%; on the 64 px square raster it
  // measures 3.7 degrees and 1.065-1.092), up to max_scale.
  double rotation_zoom_per_degree = 0.025;
  // Largest scale change accepted whatever the rotation, and largest change of aspect ratio.
  double max_scale = 1.15;
  // Largest rotation accepted, in degrees.
  double max_rotation_deg = 6;
  // Largest shift of the centre, as a fraction of the side.
  double max_shift = 0.1;
  // Smallest share of one picture the other must cover once aligned.
  double min_overlap = 0.7;
  // Smallest normalized cross-correlation of the aligned grey rasters.
  double min_correlation = 0.9;
  // Residual allowed after alignment and a gain/offset fit, in grey levels (0..255): base + per_gradient times the
  // mean gradient magnitude of the picture (levels per pixel at 64 px). Resampling errors grow with detail; two smooth
  // pictures (skies, gradients) that differ at all leave a residual above the small base.
  double max_residual_base = 0.6;
  double max_residual_per_gradient = 0.55;
  // Largest contrast of one picture to the other (the gain of the grey fit, either way): a brightness change of 10%
  // is 1.1 (true pairs of three duplicate benchmarks reached 1.25); a version darkened by two stops into a night
  // scene, 4.5, is an edit of the photo, another picture.
  double max_gain = 1.5;
  // Largest mean difference of chromaticity (r, g, b shares of each pixel's sum, summed over the three) between the
  // aligned colour rasters: recoloured and sepia-toned versions differ far more than a brightness change.
  double max_chroma_difference = 0.02;
  // Largest RMS difference, in grey levels, between the aligned colour rasters' departures from grey (each channel
  // less the mean of the channels compared), once the candidate's are scaled by the grey fit's gain. A brightness
  // change scales them as it scales the grey; another sky, a sepia or a recoloured version does not, even where
  // their shares of each channel are close (a brightened sky, its blue clipped). On three duplicate benchmarks
  // (9,500 true pairs) true pairs stayed within 4.9 and look-alike gradients reached 5 to 48, except where ECC had
  // misaligned the pair (a thin pole across a blue sky, rotated: 5.3 to 6.2, lost); at 6.5 more gradients pass.
  double max_colour_residual = 5;
};

// What the check measured and concluded; `reason` names the failed test ("" when same).
struct NearDuplicateVerdict {
  bool same = false;
  std::string reason;  // "signature", "aspect", "alignment", "geometry", "overlap", "correlation", "residual",
                       // "brightness", "colour", "mirrored"
  double start_correlation = 0;  // best correlation before alignment (as is, or zoomed by a 5% crop)
  double correlation = 0;        // of the aligned grey rasters
  double residual = 0;           // grey levels after the gain/offset fit
  double allowed_residual = 0;
  double chroma_difference = 0;
  double colour_residual = 0;  // as max_colour_residual
  double gain = 1;             // of the grey fit, query ~ gain * candidate + offset (the contrast of one to the other)
  double scale = 1, rotation_deg = 0, shift = 0, overlap = 0;
  bool aligned = false;  // the pictures were aligned (the tests before that, aspect and colours as they stand, passed)

  // Whether the check found the candidate to be another picture, rather than only failing to confirm it as this one:
  // aligned as closely as a near duplicate (correlation and residual within `options`) but scaled, turned or shifted
  // beyond one (another framing of the scene), or colours apart as the pictures stand. A residual, a correlation or an
  // alignment that falls short is no such finding (low-texture copies fall short that way).
  bool ShowsAnotherPicture(const NearDuplicateCheckOptions& options = {}) const;
};

// Decides whether `candidate` shows the same picture as `query` (re-encoded, resized, cropped by a few percent,
// rotated by a few degrees, brightened), and not another framing, a mirror image or a recoloured version of it.
// Signatures from MakeSignature; a malformed one is "not the same" (reason "signature"). Pure, thread-safe; about a
// millisecond. To check one image against several candidates, NearDuplicateQuery does the query's share once.
NearDuplicateVerdict CheckNearDuplicate(const std::vector<uint8_t>& query, const std::vector<uint8_t>& candidate,
                                        const NearDuplicateCheckOptions& options = {});

// One image's signature made ready to be checked against many candidates: parsed once, with what the check derives
// from the query's side alone (its smoothed rasters, mean gradient and allowed residual, unclipped pixels) computed
// once instead of for every candidate. Check(candidate) returns exactly what CheckNearDuplicate(signature, candidate,
// options) returns, every field of the verdict included. Immutable once made: Check is thread-safe.
class NearDuplicateQuery {
 public:
  // A malformed signature makes a query whose every check says "signature".
  explicit NearDuplicateQuery(const std::vector<uint8_t>& signature, const NearDuplicateCheckOptions& options = {});
  ~NearDuplicateQuery();
  NearDuplicateQuery(NearDuplicateQuery&&) noexcept;
  NearDuplicateQuery& operator=(NearDuplicateQuery&&) noexcept;
  NearDuplicateQuery(const NearDuplicateQuery&) = delete;
  NearDuplicateQuery& operator=(const NearDuplicateQuery&) = delete;

  NearDuplicateVerdict Check(const std::vector<uint8_t>& candidate) const;

  struct Prepared;  // defined in the .cc (OpenCV types)

 private:
  std::unique_ptr<const Prepared> prepared_;  // null for a malformed signature
  NearDuplicateCheckOptions options_;
};

}  // namespace triage::vision
