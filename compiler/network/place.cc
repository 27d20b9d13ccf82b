// Placement pass: which node runs on the accelerator, which is a free reshape, which on the host.
#include "compiler/compile_error.h"
#include "compiler/network/passes.h"

namespace tessera::compiler {

void place_nodes(Network& net, const DerivedConfig& cfg) {
  const bool same_block = cfg.elem_bytes(int(MemType::INP)) == cfg.elem_bytes(int(MemType::OUT)) &&
                          cfg.hw.block_in == cfg.hw.block_out;
  for (NetNode& n : net.nodes) {
    if (n.layer) {
      // A layer's output is the next layer's input: both must use one blocking.
      if (!same_block)
        throw CompileError(net.source + ": node '" + n.name + "': networks need BLOCK_IN == BLOCK_OUT and equal input/output "
                           "element sizes so layers chain without repacking; config '" + cfg.hw.name + "' has " +
                           std::to_string(cfg.hw.block_in) + " and " + std::to_string(cfg.hw.block_out));
      n.placement = Placement::ACCEL;
    } else if (n.reshape) {
      // [N,C,1,1] <-> [N,C] (Flatten after a global pool) is the same blocked bytes.
      const auto& in = net.tensor(n.inputs.at(0)).shape;
      const auto& out = net.tensor(n.outputs.at(0)).shape;
      const bool squeeze_1x1 = in.size() == 4 && in[2] == 1 && in[3] == 1 && out.size() == 2 && out[0] == in[0] && out[1] == in[1];
      n.placement = squeeze_1x1 ? Placement::ALIAS : Placement::HOST;
    } else {
      n.placement = Placement::HOST;
    }
  }
}

}  // namespace tessera::compiler
