// Builds the embedding ResNet layer by layer with cv::dnn::Net::addLayer (Convolution, ReLU, Pooling, Padding,
// Eltwise), so that its convolutions run on OpenCV's packed, vectorised kernels instead of im2col + sgemm.
#include "vision/metric_net.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>

#include "vision/face_pool.h"

namespace triage::vision {
namespace {

// HWIO [k*k*cin, cout] -> OIHW, the layout OpenCV's Convolution layer takes.
cv::Mat ToOihw(const ConvWeights& conv) {
  const int dims[] = {conv.cout, conv.cin, conv.kernel, conv.kernel};
  cv::Mat oihw(4, dims, CV_32F);
  float* dst = oihw.ptr<float>();
  for (int o = 0; o < conv.cout; ++o) {
    for (int i = 0; i < conv.cin; ++i) {
      for (int y = 0; y < conv.kernel; ++y) {
        for (int x = 0; x < conv.kernel; ++x) {
          *dst++ = conv.filters[((static_cast<size_t>(y) * conv.kernel + x) * conv.cin + i) * conv.cout + o];
        }
      }
    }
  }
  return oihw;
}

base::Status CheckConv(const ConvWeights& conv, int cin, const std::string& name) {
  const size_t filter_size = static_cast<size_t>(conv.kernel) * conv.kernel * conv.cin * conv.cout;
  if (conv.kernel <= 0 || conv.cout <= 0 || conv.cin != cin || conv.filters.size() != filter_size ||
      conv.bias.size() != static_cast<size_t>(conv.cout)) {
    return base::Status::InvalidArgument("metric net: " + name + " has " + std::to_string(conv.cin) +
                                         " input channels where " + std::to_string(cin) +
                                         " arrive, or filters/bias of the wrong size");
  }
  // TF SAME is symmetric only for odd kernels at stride 1 (the only SAME convolutions of this network).
  if (conv.same && (conv.stride != 1 || conv.kernel % 2 == 0)) {
    return base::Status::InvalidArgument("metric net: " + name + " asks for SAME padding at stride " +
                                         std::to_string(conv.stride) + " with kernel " + std::to_string(conv.kernel));
  }
  return base::Status::Ok();
}

base::Status CheckWeights(const MetricNetWeights& weights) {
  if (weights.chip_px <= 0 || weights.input_divisor == 0) {
    return base::Status::InvalidArgument("metric net: chip size and input divisor must be positive");
  }
  if (base::Status s = CheckConv(weights.stem, 3, "stem"); !s.ok()) return s;
  int channels = weights.stem.cout;
  for (size_t b = 0; b < weights.blocks.size(); ++b) {
    const ResidualBlockWeights& block = weights.blocks[b];
    const std::string name = "block " + std::to_string(b);
    if (base::Status s = CheckConv(block.conv1, channels, name + " conv1"); !s.ok()) return s;
    if (base::Status s = CheckConv(block.conv2, block.conv1.cout, name + " conv2"); !s.ok()) return s;
    if (block.conv2.cout < channels || (!block.down && block.conv2.cout != channels)) {
      return base::Status::InvalidArgument("metric net: " + name + " cannot add its input to its branch");
    }
    channels = block.conv2.cout;
  }
  if (weights.embedding_size <= 0 || weights.fc.size() != static_cast<size_t>(channels) * weights.embedding_size) {
    return base::Status::InvalidArgument("metric net: fc must be [" + std::to_string(channels) + ", " +
                                         std::to_string(weights.embedding_size) + "]");
  }
  return base::Status::Ok();
}

// Adds named layers to a net and wires them to their inputs (layer 0 is the network input).
class GraphBuilder {
 public:
  GraphBuilder() { net_.setInputsNames({"chip"}); }

