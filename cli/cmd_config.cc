// `tessera config ...`: check and show a config's derived parameters, convert VTA's config format.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "isa/config.h"

namespace tessera::cli {
namespace {

void show(const DerivedConfig& d) {
  const HwConfig& c = d.hw;
  std::cout << "config " << c.name << "  hash " << d.hash_hex() << "\n"
            << "  " << c.description << "\n"
            << "  GEMM " << c.batch << "x" << c.block_in << "x" << c.block_out << "  int" << c.inp_bits << " x int"
            << c.wgt_bits << " -> int" << c.acc_bits << "  out int" << d.out_bits << "\n";
  auto row = [](const char* n, const SramGeometry& g, int64_t bytes) {
    std::cout << "  " << n << ": " << bytes << " B = " << g.depth << " x " << g.elem_bytes << " B elements, index "
              << g.idx_bits << " bits\n";
  };
  row("uop", d.uop, c.uop_bytes);
  row("inp", d.inp, c.inp_bytes);
  row("wgt", d.wgt, c.wgt_bytes);
  row("acc", d.acc, c.acc_bytes);
  std::cout << "  instruction " << d.layout.insn_bits << " bits, micro-op " << d.layout.uop_bits
            << " bits, sram address " << d.layout.sram_addr_bits << " bits\n"
            << "  DRAM bus " << c.dram_bus_bits << " bits, " << c.dram_bytes_per_cycle << " B/cycle, latency "
            << c.dram_latency_cycles << " cycles, " << c.dram_max_outstanding << " outstanding, bursts of "
            << c.dram_max_burst_beats << " beats\n"
            << "  peak " << 2.0 * c.batch * c.block_in * c.block_out * c.clock_mhz / 1000.0 << " GOP/s at "
            << c.clock_mhz << " MHz\n";
}

}  // namespace

void add_config_commands(CLI::App& app) {
  auto* cfg = app.add_subcommand("config", "Check, show or convert accelerator configs");
  cfg->require_subcommand(1);

  auto* sh = cfg->add_subcommand("show", "Validate a config and print its derived parameters");
  static std::vector<std::string> files;
  sh->add_option("configs", files, "config JSON files")->required()->check(CLI::ExistingFile);
  sh->callback([] {
    for (const auto& f : files) show(load_derived(f));
  });

  auto* imp = cfg->add_subcommand("import-vta", "Convert VTA's vta_config.json (LOG_* keys) to a tessera config");
  static std::string vta_file, out_file;
  imp->add_option("vta_config", vta_file, "VTA config JSON")->required()->check(CLI::ExistingFile);
  imp->add_option("-o,--output", out_file, "write the tessera config here (default: stdout)");
  imp->callback([] {
    std::ifstream in(vta_file);
    std::stringstream ss;
    ss << in.rdbuf();
    const HwConfig c = import_vta_config(ss.str(), vta_file);
    derive(c, vta_file);  // an import that cannot be derived is rejected here, not later
    const std::string text = to_json(c);
    if (out_file.empty()) {
      std::cout << text;
    } else {
      std::ofstream(out_file) << text;
      std::cerr << "wrote " << out_file << "\n";
    }
  });
}

}  // namespace tessera::cli
