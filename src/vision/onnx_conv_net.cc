// ONNX protobuf reading (the few messages a convolutional graph needs) and the graph rebuilt layer by layer with
// cv::dnn::Net::addLayer.
#include "vision/onnx_conv_net.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>

#include "vision/fused_layers.h"

namespace triage::vision {
namespace {

// Field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
constexpr int kModelGraph = 7;
constexpr int kGraphNode = 1, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12;
constexpr int kNodeInput = 1, kNodeOutput = 2, kNodeOpType = 4, kNodeAttribute = 5;
constexpr int kAttrName = 1, kAttrInt = 3, kAttrInts = 8;
constexpr int kTensorDims = 1, kTensorDataType = 2, kTensorFloatData = 4, kTensorInt64Data = 7, kTensorName = 8,
              kTensorRawData = 9;
constexpr int kValueInfoName = 1;
constexpr int kFloat = 1, kInt64 = 7;  // TensorProto.DataType

enum class WireType { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

struct Field {
  int number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;     // varint fields
  std::string_view data;  // length-delimited fields
};

// Reads one protobuf message's fields in order. A malformed encoding stops the reader and sets `error`.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool Next(Field* field) {
    if (pos_ >= data_.size() || !error_.empty()) return false;
    uint64_t key = 0;
    if (!Varint(&key)) return false;
    field->number = static_cast<int>(key >> 3);
    field->type = static_cast<WireType>(key & 7);
    field->data = {};
    switch (field->type) {
      case WireType::kVarint:
        return Varint(&field->value);
      case WireType::kFixed64:
        return Skip(8);
      case WireType::kFixed32:
        return Skip(4);
      case WireType::kBytes: {
        uint64_t length = 0;
        if (!Varint(&length)) return false;
        if (length > data_.size() - pos_) return Fail("a field runs past the end of its message");
        field->data = data_.substr(pos_, length);
        pos_ += length;
        return true;
      }
    }
    return Fail("unknown wire type " + std::to_string(key & 7));
  }

  // Varints packed in a length-delimited field (a repeated integer field).
  bool Packed(std::string_view data, std::vector<int64_t>* out) {
    WireReader inner(data);
    while (inner.pos_ < data.size()) {
      uint64_t v = 0;
      if (!inner.Varint(&v)) return Fail(inner.error_);
      out->push_back(static_cast<int64_t>(v));
    }
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool Varint(uint64_t* out) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Fail("the data ends inside a number");
      const auto byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) {
        *out = value;
        return true;
      }
    }
    return Fail("a number longer than 10 bytes");
  }
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return Fail("a fixed-size field runs past the end");
    pos_ += n;
    return true;
  }
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

// Appends an integer field's value(s): a single varint or a packed run.
bool AppendInts(WireReader& reader, const Field& f, std::vector<int64_t>* out) {
  if (f.type == WireType::kVarint) {
    out->push_back(static_cast<int64_t>(f.value));
    return true;
  }
  return f.type == WireType::kBytes && reader.Packed(f.data, out);
}

base::Status ParseNode(std::string_view data, OnnxNode* node) {
  WireReader r(data);
  Field f;
  while (r.Next(&f)) {
    if (f.type != WireType::kBytes) continue;
    if (f.number == kNodeInput) node->inputs.emplace_back(f.data);
    if (f.number == kNodeOutput) node->outputs.emplace_back(f.data);
    if (f.number == kNodeOpType) node->op = std::string(f.data);
    if (f.number == kNodeAttribute) {
      WireReader a(f.data);
      Field g;
      std::string name;
      std::vector<int64_t> values;
      while (a.Next(&g)) {
        if (g.number == kAttrName && g.type == WireType::kBytes) name = std::string(g.data);
        if ((g.number == kAttrInt || g.number == kAttrInts) && !AppendInts(a, g, &values)) break;
      }
      if (!a.error().empty()) return base::Status::Corrupt("ONNX model: attribute " + name + ": " + a.error());
      if (!values.empty()) node->ints[name] = std::move(values);
    }
  }
  if (!r.error().empty()) return base::Status::Corrupt("ONNX model: node " + node->op + ": " + r.error());
  return base::Status::Ok();
}