  int Add(const std::string& type, cv::dnn::LayerParams params, std::initializer_list<int> inputs) {
    const std::string name = type + "_" + std::to_string(count_++);
    params.name = name;
    params.type = type;
    const int id = net_.addLayer(name, type, params);
    int slot = 0;
    for (int input : inputs) net_.connect(input, 0, id, slot++);
    return id;
  }

  int Conv(const cv::Mat& filters, const cv::Mat& bias, const ConvWeights& conv, int input) {
    cv::dnn::LayerParams p;
    p.set("kernel_size", conv.kernel);
    p.set("stride", conv.stride);
    p.set("pad", conv.same ? conv.kernel / 2 : 0);
    p.set("num_output", conv.cout);
    p.set("bias_term", true);
    p.blobs = {filters, bias};
    return Add("Convolution", p, {input});
  }

  int Relu(int input) { return Add("ReLU", {}, {input}); }

  // size x size windows at stride 2, no padding, floor rounding (TF VALID).
  int Pool(const char* kind, int size, int input) {
    cv::dnn::LayerParams p;
    p.set("pool", kind);
    p.set("kernel_size", size);
    p.set("stride", 2);
    p.set("ceil_mode", false);
    return Add("Pooling", p, {input});
  }

  // Zeros after the data along each NCHW axis.
  int PadAfter(int channels, int rows, int cols, int input) {
    const int paddings[] = {0, 0, 0, channels, 0, rows, 0, cols};
    cv::dnn::LayerParams p;
    p.set("paddings", cv::dnn::DictValue::arrayInt(paddings, 8));
    return Add("Padding", p, {input});
  }

  int Sum(int a, int b) {
    cv::dnn::LayerParams p;
    p.set("operation", "sum");
    return Add("Eltwise", p, {a, b});
  }

  cv::dnn::Net Finish() { return net_; }

 private:
  cv::dnn::Net net_;
  int count_ = 0;
};

}  // namespace

struct MetricNetGraph::Impl {
  MetricNetWeights shape;      // filters and bias left empty: they live in `blobs`
  std::vector<cv::Mat> blobs;  // filters, bias of each convolution in graph order (shared by every net)
  std::unique_ptr<WorkerPool<cv::dnn::Net>> nets;

  // Output side of a convolution on a side-`in` input.
  static int ConvSide(const ConvWeights& conv, int in) { return conv.same ? in : (in - conv.kernel) / conv.stride + 1; }

  // A new network instance over the shared blobs; may throw cv::Exception.
  cv::dnn::Net MakeNet() const {
    GraphBuilder g;
    size_t blob = 0;
    const auto conv = [&](const ConvWeights& c, int input) {
      const int id = g.Conv(blobs[blob], blobs[blob + 1], c, input);
      blob += 2;
      return id;
    };
    int x = g.Pool("max", 3, g.Relu(conv(shape.stem, 0)));
    int side = (ConvSide(shape.stem, shape.chip_px) - 3) / 2 + 1;
    int channels = shape.stem.cout;
    for (const ResidualBlockWeights& block : shape.blocks) {
      int branch = conv(block.conv2, g.Relu(conv(block.conv1, x)));
      int shortcut = x;
      if (block.down) {
        shortcut = g.Pool("ave", 2, x);
        const int pooled = (side - 2) / 2 + 1;
        const int branch_side = ConvSide(block.conv2, ConvSide(block.conv1, side));
        if (block.conv2.cout > channels) shortcut = g.PadAfter(block.conv2.cout - channels, 0, 0, shortcut);
        if (branch_side < pooled) branch = g.PadAfter(0, pooled - branch_side, pooled - branch_side, branch);
        side = pooled;
      }
      x = g.Relu(g.Sum(branch, shortcut));
      channels = block.conv2.cout;
    }
    cv::dnn::Net net = g.Finish();
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
  }

