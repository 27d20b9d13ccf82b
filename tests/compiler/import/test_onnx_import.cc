// ONNX importer: exported layers import back unchanged; bad models give ImportError naming the problem.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <functional>
#include <random>

#include "compiler/import/onnx_export.h"
#include "compiler/import/onnx_import.h"
#include "compiler/import/random_layer.h"
#include "tests/compiler/import/onnx_model_edit.h"

namespace tessera::compiler {
namespace {

double as_float(double v) { return static_cast<float>(v); }  // ONNX stores scales as float

void expect_same_tensor(const QTensor& got, const QTensor& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.shape, want.shape);
  EXPECT_EQ(got.scale, as_float(want.scale));
  EXPECT_EQ(got.zero_point, want.zero_point);
}

void expect_same_layer(const Layer& got, const Layer& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.kind, want.kind);
  ASSERT_EQ(got.inputs.size(), want.inputs.size());
  for (size_t i = 0; i < got.inputs.size(); ++i) expect_same_tensor(got.inputs[i], want.inputs[i]);
  expect_same_tensor(got.output, want.output);
  EXPECT_EQ(got.kernel_h, want.kernel_h);
  EXPECT_EQ(got.kernel_w, want.kernel_w);
  EXPECT_EQ(got.stride_h, want.stride_h);
  EXPECT_EQ(got.stride_w, want.stride_w);
  EXPECT_EQ(got.pad_top, want.pad_top);
  EXPECT_EQ(got.pad_left, want.pad_left);
  EXPECT_EQ(got.pad_bottom, want.pad_bottom);
  EXPECT_EQ(got.pad_right, want.pad_right);
  EXPECT_EQ(got.weights, want.weights);
  ASSERT_EQ(got.weight_scales.size(), want.weight_scales.size());
  for (size_t i = 0; i < got.weight_scales.size(); ++i) EXPECT_EQ(got.weight_scales[i], as_float(want.weight_scales[i]));
  EXPECT_EQ(got.bias, want.bias);
  EXPECT_EQ(got.relu, want.relu);
  EXPECT_EQ(got.group, want.group);
  EXPECT_EQ(got.clamp_hi, want.clamp_hi);
}

Layer conv_layer(bool relu = false, bool per_channel = true) {
  RandomLayerSpec s;
  s.c = 5;
  s.k = 6;
  s.h = 9;
  s.w = 7;
  s.kernel = 3;
  s.stride = 2;
  s.pad = 1;
  s.relu = relu;
  s.per_channel = per_channel;
  return random_layer(s, 7);
}

TEST(OnnxImport, ExportedLayersImportUnchanged) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 24; ++i) {
    RandomLayerSpec s;
    s.kind = i % 4 == 3 ? LayerKind::DENSE : i % 4 == 2 ? LayerKind::ADD : LayerKind::CONV2D;
    if (i % 8 == 6) s.kind = LayerKind::GLOBAL_AVG_POOL;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.c = 1 + i;
    s.k = 2 + (i * 7) % 19;
    s.kernel = 1 + 2 * (i % 4);
    s.h = s.w = s.kernel + i % 5;
    s.stride = 1 + i % 2;
    s.pad = i % 4;
    s.per_channel = i % 3 == 0;
    s.bias = s.kind == LayerKind::CONV2D && i % 5 != 0;
    s.relu = i % 2 == 0;
    const Layer layer = random_layer(s, 100 + i);
    SCOPED_TRACE("case " + std::to_string(i));
    const Model m = import_onnx(export_onnx(layer), "case.onnx");
    EXPECT_EQ(m.source, "case.onnx");
    ASSERT_EQ(m.layers.size(), 1u);
    expect_same_layer(m.layers[0], layer);
  }
}

TEST(OnnxImport, QdqConvAndGemmImportLikeQLinearOps) {
  for (int i = 0; i < 12; ++i) {
    RandomLayerSpec s;
    if (i >= 8) s.kind = LayerKind::DENSE;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.c = 3 + i;
    s.k = 4 + 3 * i;
    s.kernel = 1 + 2 * (i % 4);
    s.h = s.w = 9;
    s.stride = 1 + i % 2;
    s.pad = i % 3;
    s.per_channel = i % 4 < 2;
    s.bias = i % 3 != 2;
    s.relu = i % 2 == 0;
    const Layer layer = random_layer(s, 300 + i);
    SCOPED_TRACE("case " + std::to_string(i));
    const Model m = import_onnx(export_onnx(layer, OnnxForm::QDQ), "qdq.onnx");
    ASSERT_EQ(m.layers.size(), 1u);
    expect_same_layer(m.layers[0], layer);
  }
}