base::Status ParseTensor(std::string_view data, OnnxGraph* graph) {
  WireReader r(data);
  Field f;
  std::vector<int64_t> dims, int64_data, float_bits;
  int type = 0;
  std::string name;
  std::string_view raw, packed_floats;
  while (r.Next(&f)) {
    if (f.number == kTensorDims && !AppendInts(r, f, &dims)) break;
    if (f.number == kTensorDataType && f.type == WireType::kVarint) type = static_cast<int>(f.value);
    if (f.number == kTensorName && f.type == WireType::kBytes) name = std::string(f.data);
    if (f.number == kTensorRawData && f.type == WireType::kBytes) raw = f.data;
    if (f.number == kTensorFloatData && f.type == WireType::kBytes) packed_floats = f.data;
    if (f.number == kTensorInt64Data && !AppendInts(r, f, &int64_data)) break;
  }
  if (!r.error().empty()) return base::Status::Corrupt("ONNX model: tensor " + name + ": " + r.error());
  size_t count = 1;
  for (int64_t d : dims) {
    if (d < 0 || d > (1 << 24) || count * static_cast<size_t>(std::max<int64_t>(d, 1)) > (size_t{1} << 28)) {
      return base::Status::Corrupt("ONNX model: tensor " + name + " has an impossible shape");
    }
    count *= static_cast<size_t>(d);
  }
  if (type == kFloat) {
    const std::string_view bytes = raw.empty() ? packed_floats : raw;
    if (bytes.size() != count * sizeof(float)) {
      return base::Status::Corrupt("ONNX model: tensor " + name + " holds " + std::to_string(bytes.size()) +
                                   " bytes for " + std::to_string(count) + " floats");
    }
    std::vector<int> shape(dims.begin(), dims.end());
    if (shape.empty()) shape = {1};
    cv::Mat m(static_cast<int>(shape.size()), shape.data(), CV_32F);
    if (count > 0) std::memcpy(m.ptr<float>(), bytes.data(), bytes.size());
    graph->weights[name] = m;
  } else if (type == kInt64) {
    if (!raw.empty()) {
      if (raw.size() != count * sizeof(int64_t)) {
        return base::Status::Corrupt("ONNX model: tensor " + name + " holds the wrong number of int64 bytes");
      }
      int64_data.resize(count);
      std::memcpy(int64_data.data(), raw.data(), raw.size());
    }
    graph->int_values[name] = std::move(int64_data);
  }
  return base::Status::Ok();
}

std::string ValueInfoName(std::string_view data) {
  WireReader r(data);
  Field f;
  while (r.Next(&f)) {
    if (f.number == kValueInfoName && f.type == WireType::kBytes) return std::string(f.data);
  }
  return {};
}

// One int attribute of a node, or `fallback` when absent.
std::vector<int64_t> Ints(const OnnxNode& node, const std::string& name, std::vector<int64_t> fallback) {
  auto it = node.ints.find(name);
  return it == node.ints.end() ? fallback : it->second;
}

}  // namespace

base::Result<OnnxGraph> ParseOnnx(const std::vector<uint8_t>& bytes) {
  const std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  WireReader model(data);
  Field f;
  std::string_view graph_data;
  bool has_graph = false;
  while (model.Next(&f)) {
    if (f.number == kModelGraph && f.type == WireType::kBytes) {
      graph_data = f.data;
      has_graph = true;
    }
  }
  if (!model.error().empty()) return base::Status::Corrupt("ONNX model: " + model.error());
  if (!has_graph) return base::Status::Corrupt("ONNX model: no graph");
  OnnxGraph graph;
  WireReader r(graph_data);
  while (r.Next(&f)) {
    if (f.type != WireType::kBytes) continue;
    if (f.number == kGraphNode) {
      OnnxNode node;
      TRIAGE_RETURN_IF_ERROR(ParseNode(f.data, &node));
      graph.nodes.push_back(std::move(node));
    } else if (f.number == kGraphInitializer) {
      TRIAGE_RETURN_IF_ERROR(ParseTensor(f.data, &graph));
    } else if (f.number == kGraphInput) {
      graph.inputs.push_back(ValueInfoName(f.data));
    } else if (f.number == kGraphOutput) {
      graph.outputs.push_back(ValueInfoName(f.data));
    }
  }
  if (!r.error().empty()) return base::Status::Corrupt("ONNX model: graph: " + r.error());
  if (graph.nodes.empty() || graph.outputs.empty()) return base::Status::Corrupt("ONNX model: an empty graph");
  return graph;
}

base::Result<std::shared_ptr<const OnnxConvNet>> OnnxConvNet::FromGraph(const OnnxGraph& graph) {
  return Build(graph, /*pad_input_outside=*/true);
}

