// `tessera compile`: a single-layer ONNX or JSON model to a .tsp program (and an annotated listing).
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "compiler/compile.h"
#include "compiler/import/json_import.h"
#include "compiler/import/onnx_import.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/schedule_cache.h"
#include "isa/config.h"

namespace tessera::cli {

namespace {

void write_listing(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error(path + ": cannot write the listing");
}

}  // namespace

void add_compile_command(CLI::App& app) {
  auto* c = app.add_subcommand("compile", "Compile a quantized network or layer (.onnx or .json) into a .tsp program");
  static std::string cfg_file, model_file, schedule_file, isa = "tessera", out, listing_file, cache_file, blocks = "auto";
  static bool no_shipped = false, no_fuse = false;
  c->add_option("-c,--config", cfg_file, "accelerator config JSON")->required()->check(CLI::ExistingFile);
  c->add_option("-m,--model", model_file, "layer model: .onnx or .json (docs/layer-format.md)")->required()->check(CLI::ExistingFile);
  c->add_option("-s,--schedule", schedule_file, "schedule JSON (docs/compiler.md); default: searched (docs/search.md)")
      ->check(CLI::ExistingFile);
  c->add_option("--schedule-cache", cache_file, "schedule database the search reads and updates (docs/search.md)");
  c->add_flag("--no-shipped-schedules", no_shipped,
              "do not consult the config's shipped schedule database (schedules/<config>.json next to it)");
  c->add_option("--isa", isa, "tessera (with extensions) or vta (VTA's base ISA only)")
      ->check(CLI::IsMember({"tessera", "vta"}));
  c->add_flag("--no-fuse", no_fuse, "networks: keep residual adds as their own layers instead of conv epilogues");
  c->add_option("--block-fusion", blocks,
                "networks on configs with the depthwise mode: run inverted-residual blocks fused on chip where the cost "
                "model predicts a gain (auto), always, or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  c->add_option("-o,--output", out, "program file to write")->required();
  c->add_option("--listing", listing_file, "also write the program as annotated assembly");
  c->callback([] {
    const DerivedConfig cfg = load_derived(cfg_file);
    compiler::CompileOptions opt;
    opt.isa = isa == "vta" ? compiler::IsaTarget::VTA : compiler::IsaTarget::TESSERA;
    if (!schedule_file.empty()) opt.schedule = compiler::load_schedule_file(schedule_file);
    opt.schedule_cache = cache_file;
    opt.fuse = !no_fuse;
    opt.blocks = blocks == "never" ? compiler::BlockFusion::NEVER
                 : blocks == "always" ? compiler::BlockFusion::ALWAYS : compiler::BlockFusion::AUTO;
    if (!no_shipped) opt.shipped_schedules = compiler::search::shipped_database_path(cfg_file);
    // A model that is one quantized layer between its graph input and output compiles as a layer;
    // anything else (several layers, host operators, float inputs) as a network.
    const bool onnx = model_file.size() >= 5 && model_file.compare(model_file.size() - 5, 5, ".onnx") == 0;
    if (onnx) {
      compiler::Network net = compiler::import_onnx_network_file(model_file);
      const bool single = net.nodes.size() == 1 && net.nodes[0].layer && net.inputs.size() == net.nodes[0].inputs.size();
      if (!single) {
        const compiler::CompiledNetwork r = compiler::compile_network(std::move(net), cfg, opt);
        for (const auto& w : r.warnings) std::cerr << "tessera: warning: " << w << "\n";
        write_program_file(r.program, out);
        if (!listing_file.empty()) write_listing(listing_file, compiler::listing(r.program, r.notes, cfg));
        std::cout << compiler::report_table(r, cfg);
        std::cerr << "wrote " << out << ": " << r.program.steps.size() << " steps, " << r.program.insns.size()
                  << " instructions, " << r.program.uops.size() << " micro-ops\n";
        return;
      }
    }
    const compiler::Compiled r = compiler::compile_model(compiler::import_model_file(model_file), cfg, opt);
    for (const auto& w : r.warnings) std::cerr << "tessera: warning: " << w << "\n";
    write_program_file(r.program, out);
    if (!listing_file.empty()) write_listing(listing_file, compiler::listing(r, cfg));
    std::cerr << "wrote " << out << ": " << r.program.insns.size() << " instructions, " << r.program.uops.size()
              << " micro-ops, schedule " << compiler::schedule_json(r.schedule);
    if (r.schedule_origin == "search") std::cerr << " (searched)";
    else if (!r.schedule_origin.empty() && r.schedule_origin != "given") std::cerr << " (from the " << r.schedule_origin << ")";
    std::cerr << "\n";
  });
}

}  // namespace tessera::cli