// Grouped and depthwise convs with ReLU, Clip (ReLU6-like upper clamp) or neither, in both forms:
// QLinearConv -> DequantizeLinear -> Clip -> QuantizeLinear, and DQ -> Conv -> Clip -> QuantizeLinear.
TEST(OnnxImport, GroupedConvAndClipImportUnchanged) {
  for (int i = 0; i < 12; ++i) {
    RandomLayerSpec s;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.group = i % 3 == 0 ? 24 : i % 3 == 1 ? 3 : 2;
    s.c = 24;
    s.k = i % 3 == 0 ? 24 : 12;
    s.kernel = i % 4 == 3 ? 1 : 3;
    s.h = s.w = 7;
    s.stride = 1 + i % 2;
    s.pad = s.kernel / 2;
    s.per_channel = true;
    s.relu = i % 4 < 2;
    s.clamp = i % 2 == 0;
    const Layer layer = random_layer(s, 700 + i);
    for (OnnxForm form : {OnnxForm::QLINEAR, OnnxForm::QDQ}) {
      SCOPED_TRACE("case " + std::to_string(i) + (form == OnnxForm::QDQ ? " QDQ" : " QOperator"));
      const Model m = import_onnx(export_onnx(layer, form), "grouped.onnx");
      ASSERT_EQ(m.layers.size(), 1u);
      expect_same_layer(m.layers[0], layer);
    }
  }
}