  int FinalSide() const {
    int side = (ConvSide(shape.stem, shape.chip_px) - 3) / 2 + 1;
    for (const ResidualBlockWeights& block : shape.blocks) {
      if (block.down) side = (side - 2) / 2 + 1;
    }
    return side;
  }
};

MetricNetGraph::MetricNetGraph(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricNetGraph::~MetricNetGraph() = default;

base::Result<std::unique_ptr<MetricNetGraph>> MetricNetGraph::Build(const MetricNetWeights& weights) {
  if (base::Status s = CheckWeights(weights); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  const auto keep = [&impl](const ConvWeights& conv) {
    impl->blobs.push_back(ToOihw(conv));
    impl->blobs.push_back(cv::Mat(1, conv.cout, CV_32F, const_cast<float*>(conv.bias.data())).clone());
    ConvWeights shape = conv;
    shape.filters.clear();
    shape.bias.clear();
    return shape;
  };
  impl->shape = MetricNetWeights{weights.chip_px, weights.mean_rgb,      weights.input_divisor, keep(weights.stem), {},
                                 weights.fc,      weights.embedding_size};
  for (const ResidualBlockWeights& block : weights.blocks) {
    ConvWeights conv1 = keep(block.conv1);
    impl->shape.blocks.push_back({std::move(conv1), keep(block.conv2), block.down});
  }
  if (impl->FinalSide() <= 0) return base::Status::InvalidArgument("metric net: the chip is too small for the network");
  const Impl* graph = impl.get();
  impl->nets =
      std::make_unique<WorkerPool<cv::dnn::Net>>([graph] { return std::make_unique<cv::dnn::Net>(graph->MakeNet()); });
  try {
    impl->nets->Return(std::make_unique<cv::dnn::Net>(impl->MakeNet()));
  } catch (const cv::Exception& e) {
    return base::Status::Corrupt(std::string("metric net: OpenCV refused the graph: ") + e.what());
  }
  return std::unique_ptr<MetricNetGraph>(new MetricNetGraph(std::move(impl)));
}

base::Result<std::vector<float>> MetricNetGraph::Embed(const model::RgbImage& chip) const {
  const MetricNetWeights& shape = impl_->shape;
  const int px = shape.chip_px;
  const size_t plane = static_cast<size_t>(px) * px;
  if (chip.width != px || chip.height != px || chip.pixels.size() != plane * 3) {
    return base::Status::InvalidArgument("embedding needs a " + std::to_string(px) + "x" + std::to_string(px) +
                                         " RGB chip, got " + std::to_string(chip.width) + "x" +
                                         std::to_string(chip.height));
  }
  const int dims[] = {1, 3, px, px};
  cv::Mat input(4, dims, CV_32F);
  float* dst = input.ptr<float>();
  for (size_t i = 0; i < plane; ++i) {
    for (int c = 0; c < 3; ++c) dst[c * plane + i] = (chip.pixels[i * 3 + c] - shape.mean_rgb[c]) / shape.input_divisor;
  }
  cv::Mat output;
  try {
    auto net = impl_->nets->Borrow();
    if (!net) return base::Status::Corrupt("metric net: could not build a network instance");
    net->setInput(input);
    output = net->forward().clone();
  } catch (const cv::Exception& e) {
    return base::Status::Corrupt(std::string("metric net forward: ") + e.what());
  }
  // Mean over the last map, then the fully connected layer.
  const int channels = output.size[1];
  const int pixels = output.size[2] * output.size[3];
  const float* map = output.ptr<float>();
  std::vector<float> embedding(shape.embedding_size, 0.0f);
  for (int c = 0; c < channels; ++c) {
    float mean = 0;
    for (int p = 0; p < pixels; ++p) mean += map[c * pixels + p];
    mean /= static_cast<float>(pixels);
    const float* row = shape.fc.data() + static_cast<size_t>(c) * shape.embedding_size;
    for (int e = 0; e < shape.embedding_size; ++e) embedding[e] += mean * row[e];
  }
  return embedding;
}

}  // namespace triage::vision
