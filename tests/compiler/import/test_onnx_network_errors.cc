// Whole-network ONNX import: malformed, truncated or inconsistent graphs are ImportErrors naming the
// file, the node or tensor and the reason. Each case edits a valid random network (tessera's tiny
// architecture, as onnxruntime's quantizer writes it) in one way.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cstdio>
#include <fstream>
#include <functional>

#include "compiler/import/onnx_import.h"
#include "compiler/import/random_network.h"
#include "tests/compiler/import/onnx_model_edit.h"

namespace tessera::compiler {
namespace {

onnx::ModelProto tiny(NetworkForm form, bool softmax = false) {
  NetworkSpec s;
  s.arch = NetworkArch::TINY;
  s.form = form;
  s.input_size = 8;
  s.classes = 4;
  s.softmax = softmax;
  const RandomNetwork net = random_network(s);
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromArray(net.onnx.data(), static_cast<int>(net.onnx.size())));
  return m;
}

std::vector<uint8_t> bytes_of(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return {s.begin(), s.end()};
}

// The ImportError message of importing `m` after `edit`, or "no error".
std::string network_error(NetworkForm form, const std::function<void(onnx::ModelProto&)>& edit) {
  onnx::ModelProto m = tiny(form);
  edit(m);
  try {
    import_onnx_network(bytes_of(m), "net.onnx");
  } catch (const ImportError& e) {
    return e.what();
  }
  return "no error";
}

onnx::NodeProto* node_named(onnx::ModelProto& m, const std::string& name) { return find_node(m, name, false); }

// Names in the tiny network's QOperator form.
const char* kConv1 = "/conv1/Conv_quant";
const char* kConv2 = "/conv2/Conv_quant";
const char* kConv3 = "/conv3/Conv_quant";
const char* kAdd = "/Add_quant";

TEST(OnnxNetworkErrors, UneditedNetworksImport) {
  for (NetworkForm form : {NetworkForm::QOPERATOR, NetworkForm::QDQ})
    for (bool softmax : {false, true}) {
      const Network net = import_onnx_network(bytes_of(tiny(form, softmax)), "net.onnx");
      EXPECT_EQ(net.outputs, std::vector<std::string>{"output"});
      EXPECT_GE(net.nodes.size(), 8u);
    }
}

TEST(OnnxNetworkErrors, CycleNamesBothNodes) {
  const std::string e = network_error(NetworkForm::QOPERATOR, [](onnx::ModelProto& m) {
    // conv2 reads the Add's output, which reads conv2's output.
    node_named(m, kConv2)->set_input(0, node_named(m, kAdd)->output(0));
  });
  EXPECT_EQ(e, "net.onnx: node '/conv2/Conv_quant' (QLinearConv): is on a cycle: its input "
               "'/relu_1/Relu_output_0_quantized' comes from node '/Add_quant' (QLinearAdd), which depends on "
               "this node's output");
}

TEST(OnnxNetworkErrors, NodesOutOfOrderAreNamed) {
  const std::string e = network_error(NetworkForm::QOPERATOR, [](onnx::ModelProto& m) {
    auto* nodes = m.mutable_graph()->mutable_node();
    for (int i = 0; i + 1 < nodes->size(); ++i) nodes->SwapElements(i, i + 1);  // the input's Q goes last
  });
  EXPECT_EQ(e, "net.onnx: node '/conv1/Conv_quant' (QLinearConv): input 'input_quantized' is produced by node "
               "'input_QuantizeLinear' (QuantizeLinear), which comes later: the nodes are not in topological order");
}

TEST(OnnxNetworkErrors, DanglingInputIsNamed) {
  EXPECT_EQ(network_error(NetworkForm::QDQ, [](onnx::ModelProto& m) { node_named(m, "/maxpool/MaxPool")->set_input(0, "nowhere"); }),
            "net.onnx: node '/maxpool/MaxPool' (MaxPool): input 'nowhere' is not produced by any node and is neither "
            "an initializer nor a graph input");
}

TEST(OnnxNetworkErrors, DuplicateProducersAndDeclarations) {
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) { node_named(m, kConv2)->set_output(0, node_named(m, kConv3)->output(0)); }),
            "net.onnx: node '/conv2/Conv_quant' (QLinearConv): output '/conv3/Conv_output_0_quantized' is also produced "
            "by node '/conv3/Conv_quant' (QLinearConv)");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR, [](onnx::ModelProto& m) { node_named(m, kConv1)->set_output(0, "input"); }),
            "net.onnx: node '/conv1/Conv_quant' (QLinearConv): output 'input' is also a graph input");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) { node_named(m, kConv1)->set_output(0, "conv2.weight_quantized"); }),
            "net.onnx: node '/conv1/Conv_quant' (QLinearConv): output 'conv2.weight_quantized' is also an initializer");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) { *m.mutable_graph()->add_initializer() = *initializer(m, "conv1.bias_quantized"); }),
            "net.onnx: initializer 'conv1.bias_quantized' is declared twice");
  EXPECT_EQ(network_error(NetworkForm::QDQ, [](onnx::ModelProto& m) { *m.mutable_graph()->add_input() = m.graph().input(0); }),
            "net.onnx: graph input 'input' is declared twice");
  EXPECT_EQ(network_error(NetworkForm::QDQ, [](onnx::ModelProto& m) { *m.mutable_graph()->add_output() = m.graph().output(0); }),
            "net.onnx: graph output 'output' is declared twice");
}