// Imports `layer` after `edit` changed its exported model; returns the ImportError message.
std::string import_error(const Layer& layer, const std::function<void(onnx::ModelProto&)>& edit,
                         OnnxForm form = OnnxForm::QLINEAR) {
  onnx::ModelProto model;
  const auto bytes = export_onnx(layer, form);
  EXPECT_TRUE(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  edit(model);
  std::string edited;
  model.SerializeToString(&edited);
  try {
    import_onnx({edited.begin(), edited.end()}, "model.onnx");
  } catch (const ImportError& e) {
    return e.what();
  }
  return "no error";
}

onnx::AttributeProto* attribute(onnx::NodeProto* node, const std::string& name) {
  for (auto& a : *node->mutable_attribute())
    if (a.name() == name) return &a;
  auto* a = node->add_attribute();
  a->set_name(name);
  return a;
}

onnx::NodeProto* node_of_type(onnx::ModelProto& m, const std::string& op) { return find_node(m, op, true); }

TEST(OnnxImport, AbsentZeroPointsAreUint8Zero) {
  RandomLayerSpec s;
  s.type = ElemType::UINT8;
  Layer l = random_layer(s, 21);
  l.inputs[0].zero_point = 0;
  l.output.zero_point = 0;
  EXPECT_EQ(import_error(
                l,
                [](onnx::ModelProto& m) {
                  for (auto& n : *m.mutable_graph()->mutable_node())
                    if (n.op_type() == "DequantizeLinear" && n.input(0) == "x") n.mutable_input()->RemoveLast();
                  node_of_type(m, "QuantizeLinear")->mutable_input()->RemoveLast();
                },
                OnnxForm::QDQ),
            "no error");
  s.type = ElemType::INT8;
  EXPECT_EQ(import_error(
                random_layer(s, 21),
                [](onnx::ModelProto& m) { node_of_type(m, "QuantizeLinear")->mutable_input()->RemoveLast(); },
                OnnxForm::QDQ),
            "model.onnx: node 'layer' (Conv): graph output 'y' is declared int8 but is uint8");
}

TEST(OnnxImport, QdqGemmAndMatMul) {
  RandomLayerSpec s;
  s.kind = LayerKind::DENSE;
  s.c = 6;
  s.k = 4;
  s.bias = false;
  const Layer l = random_layer(s, 3);
  // Gemm(transB) -> MatMul with B transposed to [C, K] is the same layer.
  EXPECT_EQ(import_error(
                l,
                [](onnx::ModelProto& m) {
                  onnx::TensorProto* w = initializer(m, "layer_w");
                  std::string transposed(w->raw_data().size(), '\0');
                  for (int k = 0; k < 4; ++k)
                    for (int c = 0; c < 6; ++c) transposed[c * 4 + k] = w->raw_data()[k * 6 + c];
                  w->set_raw_data(transposed);
                  w->set_dims(0, 6);
                  w->set_dims(1, 4);
                  onnx::NodeProto* gemm = node_of_type(m, "Gemm");
                  gemm->set_op_type("MatMul");
                  gemm->clear_attribute();
                },
                OnnxForm::QDQ),
            "no error");
  EXPECT_EQ(import_error(
                l,
                [](onnx::ModelProto& m) {
                  auto* a = attribute(node_of_type(m, "Gemm"), "transA");
                  a->set_type(onnx::AttributeProto::INT);
                  a->set_i(1);
                },
                OnnxForm::QDQ),
            "model.onnx: node 'layer' (Gemm): attribute 'transA' = 1 is not supported (only 0)");
  EXPECT_EQ(import_error(
                l,
                [](onnx::ModelProto& m) {
                  auto* a = attribute(node_of_type(m, "Gemm"), "alpha");
                  a->set_type(onnx::AttributeProto::FLOAT);
                  a->set_f(2);
                },
                OnnxForm::QDQ),
            "model.onnx: node 'layer' (Gemm): attribute 'alpha' = 2.000000 is not supported (only 1.0)");
  EXPECT_EQ(import_error(
                l, [](onnx::ModelProto& m) { node_of_type(m, "Gemm")->mutable_attribute(0)->set_i(0); }, OnnxForm::QDQ),
            "model.onnx: node 'layer' (Gemm): B has dims [4,6], expected [6,K]");
}

TEST(OnnxImport, UnsupportedAttributesAreNamed) {
  const Layer l = conv_layer();
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              auto* a = attribute(m.mutable_graph()->mutable_node(0), "dilations");
              a->set_type(onnx::AttributeProto::INTS);
              a->add_ints(2);
              a->add_ints(2);
            }),
            "model.onnx: node 'layer' (QLinearConv): attribute 'dilations' = [2,2] is not supported (only 1)");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              auto* a = attribute(m.mutable_graph()->mutable_node(0), "group");
              a->set_type(onnx::AttributeProto::INT);
              a->set_i(2);
            }),
            "model.onnx: node 'layer' (QLinearConv): attribute 'group' = 2 does not divide the input's 5 channels");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              auto* a = attribute(m.mutable_graph()->mutable_node(0), "fancy");
              a->set_type(onnx::AttributeProto::INT);
            }),
            "model.onnx: node 'layer' (QLinearConv): attribute 'fancy' is not supported");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              attribute(m.mutable_graph()->mutable_node(0), "kernel_shape")->set_ints(0, 5);
            }),
            "model.onnx: node 'layer' (QLinearConv): attribute 'kernel_shape' = [5,3] does not match the weights' [3,3]");
}

TEST(OnnxImport, UnsupportedOperatorsAndTypesAreNamed) {
  const Layer l = conv_layer();
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(0)->set_op_type("ConvInteger"); })
                .rfind("model.onnx: node 'layer' (ConvInteger): operator is not supported here (supported: QLinearConv", 0),
            0u);
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) { initializer(m, "layer_w")->set_data_type(onnx::TensorProto::UINT8); }),
            "model.onnx: node 'layer' (QLinearConv): w 'layer_w' has type uint8 (expected int8)");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              initializer(m, "layer_w_zero_point")->mutable_raw_data()->at(2) = 3;
            }),
            "model.onnx: node 'layer' (QLinearConv): w_zero_point holds 3 (only symmetric weights, zero point 0)");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) { initializer(m, "layer_w")->set_name("elsewhere"); }),
            "model.onnx: node 'layer' (QLinearConv): input 'layer_w' is not produced by any node and is neither an "
            "initializer nor a graph input");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              initializer(m, "layer_w")->set_name("elsewhere");
              *m.mutable_graph()->add_input() = m.graph().input(0);
              m.mutable_graph()->mutable_input()->rbegin()->set_name("layer_w");
            }),
            "model.onnx: node 'layer' (QLinearConv): w 'layer_w' must be an initializer (a constant)");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) { initializer(m, "layer_w")->mutable_raw_data()->pop_back(); }),
            "model.onnx: node 'layer' (QLinearConv): w 'layer_w' holds 269 raw bytes for 270 elements of int8");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              auto* d = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0);
              d->set_dim_param("batch");
            }),
            "model.onnx: node 'layer' (QLinearConv): graph input 'x' has symbolic dimension 'batch'; a static shape is required");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) {
              m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2)->set_dim_value(9);
            }),
            "model.onnx: node 'layer' (QLinearConv): graph output 'y' is declared [1,6,9,4] but the layer produces [1,6,5,4]");
  EXPECT_EQ(import_error(l, [](onnx::ModelProto& m) { initializer(m, "layer_y_scale")->mutable_raw_data()->assign(4, '\0'); }),
            "model.onnx: node 'layer' (QLinearConv): y_scale must be positive, is 0.000000");
}

