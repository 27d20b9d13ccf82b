// Finders for the tests that edit an exported ONNX model before importing it; a missing one is a test failure.
#pragma once

#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <string>

namespace tessera::compiler {

inline onnx::TensorProto* initializer(onnx::ModelProto& m, const std::string& name) {
  for (auto& t : *m.mutable_graph()->mutable_initializer())
    if (t.name() == name) return &t;
  ADD_FAILURE() << "no initializer " << name;
  return m.mutable_graph()->add_initializer();
}

// The first node whose op type (by_op) or name is `key`.
inline onnx::NodeProto* find_node(onnx::ModelProto& m, const std::string& key, bool by_op) {
  for (auto& n : *m.mutable_graph()->mutable_node())
    if ((by_op ? n.op_type() : n.name()) == key) return &n;
  ADD_FAILURE() << "no node " << (by_op ? "of type " : "named ") << key;
  return m.mutable_graph()->add_node();
}

}  // namespace tessera::compiler