TEST(OnnxNetworkErrors, UnproducedGraphOutputIsNamed) {
  EXPECT_EQ(network_error(NetworkForm::QDQ,
                          [](onnx::ModelProto& m) {
                            *m.mutable_graph()->add_output() = m.graph().output(0);
                            m.mutable_graph()->mutable_output()->rbegin()->set_name("logits");
                          }),
            "net.onnx: graph output 'logits' is not produced by any node");
}

TEST(OnnxNetworkErrors, ShapeMismatchesNameTheNode) {
  // conv3 at stride 2 gives [1,24,2,2]; the Add's other operand is [1,24,4,4].
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) {
                            for (auto& a : *node_named(m, kConv3)->mutable_attribute())
                              if (a.name() == "strides") a.set_ints(0, 2), a.set_ints(1, 2);
                          }),
            "net.onnx: node '/Add_quant' (QLinearAdd): inputs have different shapes [1,24,4,4] and [1,24,2,2]");
  // conv2's 1x1 weights for 8 input channels where the max-pool delivers 16.
  EXPECT_EQ(network_error(NetworkForm::QDQ,
                          [](onnx::ModelProto& m) {
                            onnx::TensorProto* w = initializer(m, "conv2.weight_quantized");
                            w->set_dims(1, 8);
                            w->mutable_raw_data()->resize(24 * 8);
                          }),
            "net.onnx: node '/conv2/Conv' (Conv): weights have dims [24,8,1,1], expected [K,16,R,S]");
  // The declared graph output disagrees with what the final DequantizeLinear (a host node) produces.
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) {
                            m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(5);
                          }),
            "net.onnx: node 'output_DequantizeLinear' (DequantizeLinear): graph output 'output' is declared [1,5] but "
            "the node produces [1,4]");
}

TEST(OnnxNetworkErrors, WrongInitializerTypesAreNamed) {
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) {
                            onnx::TensorProto* w = initializer(m, "conv1.weight_quantized");
                            w->set_data_type(onnx::TensorProto::FLOAT);
                            w->mutable_raw_data()->resize(w->raw_data().size() * 4);
                          }),
            "net.onnx: node '/conv1/Conv_quant' (QLinearConv): w 'conv1.weight_quantized' has type float (expected int8)");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) {
                            onnx::TensorProto* b = initializer(m, "conv1.bias_quantized");
                            b->set_data_type(onnx::TensorProto::INT8);
                            b->mutable_raw_data()->resize(16);
                          }),
            "net.onnx: node '/conv1/Conv_quant' (QLinearConv): bias 'conv1.bias_quantized' has type int8 (expected int32)");
  // conv1 reads the uint8 input with an int8 zero point.
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) {
                            onnx::TensorProto* zp = m.mutable_graph()->add_initializer();
                            *zp = *initializer(m, "input_zero_point");
                            zp->set_name("int8_zero_point");
                            zp->set_data_type(onnx::TensorProto::INT8);
                            zp->set_raw_data(std::string(1, '\0'));
                            node_named(m, kConv1)->set_input(2, "int8_zero_point");
                          }),
            "net.onnx: node '/conv1/Conv_quant' (QLinearConv): x_zero_point has type int8 but 'input_quantized' is uint8");
  // int8 weights with a uint8 zero point (DequantizeLinear needs them of one type).
  EXPECT_EQ(network_error(NetworkForm::QDQ,
                          [](onnx::ModelProto& m) { initializer(m, "conv3.weight_zero_point")->set_data_type(onnx::TensorProto::UINT8); }),
            "net.onnx: node 'conv3.weight_DequantizeLinear' (DequantizeLinear): w_zero_point 'conv3.weight_zero_point' "
            "has type uint8 (expected int8)");
  // A bias zero point other than 0 would shift every output; it was ignored before.
  EXPECT_EQ(network_error(NetworkForm::QDQ,
                          [](onnx::ModelProto& m) { (*initializer(m, "fc.bias_quantized_zero_point")->mutable_raw_data())[0] = 5; }),
            "net.onnx: node 'fc.bias_DequantizeLinear' (DequantizeLinear): bias_zero_point holds 5 (a bias has zero point 0)");
}

