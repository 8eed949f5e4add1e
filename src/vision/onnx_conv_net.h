// A convolutional ONNX model rebuilt as an OpenCV DNN graph that takes NCHW input of any size. OpenCV's own ONNX
// importer keeps the exported graph's fixed shapes: BlazeFace's channel padding concatenates a constant of the
// training input's size, and its heads end in reshapes to a 256 px input's anchor count, so that a larger picture
// can only be shown to it as 256 px tiles that overlap. Rebuilt here from the model's nodes and weights (a small
// reader of ONNX's protobuf encoding), the same layers run once over a whole picture. Private to vision/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::vision {

// What a graph reads of an ONNX node.
struct OnnxNode {
  std::string op;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, std::vector<int64_t>> ints;  // integer and integer-list attributes
};

// An ONNX model's graph: nodes in order, float and int64 initializers, the graph's input and output names.
struct OnnxGraph {
  std::vector<OnnxNode> nodes;
  std::map<std::string, cv::Mat> weights;                  // float tensors, shaped as stored
  std::map<std::string, std::vector<int64_t>> int_values;  // int64 tensors (shapes)
  std::vector<std::string> inputs;                         // initializers listed as inputs are not removed
  std::vector<std::string> outputs;
};

// Reads the model bytes. kCorrupt naming what is wrong when they are not a well-formed ONNX model (truncated,
// no graph, a float tensor whose data does not match its shape).
base::Result<OnnxGraph> ParseOnnx(const std::vector<uint8_t>& bytes);

// A network built from a graph of convolutions (plain, grouped, depthwise; symmetric or asymmetric padding), ReLU,
// element-wise Add, MaxPool and channel zero-padding written as Concat with ConstantOfShape. The graph's input
// transpose from NHWC is dropped (the network takes NCHW), and so are the transposes and reshapes that end its
// outputs: each output is the NCHW map of the convolution that feeds it, [1, channels, rows, cols].
// Zeros around a network's input, in input pixels.
struct InputPadding {
  int top = 0;
  int left = 0;
  int bottom = 0;
  int right = 0;
};

class OnnxConvNet {
 public:
  // kInvalidArgument naming the node when the graph holds an operation or attribute outside that set.
  static base::Result<std::shared_ptr<const OnnxConvNet>> FromGraph(const OnnxGraph& graph);

  // A new network instance (its own buffers; the weights are shared). May throw cv::Exception.
  std::unique_ptr<cv::dnn::Net> MakeNet() const;
  // The layer names to forward, one per graph output in the graph's order.
  const std::vector<cv::String>& output_layers() const { return output_layers_; }
  // The zeros a caller puts around its input, which the network does not add itself: the padding of a first
  // convolution that pads unevenly (TensorFlow's "same" stride-2 padding, at the bottom and right), which OpenCV's
  // convolution cannot do and a Padding layer would do by copying the whole input. The outputs are those of the
  // unpadded input's size: the caller's blob is [n, c, top + rows + bottom, left + cols + right].
  const InputPadding& input_padding() const { return input_padding_; }

 private:
  static base::Result<std::shared_ptr<const OnnxConvNet>> Build(const OnnxGraph& graph, bool pad_input_outside);

  struct Layer {
    std::string type;
    cv::dnn::LayerParams params;
    std::vector<int> inputs;  // ids of earlier layers; 0 is the network input
  };
  std::vector<Layer> layers_;  // layer i + 1 of the net
  std::vector<cv::String> output_layers_;
  InputPadding input_padding_;
};

}  // namespace triage::vision