base::Result<std::shared_ptr<const OnnxConvNet>> OnnxConvNet::Build(const OnnxGraph& graph, bool pad_input_outside) {
  auto net = std::shared_ptr<OnnxConvNet>(new OnnxConvNet());
  int input_consumers = 0;                  // layers that read the network input
  std::map<std::string, int> layer_of;      // tensor name -> layer id (0: the network input)
  std::map<std::string, int64_t> zeros_of;  // ConstantOfShape output -> channels of zeros it adds
  std::string data_input;
  for (const std::string& in : graph.inputs) {
    if (!graph.weights.contains(in) && !graph.int_values.contains(in)) data_input = in;
  }
  if (data_input.empty()) return base::Status::InvalidArgument("ONNX model: no data input");
  layer_of[data_input] = 0;
  const auto bad = [](const OnnxNode& node, const std::string& why) {
    return base::Status::InvalidArgument("ONNX model: " + node.op + " node " +
                                         (node.outputs.empty() ? std::string() : node.outputs[0]) + ": " + why);
  };
  const auto add = [&](std::string type, cv::dnn::LayerParams params, std::vector<int> inputs) {
    const int id = static_cast<int>(net->layers_.size()) + 1;
    input_consumers += static_cast<int>(std::count(inputs.begin(), inputs.end(), 0));
    params.name = type + "_" + std::to_string(id);
    params.type = type;
    net->layers_.push_back({std::move(type), std::move(params), std::move(inputs)});
    return id;
  };
  const auto padding = [&](const int(&pads)[8], int input) {
    cv::dnn::LayerParams p;
    p.set("paddings", cv::dnn::DictValue::arrayInt(pads, 8));
    return add("Padding", p, {input});
  };
  // Zero channels appended to a map (BlazeFace widens its residual path so) are not copied when the widened map
  // only feeds an Add: the Eltwise layer adds the narrower map to the first channels of the wider one. A pending
  // widening has an id above every layer's; any other consumer gets a Padding layer, made once.
  constexpr int kFirstPendingId = 1 << 24;
  struct Widening {
    int source = 0;
    int channels = 0;
    int layer = -1;  // the Padding layer once made
  };
  std::map<int, Widening> widening_of;
  // A 1x1 convolution whose result only feeds an Add that only feeds a Relu (BlazeFace's residual blocks) becomes,
  // with them, one layer of triage's own (fused_layers.h). Pending until the Add; any other consumer gets the plain
  // Convolution layer.
  constexpr int kFirstPointwiseId = 2 << 24;
  struct Pointwise {
    int source = 0;
    cv::dnn::LayerParams params;  // the Convolution layer's, weights included
    int layer = -1;               // the Convolution layer once made
  };
  std::map<int, Pointwise> pointwise_of;
  std::set<int> with_relu;                                      // fused layers that clip at zero themselves
  std::map<std::string, std::vector<const OnnxNode*>> readers;  // the nodes that read each tensor
  for (const OnnxNode& node : graph.nodes) {
    for (const std::string& name : node.inputs) readers[name].push_back(&node);
  }
  for (const std::string& name : graph.outputs) readers[name].push_back(nullptr);
  const auto only_reader = [&](const std::string& tensor) -> const OnnxNode* {
    auto it = readers.find(tensor);
    return it != readers.end() && it->second.size() == 1 ? it->second[0] : nullptr;
  };
  const auto materialize = [&](int id) {
    if (auto pw = pointwise_of.find(id); pw != pointwise_of.end()) {
      if (pw->second.layer < 0) pw->second.layer = add("Convolution", pw->second.params, {pw->second.source});
      return pw->second.layer;
    }
    auto it = widening_of.find(id);
    if (it == widening_of.end()) return id;
    if (it->second.layer < 0) {
      const int channels[8] = {0, 0, 0, it->second.channels, 0, 0, 0, 0};
      it->second.layer = padding(channels, it->second.source);
    }
    return it->second.layer;
  };
  for (const OnnxNode& node : graph.nodes) {
    if (node.outputs.size() != 1) return bad(node, "expected one output");
    std::vector<int> in;  // layers of the inputs that are not weights
    for (const std::string& name : node.inputs) {
      if (auto it = layer_of.find(name); it != layer_of.end()) in.push_back(it->second);
    }
    const std::string& out = node.outputs[0];
    if (node.op == "Transpose" || node.op == "Reshape") {
      // Layout changes at the graph's ends only: into NCHW after the input, into NHWC rows before the outputs.
      if (in.size() != 1) return bad(node, "expected one data input");
      layer_of[out] = in[0];
    } else if (node.op == "Conv") {
      if (in.size() != 1 || node.inputs.size() < 2 || !graph.weights.contains(node.inputs[1])) {
        return bad(node, "expected a data input and a weight tensor");
      }
      const cv::Mat& w = graph.weights.at(node.inputs[1]);
      if (w.dims != 4) return bad(node, "expected 4-d weights");
      const std::vector<int64_t> kernel = Ints(node, "kernel_shape", {w.size[2], w.size[3]});
      const std::vector<int64_t> strides = Ints(node, "strides", {1, 1});
      const std::vector<int64_t> pads = Ints(node, "pads", {0, 0, 0, 0});
      const std::vector<int64_t> dilations = Ints(node, "dilations", {1, 1});
      const int group = static_cast<int>(Ints(node, "group", {1})[0]);
      if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4 || dilations != std::vector<int64_t>{1, 1} ||
          group < 1 || kernel[0] != w.size[2] || kernel[1] != w.size[3]) {
        return bad(node, "unsupported kernel, stride, padding or dilation");
      }
      cv::dnn::LayerParams p;
      p.set("kernel_h", static_cast<int>(kernel[0]));
      p.set("kernel_w", static_cast<int>(kernel[1]));
      p.set("stride_h", static_cast<int>(strides[0]));
      p.set("stride_w", static_cast<int>(strides[1]));
      p.set("num_output", w.size[0]);
      p.set("group", group);
      p.set("bias_term", true);
      cv::Mat bias(1, w.size[0], CV_32F, cv::Scalar(0));
      if (node.inputs.size() > 2) {
        auto b = graph.weights.find(node.inputs[2]);
        if (b == graph.weights.end() || b->second.total() != static_cast<size_t>(w.size[0])) {
          return bad(node, "bias does not match the filters");
        }
        std::memcpy(bias.ptr<float>(), b->second.ptr<float>(), bias.total() * sizeof(float));
      }
      p.blobs = {w, bias};
      int source = materialize(in[0]);
      // ONNX pads are [top, left, bottom, right]; OpenCV's convolution takes symmetric padding only.
      if (pads[0] == pads[2] && pads[1] == pads[3]) {
        p.set("pad_h", static_cast<int>(pads[0]));
        p.set("pad_w", static_cast<int>(pads[1]));
      } else if (group > 1 && group == w.size[0] && w.size[1] == 1 && kernel[0] == kernel[1] &&
                 strides[0] == strides[1]) {
        // A depthwise convolution padded unevenly: a layer of triage's own that pads as it reads (fused_layers.h).
        cv::dnn::LayerParams d;
        d.set("kernel_size", static_cast<int>(kernel[0]));
        d.set("stride", static_cast<int>(strides[0]));
        d.set("pad_t", static_cast<int>(pads[0]));
        d.set("pad_l", static_cast<int>(pads[1]));
        d.set("pad_b", static_cast<int>(pads[2]));
        d.set("pad_r", static_cast<int>(pads[3]));
        d.blobs = p.blobs;
        layer_of[out] = add(internal::kDepthwiseLayer, d, {source});
        continue;
      } else if (source == 0 && pad_input_outside) {
        net->input_padding_ = {static_cast<int>(pads[0]), static_cast<int>(pads[1]), static_cast<int>(pads[2]),
                               static_cast<int>(pads[3])};
      } else {
        const int spatial[8] = {0,
                                0,
                                0,
                                0,
                                static_cast<int>(pads[0]),
                                static_cast<int>(pads[2]),
                                static_cast<int>(pads[1]),
                                static_cast<int>(pads[3])};
        source = padding(spatial, source);
      }
      const OnnxNode* sum = only_reader(out);
      const OnnxNode* clip = sum != nullptr && sum->op == "Add" ? only_reader(sum->outputs[0]) : nullptr;
      if (kernel == std::vector<int64_t>{1, 1} && strides == std::vector<int64_t>{1, 1} &&
          pads == std::vector<int64_t>{0, 0, 0, 0} && group == 1 && clip != nullptr && clip->op == "Relu") {
        const int id = kFirstPointwiseId + static_cast<int>(pointwise_of.size());
        pointwise_of[id] = {source, p};
        layer_of[out] = id;
        continue;
      }
      layer_of[out] = add("Convolution", p, {source});
    } else if (node.op == "Relu") {
      if (in.size() != 1) return bad(node, "expected one data input");
      layer_of[out] = with_relu.contains(in[0]) ? in[0] : add("ReLU", {}, {materialize(in[0])});
    } else if (node.op == "Add") {
      if (in.size() != 2) return bad(node, "expected two data inputs");
      cv::dnn::LayerParams p;
      p.set("operation", "sum");
      const bool widened0 = widening_of.contains(in[0]), widened1 = widening_of.contains(in[1]);
      const bool pointwise0 = pointwise_of.contains(in[0]), pointwise1 = pointwise_of.contains(in[1]);
      if (pointwise0 != pointwise1) {
        const Pointwise& conv = pointwise_of.at(pointwise0 ? in[0] : in[1]);
        const int other = pointwise0 ? in[1] : in[0];
        const int residual = widening_of.contains(other) ? widening_of.at(other).source : materialize(other);
        cv::dnn::LayerParams fused;
        fused.blobs = conv.params.blobs;
        const int id = add(internal::kPointwiseAddReluLayer, fused, {conv.source, residual});
        with_relu.insert(id);
        layer_of[out] = id;
      } else if (widened0 != widened1) {
        const int wide = widened0 ? in[1] : in[0];
        const int narrow = widening_of.at(widened0 ? in[0] : in[1]).source;
        p.set("output_channels_mode", "input_0");
        layer_of[out] = add("Eltwise", p, {materialize(wide), narrow});
      } else {
        layer_of[out] = add("Eltwise", p, {materialize(in[0]), materialize(in[1])});
      }
    } else if (node.op == "MaxPool") {
      const std::vector<int64_t> kernel = Ints(node, "kernel_shape", {});
      const std::vector<int64_t> strides = Ints(node, "strides", {1, 1});
      const std::vector<int64_t> pads = Ints(node, "pads", {0, 0, 0, 0});
      if (in.size() != 1 || kernel.size() != 2 || strides.size() != 2 || pads != std::vector<int64_t>{0, 0, 0, 0}) {
        return bad(node, "unsupported pooling");
      }
      if (kernel == std::vector<int64_t>{2, 2} && strides == std::vector<int64_t>{2, 2}) {
        layer_of[out] = add(internal::kMaxPool2x2Layer, {}, {materialize(in[0])});
        continue;
      }
      cv::dnn::LayerParams p;
      p.set("pool", "max");
      p.set("kernel_h", static_cast<int>(kernel[0]));
      p.set("kernel_w", static_cast<int>(kernel[1]));
      p.set("stride_h", static_cast<int>(strides[0]));
      p.set("stride_w", static_cast<int>(strides[1]));
      p.set("ceil_mode", false);
      layer_of[out] = add("Pooling", p, {materialize(in[0])});
    } else if (node.op == "ConstantOfShape") {
      // Zeros of a fixed NCHW shape, concatenated on the channels below: only the channel count is kept.
      auto shape = node.inputs.empty() ? graph.int_values.end() : graph.int_values.find(node.inputs[0]);
      if (shape == graph.int_values.end() || shape->second.size() != 4) return bad(node, "expected an NCHW shape");
      zeros_of[out] = shape->second[1];
    } else if (node.op == "Concat") {
      const std::vector<int64_t> axis = Ints(node, "axis", {});
      if (in.size() != 1 || node.inputs.size() != 2 || !zeros_of.contains(node.inputs[1]) ||
          axis != std::vector<int64_t>{1}) {
        return bad(node, "only zero channels appended to a map are supported");
      }
      const int id = kFirstPendingId + static_cast<int>(widening_of.size());
      widening_of[id] = {materialize(in[0]), static_cast<int>(zeros_of.at(node.inputs[1]))};
      layer_of[out] = id;
    } else {
      return bad(node, "unsupported operation");
    }
  }
  for (const std::string& name : graph.outputs) {
    auto it = layer_of.find(name);
    if (it == layer_of.end() || it->second == 0) {
      return base::Status::InvalidArgument("ONNX model: output " + name + " is not computed by the graph");
    }
    net->output_layers_.push_back(net->layers_[materialize(it->second) - 1].params.name);
  }
  // Padding the input outside serves only a network whose input feeds that one convolution.
  const InputPadding& padded = net->input_padding_;
  if (input_consumers > 1 && (padded.top | padded.left | padded.bottom | padded.right) != 0) {
    return Build(graph, /*pad_input_outside=*/false);
  }
  return std::shared_ptr<const OnnxConvNet>(std::move(net));
}

std::unique_ptr<cv::dnn::Net> OnnxConvNet::MakeNet() const {
  internal::RegisterFusedLayers();
  auto net = std::make_unique<cv::dnn::Net>();
  net->setInputsNames({"input"});
  for (const Layer& layer : layers_) {
    cv::dnn::LayerParams params = layer.params;  // shares the weight blobs (cv::Mat headers)
    const int id = net->addLayer(params.name, layer.type, params);
    int slot = 0;
    for (int input : layer.inputs) net->connect(input, 0, id, slot++);
  }
  net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return net;
}

}  // namespace triage::vision