TEST(OnnxImport, ReluWithDifferentRequantizationIsNotFused) {
  // DequantizeLinear -> Relu -> QuantizeLinear with a new scale is not a plain fused ReLU.
  const std::string err = import_error(conv_layer(true), [](onnx::ModelProto& m) {
    auto* q = m.mutable_graph()->mutable_node(3);
    q->set_input(1, "x_scale");
  });
  EXPECT_EQ(err.rfind("model.onnx: node 'layer_dequantize' (DequantizeLinear): operator is not supported here", 0), 0u)
      << err;
}

// Adds MaxPool(y) -> "pooled" as the new graph output.
void append_max_pool(onnx::ModelProto& m) {
  auto* g = m.mutable_graph();
  auto* pool = g->add_node();
  pool->set_name("pool");
  pool->set_op_type("MaxPool");
  pool->add_input(g->output(0).name());
  pool->add_output("pooled");
  auto* k = attribute(pool, "kernel_shape");
  k->set_type(onnx::AttributeProto::INTS);
  k->add_ints(2);
  k->add_ints(2);
  g->mutable_output(0)->set_name("pooled");
  g->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
}

TEST(OnnxImport, MaxPoolFollowsALayerAndKeepsItsQuantization) {
  const Layer conv = conv_layer(true);
  onnx::ModelProto model;
  const auto bytes = export_onnx(conv);
  ASSERT_TRUE(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  append_max_pool(model);
  std::string chained;
  model.SerializeToString(&chained);
  const Model m = import_onnx({chained.begin(), chained.end()}, "chain.onnx");
  ASSERT_EQ(m.layers.size(), 2u);
  expect_same_layer(m.layers[0], conv);
  const Layer& pool = m.layers[1];
  EXPECT_EQ(pool.kind, LayerKind::MAX_POOL);
  EXPECT_EQ(pool.kernel_h, 2);
  EXPECT_EQ(pool.inputs.at(0).name, "y");
  EXPECT_EQ(pool.output.name, "pooled");
  EXPECT_EQ(pool.output.scale, m.layers[0].output.scale);
  EXPECT_EQ(pool.output.zero_point, m.layers[0].output.zero_point);
  EXPECT_EQ(pool.output.shape, (std::vector<int64_t>{1, 6, 4, 3}));

  EXPECT_EQ(import_error(conv_layer(), [](onnx::ModelProto& m) {
              m.mutable_graph()->mutable_node(0)->set_op_type("MaxPool");
              m.mutable_graph()->mutable_node(0)->clear_attribute();
            }),
            "model.onnx: node 'layer' (MaxPool): input must be the output of a quantized layer (it carries no scale)");
}

TEST(OnnxImport, ExportedChainsImportUnchanged) {
  Layer conv = conv_layer(true);
  conv.name = "conv";
  RandomLayerSpec s;
  s.kind = LayerKind::ADD;
  Layer add = random_layer(s, 9);
  add.name = "residual";
  add.inputs = {conv.output, conv.output};
  add.inputs[1].name = "other";
  add.output.shape = conv.output.shape;
  add.output.name = "sum";
  Layer pool = conv;
  pool.name = "pool";
  pool.kind = LayerKind::MAX_POOL;
  pool.weights.clear();
  pool.weight_scales.clear();
  pool.bias.clear();
  pool.relu = false;
  pool.pad_top = pool.pad_left = pool.pad_bottom = pool.pad_right = 0;
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
  pool.inputs = {add.output};
  pool.output = add.output;
  pool.output.name = "pooled";
  pool.output.shape = {1, 6, 2, 2};
  const Model m = import_onnx(export_onnx(Model{"", {conv, add, pool}}), "chain.onnx");
  ASSERT_EQ(m.layers.size(), 3u);
  expect_same_layer(m.layers[0], conv);
  expect_same_layer(m.layers[1], add);
  pool.inputs[0].scale = pool.output.scale = as_float(add.output.scale);  // inherited as imported
  expect_same_layer(m.layers[2], pool);
}

TEST(OnnxImport, ConstantNodesReadLikeInitializers) {
  const Layer l = conv_layer(true);
  onnx::ModelProto model;
  const auto bytes = export_onnx(l);
  ASSERT_TRUE(model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  // Move every initializer into a Constant node at the front of the graph.
  auto* g = model.mutable_graph();
  onnx::GraphProto rebuilt;
  for (const auto& t : g->initializer()) {
    auto* c = rebuilt.add_node();
    c->set_op_type("Constant");
    c->add_output(t.name());
    auto* a = c->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    *a->mutable_t() = t;
  }
  for (const auto& n : g->node()) *rebuilt.add_node() = n;
  g->clear_initializer();
  g->clear_node();
  g->mutable_node()->CopyFrom(rebuilt.node());
  std::string edited;
  model.SerializeToString(&edited);
  const Model m = import_onnx({edited.begin(), edited.end()}, "constants.onnx");
  ASSERT_EQ(m.layers.size(), 1u);
  expect_same_layer(m.layers[0], l);
  auto* c = g->mutable_node(0)->mutable_attribute(0);
  c->set_name("value_float");
  model.SerializeToString(&edited);
  try {
    import_onnx({edited.begin(), edited.end()}, "constants.onnx");
    ADD_FAILURE() << "no error";
  } catch (const ImportError& e) {
    EXPECT_EQ(std::string(e.what()), "constants.onnx: node '#0' (Constant): only a 'value' tensor attribute is supported");
  }
}

TEST(OnnxImport, GarbageAndMissingFilesAreErrors) {
  EXPECT_THROW(import_onnx({}, "empty.onnx"), ImportError);
  EXPECT_THROW(import_onnx({0xff, 0xff, 0xff, 0xff, 0x0f}, "junk.onnx"), ImportError);
  EXPECT_THROW(import_onnx_file("/nonexistent/model.onnx"), ImportError);
  try {
    import_onnx({0x0a, 0x05, 0x01}, "short.onnx");
    FAIL() << "no error";
  } catch (const ImportError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("short.onnx: ", 0), 0u) << e.what();
  }
}

// Truncated and bit-flipped models either import or throw ImportError; nothing else escapes.
TEST(OnnxImport, TruncatedAndBitFlippedModelsNeverCrash) {
  for (const Layer& layer : {conv_layer(true, true), conv_layer(false, false)}) {
    const auto good = export_onnx(layer);
    size_t errors = 0, imported = 0;
    auto attempt = [&](const std::vector<uint8_t>& bytes) {
      try {
        const Model m = import_onnx(bytes, "fuzz.onnx");
        ++imported;
        for (const Layer& l : m.layers) EXPECT_FALSE(l.output.shape.empty());
      } catch (const ImportError& e) {
        ++errors;
        EXPECT_EQ(std::string(e.what()).rfind("fuzz.onnx: ", 0), 0u) << e.what();
      }
    };
    for (size_t n = 0; n < good.size(); n += 1 + n / 64) attempt({good.begin(), good.begin() + n});
    std::mt19937_64 rng(11);
    for (int i = 0; i < 3000; ++i) {
      auto bad = good;
      for (int flips = 1 + i % 3; flips > 0; --flips)
        bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      attempt(bad);
    }
    EXPECT_GT(errors, 100u);
    EXPECT_GT(imported, 100u);  // most flips land in weight bytes and still form a valid model
  }
}

}  // namespace
}  // namespace tessera::compiler
