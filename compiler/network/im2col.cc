// Im2col pass: a conv with few input channels (ResNet's 7x7 stem on RGB) pads them to a whole
// BLOCK_IN block and wastes most MAC slots; packing its windows on the host into C*R*S channels turns
// it into a 1x1 conv that fills the blocks.
#include <algorithm>

#include "compiler/compile_error.h"
#include "compiler/network/passes.h"

namespace tessera::compiler {
namespace {

int64_t padded(int64_t n, int64_t b) { return (n + b - 1) / b * b; }

// At least 20% of the MAC slots are wasted now: C padded per tap costs over 1.25x C*R*S padded once.
bool worth_packing(const Layer& l, int64_t block_in) {
  const int64_t c = l.inputs.at(0).shape.at(1), taps = int64_t(l.kernel_h) * l.kernel_w;
  return 4 * padded(c, block_in) * taps > 5 * padded(c * taps, block_in);
}

std::string csv(std::initializer_list<int> v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

}  // namespace

void im2col_first_convs(Network& net, const DerivedConfig& cfg) {
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    NetNode& n = net.nodes[i];
    if (n.placement != Placement::ACCEL || n.layer->kind != LayerKind::CONV2D || n.layer->group != 1 ||
        !worth_packing(*n.layer, cfg.hw.block_in))
      continue;
    const std::string x = n.inputs.at(0);
    // The packing stays on the host: never between two accelerator layers, never under another reader.
    const auto producer = std::find_if(net.nodes.begin(), net.nodes.end(), [&](const NetNode& m) {
      return std::count(m.outputs.begin(), m.outputs.end(), x) != 0;
    });
    const bool host_fed = producer == net.nodes.end() ? net.is_input(x) : producer->placement == Placement::HOST;
    const auto readers = std::count_if(net.nodes.begin(), net.nodes.end(), [&](const NetNode& m) {
      return std::count(m.inputs.begin(), m.inputs.end(), x) != 0;
    });
    if (!host_fed || readers != 1) continue;

    Layer& l = *n.layer;
    NetTensor packed = net.tensor(x);
    packed.name = x + "_im2col";
    if (net.tensors.count(packed.name))
      throw CompileError(net.source + ": node '" + n.name + "': tensor name '" + packed.name + "' for its im2col input is taken");
    const auto& out = l.output.shape;
    packed.shape = {packed.shape.at(0), packed.shape.at(1) * l.kernel_h * l.kernel_w, out.at(2), out.at(3)};

    NetNode pack;
    pack.name = n.name + "_im2col", pack.op = "Im2Col", pack.placement = Placement::HOST;
    pack.attrs = {{"kernel_shape", csv({l.kernel_h, l.kernel_w})},
                  {"strides", csv({l.stride_h, l.stride_w})},
                  {"pads", csv({l.pad_top, l.pad_left, l.pad_bottom, l.pad_right})}};
    pack.inputs = {x}, pack.outputs = {packed.name};

    // K x C x R x S weights in C order are already K x (C*R*S) with channel (c*R + r)*S + s, the
    // host op's order: only the geometry changes.
    l.inputs[0] = packed.qtensor();
    l.kernel_h = l.kernel_w = l.stride_h = l.stride_w = 1;
    l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 0;
    n.inputs[0] = packed.name;
    net.tensors[packed.name] = packed;
    net.nodes.insert(net.nodes.begin() + long(i), pack);
    ++i;  // past the conv, now one further on
  }
}

}  // namespace tessera::compiler
