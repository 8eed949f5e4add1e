// The rebuilt BlazeFace graph computes what OpenCV's ONNX importer computes on the model's own input size, takes
// other sizes, and refuses malformed or unsupported models with an error naming the fault.
#include "vision/onnx_conv_net.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>

namespace triage::vision {
namespace {

constexpr char kBackModel[] = "face_detection_back_256x256_barracuda.onnx";
constexpr char kFrontModel[] = "face_detection_front_128x128_barracuda.onnx";

std::vector<uint8_t> ModelBytes(const std::string& name = kBackModel) {
  const char* env = std::getenv("TRIAGE_MODEL_DIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm";
  std::ifstream in(dir + "/blazeface/ONNX/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// [1, h, w, c] as [1, c, h, w].
cv::Mat NchwOf(const cv::Mat& nhwc) {
  const int h = nhwc.size[1], w = nhwc.size[2], c = nhwc.size[3];
  cv::Mat nchw(std::vector<int>{1, c, h, w}, CV_32F);
  for (int k = 0; k < c; ++k) {
    for (int i = 0; i < h * w; ++i) nchw.ptr<float>()[k * h * w + i] = nhwc.ptr<float>()[i * c + k];
  }
  return nchw;
}

// An NCHW blob with zero rows and columns around each plane.
cv::Mat Padded(const cv::Mat& nchw, const InputPadding& pad) {
  const int n = nchw.size[0], c = nchw.size[1], h = nchw.size[2], w = nchw.size[3];
  const int ph = pad.top + h + pad.bottom, pw = pad.left + w + pad.right;
  cv::Mat out(std::vector<int>{n, c, ph, pw}, CV_32F, cv::Scalar(0));
  for (int plane = 0; plane < n * c; ++plane) {
    for (int y = 0; y < h; ++y) {
      const float* from = nchw.ptr<float>() + (static_cast<size_t>(plane) * h + y) * w;
      std::copy(from, from + w, out.ptr<float>() + (static_cast<size_t>(plane) * ph + pad.top + y) * pw + pad.left);
    }
  }
  return out;
}

struct ModelCase {
  const char* file;
  int input_px;                  // the exported graph's fixed input side
  int fine_cells, coarse_cells;  // its two output grids
};

class OnnxConvNetModelTest : public testing::TestWithParam<ModelCase> {};

// Both BlazeFace models: the back one's residual blocks widen their shortcut once, the front one's five times (zero
// channels added by the Eltwise layer rather than copied by a Padding layer), and both pad their stride-2
// convolutions at the bottom and right only.
TEST_P(OnnxConvNetModelTest, EqualsOpenCvsImporterOnTheModelsInputSize) {
  const ModelCase model = GetParam();
  const int px = model.input_px;
  const std::vector<uint8_t> bytes = ModelBytes(model.file);
  ASSERT_FALSE(bytes.empty());
  base::Result<OnnxGraph> graph = ParseOnnx(bytes);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  base::Result<std::shared_ptr<const OnnxConvNet>> built = OnnxConvNet::FromGraph(*graph);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_EQ((*built)->output_layers().size(), 4u);

  cv::dnn::Net reference = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const int nhwc_dims[] = {1, px, px, 3};
  cv::Mat nhwc(4, nhwc_dims, CV_32F);
  cv::RNG rng(7);
  rng.fill(nhwc, cv::RNG::UNIFORM, -1, 1);
  // Both first convolutions pad unevenly; the caller puts those zeros around the input.
  const InputPadding pad = (*built)->input_padding();
  EXPECT_EQ(pad.top, pad.left);
  EXPECT_EQ(pad.bottom, pad.top + 1);
  const cv::Mat nchw = Padded(NchwOf(nhwc), pad);
  std::vector<cv::Mat> expected, actual;
  reference.setInput(nhwc);
  reference.forward(expected, std::vector<cv::String>{"Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"});
  std::unique_ptr<cv::dnn::Net> net = (*built)->MakeNet();
  net->setInput(nchw);
  net->forward(actual, (*built)->output_layers());
  ASSERT_EQ(actual.size(), 4u);
  // The importer's outputs are NHWC rows [1, cells, values]; ours the NCHW maps of the same convolutions.
  const int expected_channels[] = {2, 6, 32, 96};
  const int expected_cells[] = {model.fine_cells, model.coarse_cells, model.fine_cells, model.coarse_cells};
  for (size_t k = 0; k < 4; ++k) {
    const cv::Mat& m = actual[k];
    ASSERT_EQ(m.dims, 4);
    const int channels = m.size[1], rows = m.size[2], cols = m.size[3];
    EXPECT_EQ(channels, expected_channels[k]);
    EXPECT_EQ(rows, expected_cells[k]);
    EXPECT_EQ(cols, expected_cells[k]);
    ASSERT_EQ(expected[k].total(), m.total());
    double worst = 0;
    for (int y = 0; y < rows; ++y) {
      for (int x = 0; x < cols; ++x) {
        for (int c = 0; c < channels; ++c) {
          const float ours = m.ptr<float>()[(c * rows + y) * cols + x];
          const float theirs = expected[k].ptr<float>()[(y * cols + x) * channels + c];
          worst = std::max(worst, static_cast<double>(std::abs(ours - theirs)));
        }
      }
    }
    EXPECT_LT(worst, 1e-4) << "output " << k;
  }

  // Any size that is a multiple of the coarsest cell, and a batch: the maps grow with the input.
  const int wide_dims[] = {2, 3, 320, 704};
  cv::Mat wide(4, wide_dims, CV_32F);
  rng.fill(wide, cv::RNG::UNIFORM, -1, 1);
  net->setInput(Padded(wide, pad));
  net->forward(actual, (*built)->output_layers());
  const int fine_px = px / model.fine_cells, coarse_px = px / model.coarse_cells;
  EXPECT_EQ(actual[0].size[0], 2);
  EXPECT_EQ(actual[0].size[2], 320 / fine_px);
  EXPECT_EQ(actual[0].size[3], 704 / fine_px);
  EXPECT_EQ(actual[3].size[2], 320 / coarse_px);
  EXPECT_EQ(actual[3].size[3], 704 / coarse_px);
}

INSTANTIATE_TEST_SUITE_P(BlazeFace, OnnxConvNetModelTest,
                         testing::Values(ModelCase{kBackModel, 256, 16, 8}, ModelCase{kFrontModel, 128, 16, 8}),
                         [](const testing::TestParamInfo<ModelCase>& info) {
                           return std::string(info.param.file == kBackModel ? "Back" : "Front");
                         });

TEST(OnnxConvNetTest, RefusesTruncatedOrForeignBytesNamingTheFault) {
  const std::vector<uint8_t> bytes = ModelBytes();
  ASSERT_GT(bytes.size(), 1000u);
  for (const size_t keep : {size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    base::Result<OnnxGraph> graph = ParseOnnx(std::vector<uint8_t>(bytes.begin(), bytes.begin() + keep));
    ASSERT_FALSE(graph.ok()) << keep;
    EXPECT_NE(graph.status().message().find("ONNX model"), std::string::npos) << graph.status().message();
  }
  const std::string jpeg = "\xff\xd8\xff\xe0 not a model";
  base::Result<OnnxGraph> foreign = ParseOnnx(std::vector<uint8_t>(jpeg.begin(), jpeg.end()));
  EXPECT_FALSE(foreign.ok());
  EXPECT_FALSE(ParseOnnx({}).ok());
}

TEST(OnnxConvNetTest, RefusesAnOperationItCannotBuildNamingIt) {
  base::Result<OnnxGraph> graph = ParseOnnx(ModelBytes());
  ASSERT_TRUE(graph.ok());
  OnnxGraph changed = *graph;
  changed.nodes[3].op = "Softmax";
  base::Result<std::shared_ptr<const OnnxConvNet>> built = OnnxConvNet::FromGraph(changed);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("Softmax"), std::string::npos) << built.status().message();
  EXPECT_NE(built.status().message().find("unsupported operation"), std::string::npos);
  changed = *graph;
  changed.outputs.push_back("nowhere:0");
  built = OnnxConvNet::FromGraph(changed);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("nowhere:0"), std::string::npos);
}

}  // namespace
}  // namespace triage::vision