TEST(OnnxNetworkErrors, MissingAttributesAndInputsAreNamed) {
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) {
                            auto* attrs = node_named(m, "/maxpool/MaxPool")->mutable_attribute();
                            for (int i = 0; i < attrs->size(); ++i)
                              if (attrs->Get(i).name() == "kernel_shape") attrs->DeleteSubrange(i, 1);
                          }),
            "net.onnx: node '/maxpool/MaxPool' (MaxPool): required attribute 'kernel_shape' is missing");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR,
                          [](onnx::ModelProto& m) { node_named(m, kConv3)->mutable_input()->DeleteSubrange(3, 6); }),
            "net.onnx: node '/conv3/Conv_quant' (QLinearConv): input 3 (w) is missing");
}

TEST(OnnxNetworkErrors, AbsurdSizesAreRefused) {
  const auto input_dims = [](std::vector<int64_t> dims) {
    return [dims](onnx::ModelProto& m) {
      auto* shape = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
      shape->clear_dim();
      for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
    };
  };
  // Each dimension alone is allowed; their product (2^32 elements) is not, and must not overflow.
  EXPECT_EQ(network_error(NetworkForm::QDQ, input_dims({1, 65536, 65536, 65536})),
            "net.onnx: graph input 'input' has dimension 65536 (at most 268435456 elements in all)");
  EXPECT_EQ(network_error(NetworkForm::QDQ, input_dims({1, 1, 1, 1, 1, 1, 1, 1, 1, 3})),
            "net.onnx: graph input 'input' has 10 dimensions (at most 8)");
  EXPECT_EQ(network_error(NetworkForm::QDQ, input_dims({1, 3, 0, 8})),
            "net.onnx: graph input 'input' has dimension 0 (at most 268435456 elements in all)");
}

TEST(OnnxNetworkErrors, HostShapeOperatorsCheckTheirOperands) {
  const auto replace_flatten = [](const char* op, std::vector<int64_t> operand) {
    return [op, operand](onnx::ModelProto& m) {
      onnx::NodeProto* f = node_named(m, "/Flatten");
      f->set_op_type(op);
      f->clear_attribute();
      onnx::TensorProto* t = m.mutable_graph()->add_initializer();
      t->set_name("operand");
      t->set_data_type(onnx::TensorProto::INT64);
      t->add_dims(static_cast<int64_t>(operand.size()));
      for (int64_t v : operand) t->add_int64_data(v);
      f->add_input("operand");
    };
  };
  // A Reshape by a constant shape (the quantized reshape onnxruntime keeps) imports like the Flatten.
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR, replace_flatten("Reshape", {1, -1})), "no error");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR, replace_flatten("Reshape", {1, 7})),
            "net.onnx: node '/Flatten' (Reshape): cannot reshape [1,24,1,1] to [1,7]");
  EXPECT_EQ(network_error(NetworkForm::QOPERATOR, replace_flatten("Squeeze", {2, 2})),
            "net.onnx: node '/Flatten' (Squeeze): input 'axes' = [2,2] repeats an axis");
}

TEST(OnnxNetworkErrors, TruncatedFileNamesThePath) {
  const std::vector<uint8_t> bytes = bytes_of(tiny(NetworkForm::QDQ));
  const std::string path = ::testing::TempDir() + "truncated_network.onnx";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size() / 2);
  try {
    import_onnx_network_file(path);
    ADD_FAILURE() << "a truncated model imported";
  } catch (const ImportError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": not a valid ONNX model (protobuf parsing failed; truncated or corrupt file?)");
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tessera::compiler
